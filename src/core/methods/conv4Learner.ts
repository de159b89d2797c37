// The learner that MAML and the LSTM meta-learner adapt: Conv-4 plus a linear head, held in one
// NamedTensors map. Shared pieces: its logits, the support set's batch-norm statistics (the
// non-transductive way to normalise queries), and the class probabilities of adapted parameters.
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../episodes/episode';
import { conv4Forward, type RunningStats } from '../nn/conv4';
import type { NamedTensors } from '../nn/params';
import { imagesTensor, softmaxProbabilities } from './common';

export const HEAD_KERNEL = 'head/kernel';
export const HEAD_BIAS = 'head/bias';

/** The linear head on Conv-4 embeddings. */
export function logitsOf(params: NamedTensors, embeddings: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(embeddings, params[HEAD_KERNEL] as tf.Tensor2D), params[HEAD_BIAS]) as tf.Tensor2D;
}

/** Each block's batch mean and variance of the support images under `params`. */
export function supportStatistics(params: NamedTensors, support: tf.Tensor4D): RunningStats {
  const stats: RunningStats = {};
  conv4Forward(params, support, {
    batchNorm: 'batch',
    collectBatchStats: (block, mean, variance) => {
      stats[`${block}/mean`] = mean;
      stats[`${block}/variance`] = variance;
    },
  });
  return stats;
}

/** Logits of images normalised with `stats`, or with their own batch statistics when null. */
export function predictLogits(params: NamedTensors, images: tf.Tensor4D, stats: RunningStats | null): tf.Tensor2D {
  const embeddings = stats
    ? conv4Forward(params, images, { batchNorm: 'running', running: stats })
    : conv4Forward(params, images, { batchNorm: 'batch' });
  return logitsOf(params, embeddings);
}

/**
 * Class probabilities of `images` under the learner `params`, the queries normalised with the
 * support set's batch statistics ('support', non-transductive) or their own ('batch', transductive).
 */
export async function learnerProbabilities(
  params: NamedTensors,
  images: LabeledImages,
  support: tf.Tensor4D,
  normalisation: 'support' | 'batch',
): Promise<Float32Array> {
  const probabilities = tf.tidy(() => {
    const stats = normalisation === 'support' ? supportStatistics(params, support) : null;
    return softmaxProbabilities(predictLogits(params, imagesTensor(images), stats));
  });
  const data = (await probabilities.data()) as Float32Array;
  probabilities.dispose();
  return data;
}
