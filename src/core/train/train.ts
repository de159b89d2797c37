// The meta-training loop shared by every method: draws seeded episodes, runs the method's training
// step, records learning curves, validates on held-out classes at intervals, and stops cleanly on
// request or when the loss diverges (keeping everything recorded so far).
import { augmentImages, isAugmenting, type AugmentOptions } from '../data/augment';
import type { Episode, SamplerSettings } from '../episodes/episode';
import { checkSampler, episodeAt, type ClassPool } from '../episodes/sampler';
import type { FewShotMethod } from '../methods/method';
import { evaluate } from './evaluate';
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

export interface CurvePoint {
  step: number;
  loss: number;
  accuracy: number;
  learningRate: number;
  /** Seconds since the loop started. */
  elapsed: number;
}

export interface ValidationPoint {
  step: number;
  summary: AccuracySummary;
}

export interface TrainingResult {
  curve: CurvePoint[];
  validation: ValidationPoint[];
  /** 'done', 'stopped' by request, or 'diverged' (non-finite loss). */
  status: 'done' | 'stopped' | 'diverged';
  /** Steps completed, counting from 0 (so a resumed run reports its total). */
  stepsDone: number;
  seconds: number;
  /** A message for the user when status is not 'done'. */
  message?: string;
}

export async function train(method: FewShotMethod, options: TrainingOptions): Promise<TrainingResult> {
  const batch = options.episodesPerStep ?? 1;
  const start = options.startStep ?? 0;
  checkSampler(options.trainPool, options.trainSettings);
  if (options.valPool && options.valSettings) checkSampler(options.valPool, options.valSettings);
  if (!Number.isInteger(options.steps) || options.steps < 0) {
    throw new Error(`The number of training steps must be a whole number, got ${options.steps}.`);
  }
  const curve: CurvePoint[] = [];
  const validation: ValidationPoint[] = [];
  const t0 = nowSeconds();
  let status: TrainingResult['status'] = 'done';
  let message: string | undefined;
  let step = start;
  for (; step < options.steps; step++) {
    if (options.shouldStop?.()) {
      status = 'stopped';
      message = `Stopped at step ${step} of ${options.steps}.`;
      break;
    }
    const episodes: Episode[] = [];
    for (let b = 0; b < batch; b++) {
      const index = step * batch + b;
      const episode = episodeAt(options.trainPool, options.trainSettings, options.seed, index);
      episodes.push(isAugmenting(options.augment) ? augmentEpisode(episode, options.augment, options.seed, index) : episode);
    }
    const metrics = await method.trainStep(episodes, step);
    if (!Number.isFinite(metrics.loss)) {
      status = 'diverged';
      message =
        `Training diverged at step ${step + 1}: the loss became ${metrics.loss}. ` +
        `Lower the learning rate (now ${metrics.learningRate}) and train again; the curve up to here is kept.`;
      break;
    }
    const point: CurvePoint = { step: step + 1, ...metrics, elapsed: nowSeconds() - t0 };
    curve.push(point);
    await options.onStep?.(point);
    const valEvery = options.valEvery ?? 0;
    if (options.valPool && options.valSettings && valEvery > 0 && (step + 1) % valEvery === 0) {
      const result = await evaluate(method, options.valPool, options.valSettings, {
        episodes: options.valEpisodes ?? 100,
        seed: options.valSeed ?? 7,
        shouldStop: options.shouldStop,
      });
      const v = { step: step + 1, summary: result.summary };
      validation.push(v);
      await options.onValidation?.(v);
    }
  }
  return { curve, validation, status, stepsDone: step, seconds: nowSeconds() - t0, message };
}

/** Augments support and query images with a stream that depends only on (seed, episode index). */
function augmentEpisode(episode: Episode, augment: AugmentOptions, seed: number, index: number): Episode {
  const rng = new Rng(seed).derive(`augment:${index}`);
  return { ...episode, support: augmentImages(episode.support, augment, rng), query: augmentImages(episode.query, augment, rng) };
}

function nowSeconds(): number {
  return performance.now() / 1000;
}
