// Cost of one Meta-LSTM meta-step (time and peak tensor memory), for `npm run bench`. The
// meta-gradient keeps the meta-learner's per-coordinate state for each of the T updates (no
// learner activations), so memory grows with T by (2 * hidden + 9) floats per learner parameter.
// Runs on synthetic episodes (seeded noise images), on whatever tfjs backend is active.
import { noiseEpisode } from '../episodes/noiseEpisode';
import type { Conv4Config } from '../nn/conv4';
import { parameterCount } from '../nn/params';
import { Rng } from '../rng';
import { MetaLstm } from './metalstm';
import { measureMethod } from './methodBench';
import { METALSTM_DEFAULTS } from './catalog';

export interface MetaLstmBenchOptions {
  /** T, the meta-learner's updates on the support set. */
  updates: number;
  /** Default: the paper's Conv-4 with 32 filters, on 28x28x1. */
  backbone?: Conv4Config;
  /** Episode shape (default 5-way 1-shot, 15 queries per class). */
  way?: number;
  shot?: number;
  query?: number;
  /** Timed steps after one warm-up step (default 3). */
  repeats?: number;
  seed?: number;
}

export interface MetaLstmBenchResult {
  updates: number;
  /** Learner parameters, i.e. coordinates the meta-learner updates. */
  coordinates: number;
  /** Median wall time of a meta-step (one episode) over the timed repeats. */
  msPerMetaStep: number;
  /** Median wall time of adapting to a support set and predicting the queries (test time). */
  msPerAdaptation: number;
  /** tf.profile's peakBytes: the most tensor memory alive at once during one meta-step. */
  peakBytes: number;
  /** peakBytes minus what was alive before the step (weights, optimiser state). */
  stepPeakBytes: number;
  /** Tensors alive after the steps minus before (0 when nothing leaks). */
  tensorsLeaked: number;
}

/** Times Meta-LSTM meta-steps and test-time adaptations, and measures peak tensor memory. */
export async function measureMetaLstmStep(options: MetaLstmBenchOptions): Promise<MetaLstmBenchResult> {
  const backbone = options.backbone ?? { inputShape: [28, 28, 1], filters: 32, blocks: 4 };
  const { way = 5, shot = 1, query = 15, repeats = 3, seed = 1 } = options;
  const rng = new Rng(seed).derive('metalstm-bench');
  const episode = noiseEpisode(way, shot, query, backbone.inputShape, rng);
  const method = new MetaLstm({ ...METALSTM_DEFAULTS, backbone, seed, updates: options.updates });
  try {
    const cost = await measureMethod(method, [episode], { repeats });
    return {
      updates: options.updates,
      coordinates: parameterCount(method.learnerParameters()),
      msPerMetaStep: cost.msPerStep,
      msPerAdaptation: cost.msPerAdaptation,
      peakBytes: cost.peakBytes,
      stepPeakBytes: cost.stepPeakBytes,
      tensorsLeaked: cost.tensorsLeaked,
    };
  } finally {
    method.dispose();
  }
}
