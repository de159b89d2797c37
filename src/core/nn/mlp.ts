// A multilayer perceptron as a plain function of named parameters (like conv4.ts), so
// meta-learners can run it with adapted weights: dense layers with ReLU between them and a linear
// output. The sine-regression learner of the MAML paper is sizes [1, 40, 40, 1].
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { glorotUniform, type NamedTensors } from './params';

export const SINE_MLP_SIZES: readonly number[] = [1, 40, 40, 1];

const kernelName = (layer: number) => `dense${layer}/kernel`;
const biasName = (layer: number) => `dense${layer}/bias`;

/** Glorot-uniform kernels and zero biases for layer sizes [in, hidden..., out], seeded. */
export function initMlp(sizes: readonly number[], rng: Rng): NamedTensors {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`An MLP needs at least an input and an output size, each a whole number >= 1; got [${sizes.join(', ')}].`);
  }
  const params: NamedTensors = {};
  for (let layer = 0; layer + 1 < sizes.length; layer++) {
    const [fanIn, fanOut] = [sizes[layer], sizes[layer + 1]];
    params[kernelName(layer)] = glorotUniform([fanIn, fanOut], fanIn, fanOut, rng.derive(`dense${layer}`));
    params[biasName(layer)] = tf.zeros([fanOut]);
  }
  return params;
}

/**
 * Outputs [n, out] for inputs [n, in]; or, for a batch of T models (kernels [T, in, out], biases
 * [T, 1, out], see tileParameters), outputs [T, n, out] for inputs [T, n, in]. Every op's gradient
 * reads only its inputs, so gradients of gradients are right.
 */
export function mlpForward<T extends tf.Tensor2D | tf.Tensor3D>(params: NamedTensors, x: T): T {
  let h: tf.Tensor = x;
  for (let layer = 0; params[kernelName(layer)] !== undefined; layer++) {
    h = tf.add(tf.matMul(h as tf.Tensor3D, params[kernelName(layer)] as tf.Tensor3D), params[biasName(layer)]);
    if (params[kernelName(layer + 1)] !== undefined) h = tf.relu(h);
  }
  return h as T;
}

/**
 * T copies of the parameters as one batch of models (kernels [T, in, out], biases [T, 1, out]),
 * so T tasks adapt their own copies in one pass of batched ops. Differentiable: the gradient with
 * respect to the originals is the sum over the copies.
 */
export function tileParameters(params: NamedTensors, copies: number): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(params)) {
    const shape = t.rank === 1 ? [copies, 1, t.shape[0]] : [copies, ...t.shape];
    out[name] = tf.broadcastTo(tf.reshape(t, [1, ...shape.slice(1)]), shape);
  }
  return out;
}
