// Meta-training on image episodes for every method: draws seeded episodes (augmented if asked),
// runs the method's training step and validates on held-out classes at intervals, through the
// shared loop (loop.ts: curves, stop on request, stop on divergence with the last good parameters).
import { augmentImages, isAugmenting, type AugmentOptions } from '../data/augment';
import type { Episode, SamplerSettings } from '../episodes/episode';
import { checkSampler, episodeAt, type ClassPool } from '../episodes/sampler';
import type { FewShotMethod, StepMetrics } from '../methods/method';
import { evaluate } from './evaluate';
import type { HealthBaseline } from './health';
import { runTrainingLoop, type LoopPoint, type LoopResult } from './loop';
import { Rng } from '../rng';
import type { AccuracySummary } from './stats';

export interface TrainingOptions {
  trainPool: ClassPool;
  /** Training episodes may use more ways than test episodes (ProtoNet trains 60-way). */
  trainSettings: SamplerSettings;
  steps: number;
  /** Episodes per step (the meta-batch); 1 for ProtoNet. */
  episodesPerStep?: number;
  /** Seed of the training episode sequence (and of augmentation). */
  seed: number;
  /** Augmentation of training episodes' images (none by default). */
  augment?: AugmentOptions;
  /** Validation: held-out classes, settings (usually the test settings), every how many steps. */
  valPool?: ClassPool;
  valSettings?: SamplerSettings;
  valEvery?: number;
  valEpisodes?: number;
  valSeed?: number;
  /** First step to run (to resume); the episode sequence continues where it left off. */
  startStep?: number;
  /** Called after every step; awaiting it pauses training (the worker's pause). */
  onStep?: (point: CurvePoint) => void | Promise<void>;
  onValidation?: (point: ValidationPoint) => void | Promise<void>;
  shouldStop?: () => boolean;
}

/** One step of the learning curve: loss, query accuracy and learning rate, seconds since the start. */
export type CurvePoint = LoopPoint<StepMetrics>;

export interface ValidationPoint {
  step: number;
  summary: AccuracySummary;
}

export type TrainingResult = LoopResult<StepMetrics, ValidationPoint>;

export async function train(method: FewShotMethod, options: TrainingOptions): Promise<TrainingResult> {
  const batch = options.episodesPerStep ?? 1;
  checkSampler(options.trainPool, options.trainSettings);
  if (options.valPool && options.valSettings) checkSampler(options.valPool, options.valSettings);
  const valEvery = options.valEvery ?? 0;
  return runTrainingLoop<Episode[], StepMetrics, ValidationPoint>({
    method,
    steps: options.steps,
    startStep: options.startStep,
    batchAt: (step) => {
      const episodes: Episode[] = [];
      for (let b = 0; b < batch; b++) {
        const index = step * batch + b;
        const episode = episodeAt(options.trainPool, options.trainSettings, options.seed, index);
        episodes.push(isAugmenting(options.augment) ? augmentEpisode(episode, options.augment, options.seed, index) : episode);
      }
      return episodes;
    },
    trainStep: (episodes, step) => method.trainStep(episodes, step),
    divergenceAdvice: (metrics, step) =>
      method.divergenceAdvice?.(step) ?? { text: `Lower the learning rate (now ${metrics.learningRate}) and train again.`, setting: 'learningRate' },
    baseline: classificationBaseline(options.trainSettings.way, options.valSettings?.way),
    validationSummary: (v) => v.summary,
    validateAfter: async (step) => {
      if (!options.valPool || !options.valSettings || valEvery <= 0 || step % valEvery !== 0) return null;
      const result = await evaluate(method, options.valPool, options.valSettings, {
        episodes: options.valEpisodes ?? 100,
        seed: options.valSeed ?? 7,
        shouldStop: options.shouldStop,
      });
      return { step, summary: result.summary };
    },
    onStep: options.onStep,
    onValidation: options.onValidation,
    shouldStop: options.shouldStop,
  });
}

/**
 * What guessing scores: a cross-entropy of log(way) on training episodes (a lower bound for
 * fine-tuning, whose loss is over every training class), accuracy 1/way on validation episodes.
 */
export function classificationBaseline(trainWay: number, valWay?: number): HealthBaseline {
  const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
  return {
    loss: Math.log(trainWay),
    lossWords: `guessing among ${trainWay} classes`,
    metric: valWay ? { name: 'validation accuracy', lowerIsBetter: false, doNothing: 1 / valWay, doNothingWords: 'chance', format: percent } : undefined,
  };
}

/** Augments support and query images with a stream that depends only on (seed, episode index). */
function augmentEpisode(episode: Episode, augment: AugmentOptions, seed: number, index: number): Episode {
  const rng = new Rng(seed).derive(`augment:${index}`);
  return { ...episode, support: augmentImages(episode.support, augment, rng), query: augmentImages(episode.query, augment, rng) };
}

