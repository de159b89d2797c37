// Gradient registrations that make gradients of gradients correct in tfjs 4.22 (second-order
// MAML differentiates through its inner SGD steps). Two kinds of fixes:
// - kernels that appear in a backward pass but have no gradient of their own:
//   Conv2DBackpropFilter, MaxPoolGrad, AvgPoolGrad, Equal;
// - kernels whose stock gradient reads the kernel's saved OUTPUT (Exp, Sigmoid, Tanh, Softmax):
//   tfjs records that saved copy before the op that produced it, so a second differentiation
//   treats it as a constant and silently drops terms. These are replaced by gradients computed
//   from the saved input.
// Each replacement gives the same first derivatives as tfjs's own. Kernels (forward computations)
// live in nn/kernels; this folder only registers gradients, which apply to every backend.
// Besides these fixes, the fused batch norm + ReLU + max-pool kernel gets a cheaper gradient for
// when its gradient is recorded (batch-norm-relu-pool.ts; a speed-up, not a correctness fix).
import * as tf from '@tensorflow/tfjs';
import { avgPoolGradGradient } from './avg-pool-grad';
import { batchNormReluPoolGradient } from './batch-norm-relu-pool';
import { conv2DBackpropFilterGradient } from './conv2d-backprop-filter';
import { equalGradient } from './equal';
import { expGradient } from './exp';
import { maxPoolGradGradient } from './max-pool-grad';
import { sigmoidGradient } from './sigmoid';
import { softmaxGradient } from './softmax';
import { tanhGradient } from './tanh';

/** Every gradient this folder registers, by kernel name (tests replace them one at a time). */
export const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [
  conv2DBackpropFilterGradient,
  maxPoolGradGradient,
  avgPoolGradGradient,
  equalGradient,
  expGradient,
  sigmoidGradient,
  tanhGradient,
  softmaxGradient,
];

/**
 * Registers the gradients above (for all backends). Idempotent: calling it again re-registers the
 * same functions, which also restores them if something replaced one.
 */
export function registerSecondOrderGradients(): void {
  for (const config of SECOND_ORDER_GRADIENTS) tf.registerGradient(config);
  // Kept out of the list above: it saves the kernel's statistics outputs for the fused backward
  // kernel (read only when nothing records the gradient), which the list's invariant forbids.
  tf.registerGradient(batchNormReluPoolGradient);
}
