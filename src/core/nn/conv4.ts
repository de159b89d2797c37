// The Conv-4 backbone of the few-shot literature: 4 x [conv 3x3 with `filters` channels, batch
// norm, ReLU, 2x2 max-pool], flattened to an embedding. Parameters live in a NamedTensors map and
// the forward pass is a pure function of (params, images), so meta-learners can run it with
// adapted weights. Batch norm + ReLU + max-pool run as one fused op where fast kernels are
// registered (wasm, cpu), else as plain ops (see batchNorm below for why plain ops).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { heNormal, type NamedTensors } from './params';
import { batchNormReluPool, type BatchNormStatistics } from './kernels/batch-norm-relu-pool';

export interface Conv4Config {
  /** Input image height, width and channels. */
  inputShape: [number, number, number];
  /** Channels of every conv layer (64 in ProtoNet and MAML on Omniglot, 32 in Meta-LSTM). */
  filters: number;
  /** Number of conv blocks (4 for Conv-4). */
  blocks: number;
}

export const defaultConv4: Omit<Conv4Config, 'inputShape'> = { filters: 64, blocks: 4 };

/**
 * How batch norm normalises:
 * - 'batch': with the statistics of the batch being processed (training; and MAML's transductive
 *   test mode, where the test batch's own statistics are used);
 * - 'running': with running averages collected during training (non-transductive: each query is
 *   normalised independently of the other queries).
 */
export type BatchNormMode = 'batch' | 'running';

/** Running statistics per block: `${block}/mean` and `${block}/variance`. */
export type RunningStats = NamedTensors;

export interface Conv4ForwardOptions {
  batchNorm: BatchNormMode;
  /** Required when batchNorm is 'running'. */
  running?: RunningStats;
  /**
   * When given (and batchNorm is 'batch'), receives each block's batch mean and variance, so the
   * caller can update running averages outside any gradient computation.
   */
  collectBatchStats?: (block: string, mean: tf.Tensor, variance: tf.Tensor) => void;
}

export const BN_EPSILON = 1e-5;

export function blockName(i: number): string {
  return `block${i}`;
}

/** Spatial size after `blocks` 2x2 max-pools with 'valid' padding (28 -> 14 -> 7 -> 3 -> 1). */
export function conv4OutputSide(side: number, blocks: number): number {
  let s = side;
  for (let i = 0; i < blocks; i++) s = Math.floor(s / 2);
  return s;
}

/** Length of the flattened embedding. */
export function conv4EmbeddingSize(config: Conv4Config): number {
  const [h, w] = config.inputShape;
  const oh = conv4OutputSide(h, config.blocks);
  const ow = conv4OutputSide(w, config.blocks);
  if (oh < 1 || ow < 1) {
    throw new Error(
      `Images of ${h}x${w} are too small for ${config.blocks} pooling blocks; use at least ${2 ** config.blocks} pixels per side.`,
    );
  }
  return oh * ow * config.filters;
}

/** Fresh parameters (seeded): conv kernels He-normal, batch-norm gamma 1 and beta 0. */
export function initConv4(config: Conv4Config, rng: Rng): NamedTensors {
  conv4EmbeddingSize(config); // validates the input size
  const params: NamedTensors = {};
  let inChannels = config.inputShape[2];
  const init = rng.derive('conv4-init');
  for (let i = 0; i < config.blocks; i++) {
    const b = blockName(i);
    params[`${b}/conv/kernel`] = heNormal([3, 3, inChannels, config.filters], 9 * inChannels, init);
    params[`${b}/bn/gamma`] = tf.ones([config.filters]);
    params[`${b}/bn/beta`] = tf.zeros([config.filters]);
    inChannels = config.filters;
  }
  return params;
}

/** Running statistics at their initial values (mean 0, variance 1). */
export function initRunningStats(config: Conv4Config): RunningStats {
  const stats: RunningStats = {};
  for (let i = 0; i < config.blocks; i++) {
    stats[`${blockName(i)}/mean`] = tf.zeros([config.filters]);
    stats[`${blockName(i)}/variance`] = tf.ones([config.filters]);
  }
  return stats;
}

/**
 * Batch norm from plain ops. `tf.batchNorm`'s gradient spends most of its time in a slow Tile on
 * wasm, and plain ops also have correct second derivatives (needed by second-order MAML).
 */
export function batchNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
): tf.Tensor4D {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta) as tf.Tensor4D;
}

/** Images [B, H, W, C] -> embeddings [B, D]. */
export function conv4Forward(
  params: NamedTensors,
  images: tf.Tensor4D,
  options: Conv4ForwardOptions,
): tf.Tensor2D {
  let x = images;
  for (let i = 0; ; i++) {
    const b = blockName(i);
    const kernel = params[`${b}/conv/kernel`] as tf.Tensor4D | undefined;
    if (!kernel) {
      if (i === 0) throw new Error('conv4Forward: params hold no "block0/conv/kernel".');
      break;
    }
    const conv = tf.conv2d(x, kernel, 1, 'same');
    let running: BatchNormStatistics | undefined;
    if (options.batchNorm === 'running') {
      if (!options.running) throw new Error("conv4Forward: batchNorm 'running' needs running statistics.");
      running = { mean: options.running[`${b}/mean`], variance: options.running[`${b}/variance`] };
    }
    // One fused op on wasm and cpu once registerFastKernels() has run (the same ops as
    // batchNorm + relu + maxPool otherwise); see kernels/batch-norm-relu-pool.ts.
    const block = batchNormReluPool(conv, params[`${b}/bn/gamma`], params[`${b}/bn/beta`], running, BN_EPSILON);
    if (!running) options.collectBatchStats?.(b, block.mean, block.variance);
    x = block.pooled;
  }
  return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
}
