// Evaluation with the field's protocol: mean query accuracy and 95% confidence interval over M
// test episodes (default 600) drawn from held-out classes. Episode i depends only on (seed, i), so
// every method evaluated with the same seed is compared on identical episodes.
import type { Episode, SamplerSettings } from '../episodes/episode';
import { checkSampler, episodeAt, type ClassPool } from '../episodes/sampler';
import type { FewShotMethod, MethodLabels } from '../methods/method';
import { adaptFully } from '../methods/stepwise';
import { summarise, type AccuracySummary } from './stats';
import { eventLoopYielder } from './yieldToEventLoop';

export const DEFAULT_EVAL_EPISODES = 600;
export const DEFAULT_EVAL_SEED = 2017;

export interface EvaluationOptions {
  episodes?: number;
  /** The episode seed: equal seeds give equal episodes. */
  seed?: number;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export interface EvaluationResult {
  summary: AccuracySummary;
  /** Per-episode query accuracy, in episode order (for paired comparisons). */
  accuracies: number[];
  settings: SamplerSettings;
  /** Which classes were used ("test", "val"), and how many. */
  split: string;
  splitClasses: number;
  seed: number;
  labels: MethodLabels;
  /** True when stopped before all episodes ran; the summary covers the episodes that did. */
  stoppedEarly: boolean;
}

/** Accuracy of one predicted probability matrix [count, way] against labels. */
export function accuracyOf(probabilities: Float32Array, labels: Int32Array, way: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < way; c++) if (probabilities[i * way + c] > probabilities[i * way + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits / labels.length;
}

export async function evaluate(
  method: FewShotMethod,
  pool: ClassPool,
  settings: SamplerSettings,
  options: EvaluationOptions = {},
): Promise<EvaluationResult> {
  return evaluateEpisodes(pool, settings, method.labels(), options, async (episode) => {
    const predictor = await adaptFully(await method.startAdaptation(episode.support, episode.way));
    try {
      return accuracyOf(await predictor.predict(episode.query), episode.query.labels, episode.way);
    } finally {
      predictor.dispose();
    }
  });
}

/**
 * The protocol around any way of scoring an episode: checks, the seeded episodes in order, stop
 * requests, progress, and the summary. `score` gives one episode's query accuracy.
 */
export async function evaluateEpisodes(
  pool: ClassPool,
  settings: SamplerSettings,
  labels: MethodLabels,
  options: EvaluationOptions,
  score: (episode: Episode) => Promise<number>,
): Promise<EvaluationResult> {
  const episodes = options.episodes ?? DEFAULT_EVAL_EPISODES;
  const seed = options.seed ?? DEFAULT_EVAL_SEED;
  if (!Number.isInteger(episodes) || episodes < 1) {
    throw new Error(`The number of test episodes must be a whole number of at least 1, got ${episodes}.`);
  }
  checkSampler(pool, settings);
  const accuracies: number[] = [];
  let stoppedEarly = false;
  const yieldNow = eventLoopYielder();
  for (let i = 0; i < episodes; i++) {
    if (options.shouldStop?.()) {
      stoppedEarly = true;
      break;
    }
    accuracies.push(await score(episodeAt(pool, settings, seed, i)));
    await options.onProgress?.(i + 1, episodes);
    await yieldNow();
  }
  return {
    summary: summarise(accuracies),
    accuracies,
    settings: { ...settings },
    split: pool.name,
    splitClasses: pool.classIndices.length,
    seed,
    labels,
    stoppedEarly,
  };
}
