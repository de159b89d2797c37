// Classifier heads on top of an embedding, for the fine-tuning baseline (Chen et al. 2019, "A
// Closer Look at Few-shot Classification"): a linear layer (their "Baseline") and a cosine-similarity
// layer ("Baseline++"), as tfjs ops: the pre-training head, the predictions of a test episode's
// head, and whole-network fine-tuning use them (headFitting.ts fits a new head on frozen features).
//
// A head is a NamedTensors map: "kernel" [features, classes] (one column per class) and, for the
// linear head only, "bias" [classes].
import * as tf from '@tensorflow/tfjs';
import type { NamedTensors } from '../nn/params';
import type { Rng } from '../rng';
import type { HeadKind } from './catalog';

export type { HeadKind } from './catalog';
export const HEAD_KINDS: readonly HeadKind[] = ['linear', 'cosine'];

export const KERNEL = 'kernel';
export const BIAS = 'bias';

/**
 * Added to a squared norm before the inverse square root: a feature vector of zeros (all ReLUs
 * off) then gets cosine 0 with every class and a finite gradient, instead of 0/0.
 */
const NORM_EPSILON = 1e-12;

/** A head as plain arrays: kernel [features x classes] row-major; bias [classes] (linear only). */
export interface HeadValues {
  kernel: Float32Array;
  bias?: Float32Array;
}

export interface HeadShape {
  kind: HeadKind;
  /** Cosine head only: logits are scale x cosine (see FINETUNE_DEFAULTS for the value). */
  scale: number;
}

/**
 * Fresh head values, seeded. Kernel entries are uniform in +-1/sqrt(features) (PyTorch's nn.Linear
 * default, which the paper's code uses for both heads); the linear head's bias starts at 0 (as the
 * paper's pre-training sets it). The cosine head has no bias (the paper's distLinear has none).
 */
export function initHeadValues(kind: HeadKind, features: number, classes: number, rng: Rng): HeadValues {
  const limit = 1 / Math.sqrt(features);
  const kernel = new Float32Array(features * classes);
  for (let i = 0; i < kernel.length; i++) kernel[i] = rng.uniform(-limit, limit);
  return kind === 'linear' ? { kernel, bias: new Float32Array(classes) } : { kernel };
}

/** A head's values as tensors ("kernel" [features, classes], "bias" [classes] if any). */
export function headTensors(values: HeadValues, classes: number): NamedTensors {
  const features = values.kernel.length / classes;
  const head: NamedTensors = { [KERNEL]: tf.tensor2d(values.kernel, [features, classes]) };
  if (values.bias) head[BIAS] = tf.tensor1d(values.bias);
  return head;
}

/** A fresh head as tensors (see initHeadValues). */
export function initHead(kind: HeadKind, features: number, classes: number, rng: Rng): NamedTensors {
  return headTensors(initHeadValues(kind, features, classes, rng), classes);
}

/** Rows (axis 1) or columns (axis 0) scaled to unit Euclidean length. */
export function l2Normalise(x: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), axis, true), NORM_EPSILON))) as tf.Tensor2D);
}

/** features [n, D] x kernel [D, classes] + bias. */
export function linearLogits(features: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(features, kernel), bias) as tf.Tensor2D);
}

/**
 * scale x cos(feature, class weight vector): features and kernel columns are L2-normalised, so
 * each logit is in [-scale, scale] and only directions matter (Baseline++).
 */
export function cosineLogits(features: tf.Tensor2D, kernel: tf.Tensor2D, scale: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.matMul(l2Normalise(features, 1), l2Normalise(kernel, 0)), scale) as tf.Tensor2D);
}

/** Logits [n, classes] of a head on features [n, D]. */
export function headLogits(shape: HeadShape, head: NamedTensors, features: tf.Tensor2D): tf.Tensor2D {
  const kernel = head[KERNEL] as tf.Tensor2D;
  if (shape.kind === 'cosine') return cosineLogits(features, kernel, shape.scale);
  return linearLogits(features, kernel, head[BIAS] as tf.Tensor1D);
}

/** Weight decay as an L2 penalty 0.5 x decay x |kernel|^2 (its gradient is decay x kernel, as in SGD's weight_decay). */
export function weightPenalty(head: NamedTensors, decay: number): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.sum(tf.square(head[KERNEL])), 0.5 * decay) as tf.Scalar);
}
