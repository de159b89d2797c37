// Small pieces every method shares: images to tensors, a numerically stable softmax
// cross-entropy built from ops with correct higher-order gradients, and probabilities.
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../episodes/episode';

/** [count, H, W, C] float tensor of a LabeledImages buffer. */
export function imagesTensor(set: LabeledImages): tf.Tensor4D {
  return tf.tensor4d(set.images, [set.count, ...set.imageShape]);
}

/**
 * Mean softmax cross-entropy of logits [n, classes] against integer labels. Uses
 * logits - logSumExp(logits), where logSumExp = max + log(sum(exp(x - max))), with the max held
 * constant (constantOf): tf.losses.softmaxCrossEntropy's kernels read their saved outputs in the gradient,
 * which breaks second derivatives (TFJS-NOTES.md).
 */
export function meanCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = logSoftmax(logits);
    const oneHot = tf.oneHot(labels, classes).toFloat();
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbs), 1))) as tf.Scalar;
  });
}

/**
 * The value of x with a zero gradient. The shift in logSoftmax does not change its value, so its
 * gradient contributions cancel; cutting them avoids differentiating max (whose gradient uses
 * Equal, which has no gradient of its own in tfjs).
 */
export const constantOf = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** log softmax along the last axis, stable. */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const shift = constantOf(tf.max(logits, 1, true));
    const shifted = tf.sub(logits, shift);
    return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))) as tf.Tensor2D;
  });
}

/** Row-wise softmax probabilities. */
export function softmaxProbabilities(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.exp(logSoftmax(logits)));
}
