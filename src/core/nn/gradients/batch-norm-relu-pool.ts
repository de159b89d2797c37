// A cheaper differentiable gradient for the fused batch norm + ReLU + 2x2 max-pool kernel with
// the batch's statistics (nn/kernels/batch-norm-relu-pool.ts), used when the gradient itself is
// being recorded: second-order MAML's inner SGD step on the support set, which the meta-gradient
// differentiates again. Everywhere else (nothing records the gradient) the fused backward kernel
// runs as before: this wraps the kernel file's own gradient and hands such calls to it.
//
// The kernel file's recorded path differentiates the composite ops with tf.grads inside the
// gradient (recomputing the forward pass and every broadcast's reduction on the tape). Here the
// batch-norm backward is written in closed form from the same recomputed quantities, per channel
// with n = B * H * W, centred = x - mean, scale = gamma / sqrt(variance + epsilon):
//   g      = ReLU mask * (dPooled routed to each window's maximum)
//   dbeta  = sum g,   dgamma = sum(g * centred) / sqrt(variance + epsilon)
//   dx     = scale * g + (dMean - scale * sum g) / n
//            + centred * 2 / n * (dVariance - gamma / 2 * (variance + epsilon)^-3/2 * sum(g * centred))
// which is the same derivative (float32 rounding aside) from about half as many recorded ops, so
// its own gradient (the second-order terms) is cheaper too. Every quantity is recomputed from the
// saved inputs (never the saved outputs), so the chain stays intact (see exp.ts);
// tests/unit/secondOrder.test.ts checks the meta-gradient against finite differences and
// tests/unit/mamlBatchNormGradient.test.ts against the kernel file's recorded path.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_RELU_POOL_GRADIENTS, BN_RELU_POOL_BATCH, tapeIsRecording } from '../kernels/batch-norm-relu-pool';

/** d(sum of dPooled * pooled + dMean * mean + dVariance * variance) / d(x, gamma, beta), recorded. */
export function batchNormReluPoolVjp(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  dPooled: tf.Tensor | null,
  dMean: tf.Tensor | null,
  dVariance: tf.Tensor | null,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const n = x.size / x.shape[3];
  // The forward pass again, as batchNormReluPoolComposite computes it (same routing and mask).
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const centred = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const scale = tf.mul(gamma, rstd);
  const normed = tf.add(tf.mul(centred, scale), beta) as tf.Tensor4D;
  const activated = tf.relu(normed);
  let g: tf.Tensor;
  if (dPooled) {
    const pooled = tf.maxPool(activated, 2, 2, 'valid');
    const routed = tf.engine().runKernel(
      tf.MaxPoolGrad,
      { dy: dPooled, input: activated, output: pooled },
      { filterSize: 2, strides: 2, pad: 'valid' },
    ) as tf.Tensor;
    g = tf.mul(routed, tf.step(normed)); // ReLU's gradient, as tfjs forms it
  } else {
    g = tf.zerosLike(x);
  }
  const sumG = tf.sum(g, [0, 1, 2]);
  const sumGCentred = tf.sum(tf.mul(g, centred), [0, 1, 2]);
  let viaMean = tf.neg(tf.mul(scale, sumG));
  if (dMean) viaMean = tf.add(viaMean, tf.reshape(dMean, [-1]));
  let viaVariance = tf.mul(tf.mul(tf.mul(gamma, tf.mul(tf.mul(rstd, rstd), rstd)), sumGCentred), -0.5);
  if (dVariance) viaVariance = tf.add(viaVariance, tf.reshape(dVariance, [-1]));
  const dx = tf.add(tf.add(tf.mul(g, scale), tf.div(viaMean, n)), tf.mul(centred, tf.mul(viaVariance, 2 / n)));
  return [dx, tf.mul(sumGCentred, rstd), sumG];
}

const fused = BATCH_NORM_RELU_POOL_GRADIENTS.find((c) => c.kernelName === BN_RELU_POOL_BATCH)!;

export const batchNormReluPoolGradient: tf.GradConfig = {
  ...fused,
  gradFunc: (dys, saved, attrs) => {
    if (!tapeIsRecording()) return fused.gradFunc(dys, saved, attrs);
    const [dPooled, dMean, dVariance] = dys as Array<tf.Tensor | null>;
    const [x, gamma, beta] = saved;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const [dx, dGamma, dBeta] = batchNormReluPoolVjp(x as tf.Tensor4D, gamma, beta, epsilon, dPooled, dMean, dVariance);
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};
