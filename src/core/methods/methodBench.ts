// The cost of any method's training step and test-time adaptation (median wall time, peak tensor
// memory, leaked tensors), for `npm run bench`. Benchmarks run on seeded synthetic episodes: a
// step's cost does not depend on what the images show. Runs on whatever tfjs backend is active.
import * as tf from '@tensorflow/tfjs';
import type { Episode } from '../episodes/episode';
import type { FewShotMethod } from './method';
import { adaptFully } from './stepwise';

export interface MethodCost {
  /** Median wall time of a training step (the whole meta-batch) over the timed repeats. */
  msPerStep: number;
  /** Median wall time of adapting to one support set and predicting its queries. */
  msPerAdaptation: number;
  /** tf.profile's peakBytes: the most tensor memory alive at once during one training step. */
  peakBytes: number;
  /** peakBytes minus what was alive before the step (parameters, optimiser state). */
  stepPeakBytes: number;
  /** Tensors alive after the steps and adaptations minus before (0 when nothing leaks). */
  tensorsLeaked: number;
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times `repeats` training steps on `episodes` (after one warm-up step, which also creates any
 * lazily made state) and `adaptations` test-time adaptations to the first episode.
 */
export async function measureMethod(
  method: FewShotMethod,
  episodes: Episode[],
  options: { repeats?: number; adaptations?: number } = {},
): Promise<MethodCost> {
  const { repeats = 3, adaptations = repeats } = options;
  await method.trainStep(episodes, 0);
  const tensorsBefore = tf.memory().numTensors;
  const steps: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await method.trainStep(episodes, i + 1);
    steps.push(performance.now() - start);
  }
  const adapts: number[] = [];
  const episode = episodes[0];
  for (let i = 0; i < adaptations; i++) {
    const start = performance.now();
    const predictor = await adaptFully(await method.startAdaptation(episode.support, episode.way));
    await predictor.predict(episode.query);
    predictor.dispose();
    adapts.push(performance.now() - start);
  }
  const bytesBefore = tf.memory().numBytes;
  const profile = await tf.profile(async () => {
    await method.trainStep(episodes, repeats + 1);
  });
  return {
    msPerStep: median(steps),
    msPerAdaptation: adapts.length > 0 ? median(adapts) : Number.NaN,
    peakBytes: profile.peakBytes,
    stepPeakBytes: profile.peakBytes - bytesBefore,
    tensorsLeaked: tf.memory().numTensors - tensorsBefore,
  };
}
