// Cost of one MAML meta-step (time and peak tensor memory), for `npm run bench`: second order
// keeps every inner step's graph on the gradient tape, so its memory grows with the inner steps;
// first order does not. Runs on synthetic episodes (seeded noise images), on whatever tfjs
// backend is active.
import { noiseEpisode } from '../episodes/noiseEpisode';
import type { Conv4Config } from '../nn/conv4';
import { Rng } from '../rng';
import { Maml } from './maml';
import { measureMethod } from './methodBench';
import { MAML_DEFAULTS } from './catalog';

export interface MamlBenchOptions {
  secondOrder: boolean;
  innerSteps: number;
  /** Default: Conv-4 with 64 filters on 28x28x1 (Omniglot's setting). */
  backbone?: Conv4Config;
  /** Episode shape (default 5-way 1-shot, 15 queries per class, as in the paper). */
  way?: number;
  shot?: number;
  query?: number;
  /** Tasks per meta-step (default 1: the cost of one task; a meta-batch costs about that times B). */
  metaBatch?: number;
  /** Timed steps after one warm-up step (default 3). */
  repeats?: number;
  seed?: number;
}

export interface MamlBenchResult {
  secondOrder: boolean;
  innerSteps: number;
  metaBatch: number;
  /** Median wall time of a meta-step over the timed repeats. */
  msPerMetaStep: number;
  /** tf.profile's peakBytes: the most tensor memory alive at once during one step. */
  peakBytes: number;
  /** peakBytes minus what was alive before the step (parameters, optimiser state). */
  stepPeakBytes: number;
  /** Tensors alive after the steps minus before (0 when nothing leaks). */
  tensorsLeaked: number;
}

/** Times MAML meta-steps and measures their peak tensor memory on the active backend. */
export async function measureMamlStep(options: MamlBenchOptions): Promise<MamlBenchResult> {
  const backbone = options.backbone ?? { inputShape: [28, 28, 1], filters: 64, blocks: 4 };
  const { way = 5, shot = 1, query = 15, metaBatch = 1, repeats = 3, seed = 1 } = options;
  const rng = new Rng(seed).derive('maml-bench');
  const episodes = Array.from({ length: metaBatch }, () => noiseEpisode(way, shot, query, backbone.inputShape, rng));
  const method = new Maml({
    ...MAML_DEFAULTS,
    backbone,
    seed,
    secondOrder: options.secondOrder,
    innerSteps: options.innerSteps,
    // A small step keeps the synthetic problem finite whatever the number of steps.
    innerLearningRate: 0.01,
  });
  try {
    const cost = await measureMethod(method, episodes, { repeats, adaptations: 0 });
    return {
      secondOrder: options.secondOrder,
      innerSteps: options.innerSteps,
      metaBatch,
      msPerMetaStep: cost.msPerStep,
      peakBytes: cost.peakBytes,
      stepPeakBytes: cost.stepPeakBytes,
      tensorsLeaked: cost.tensorsLeaked,
    };
  } finally {
    method.dispose();
  }
}
