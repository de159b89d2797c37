// Time to accuracy: trains a method on image episodes and validates it every `everySeconds` of
// training time on held-out classes with the field's protocol (600 seeded episodes by default),
// until the validation first reaches `target` or the training time runs out. The clock that
// counts is the training's own: validations are measurements, so their time is reported apart
// (wall time includes it). Methods that predict by independent embeddings are validated by
// embedding each image once (embeddingEvaluation.ts), the others episode by episode.
import type { AugmentOptions } from '../data/augment';
import type { SamplerSettings } from '../episodes/episode';
import type { ClassPool } from '../episodes/sampler';
import type { FewShotMethod } from '../methods/method';
import { evaluateByEmbeddings, evaluatesByEmbeddings } from './embeddingEvaluation';
import { DEFAULT_EVAL_EPISODES, DEFAULT_EVAL_SEED, evaluate } from './evaluate';
import type { AccuracySummary } from './stats';
import { train, type CurvePoint } from './train';

export interface TimeToAccuracyOptions {
  trainPool: ClassPool;
  trainSettings: SamplerSettings;
  episodesPerStep?: number;
  augment?: AugmentOptions;
  seed: number;
  valPool: ClassPool;
  valSettings: SamplerSettings;
  /** Episodes per validation (default 600) and their seed (default the evaluation's, 2017). */
  valEpisodes?: number;
  valSeed?: number;
  /** Validate after every this many seconds of training. */
  everySeconds: number;
  /** Stop after this many seconds of training (a last validation runs then). */
  budgetSeconds: number;
  /** Mean validation accuracy to reach, in [0, 1]. */
  target: number;
  /** Keep training after reaching the target, until the budget (default: stop there). */
  continueAfterTarget?: boolean;
  onStep?: (point: CurvePoint) => void;
  onValidation?: (point: TimedValidation) => void;
  shouldStop?: () => boolean;
  /** Seconds from some origin (performance.now by default): tests pass their own. */
  clock?: () => number;
}

export interface TimedValidation {
  /** Training steps done. */
  step: number;
  /** Seconds of training so far (validations excluded). */
  trainingSeconds: number;
  /** Seconds since the start, validations included (this one's too). */
  wallSeconds: number;
  /** Seconds this validation took. */
  validationSeconds: number;
  summary: AccuracySummary;
}

export interface TimeToAccuracyResult {
  validations: TimedValidation[];
  /** The first validation at or above the target, or null. */
  reached: TimedValidation | null;
  status: 'reached' | 'budget' | 'stopped' | 'diverged';
  /** The training loop's message when it did not end normally. */
  message?: string;
  steps: number;
}

/** Runs training with validations on the training clock; see the file comment. */
export async function timeToAccuracy(method: FewShotMethod, options: TimeToAccuracyOptions): Promise<TimeToAccuracyResult> {
  if (!(options.everySeconds > 0)) throw new Error(`Validate every a positive number of seconds, got ${options.everySeconds}.`);
  if (!(options.budgetSeconds > 0)) throw new Error(`The training budget must be a positive number of seconds, got ${options.budgetSeconds}.`);
  if (!(options.target > 0 && options.target <= 1)) throw new Error(`The target accuracy must be in (0, 1], got ${options.target}.`);
  const clock = options.clock ?? (() => performance.now() / 1000);
  const validations: TimedValidation[] = [];
  let reached: TimedValidation | null = null;
  const start = clock();
  let validating = 0;
  let nextAt = options.everySeconds;
  let outOfBudget = false;
  const trainingSeconds = () => clock() - start - validating;

  const validate = async (step: number) => {
    const t0 = clock();
    const valOptions = { episodes: options.valEpisodes ?? DEFAULT_EVAL_EPISODES, seed: options.valSeed ?? DEFAULT_EVAL_SEED };
    const result = evaluatesByEmbeddings(method)
      ? await evaluateByEmbeddings(method, options.valPool, options.valSettings, valOptions)
      : await evaluate(method, options.valPool, options.valSettings, valOptions);
    const seconds = clock() - t0;
    const trained = t0 - start - validating;
    validating += seconds;
    const point: TimedValidation = { step, trainingSeconds: trained, wallSeconds: clock() - start, validationSeconds: seconds, summary: result.summary };
    validations.push(point);
    if (reached === null && point.summary.mean >= options.target) reached = point;
    options.onValidation?.(point);
  };

  const training = await train(method, {
    trainPool: options.trainPool,
    trainSettings: options.trainSettings,
    // The budget ends the run, not a step count; the learning-rate schedule still counts steps.
    steps: Number.MAX_SAFE_INTEGER,
    episodesPerStep: options.episodesPerStep,
    augment: options.augment,
    seed: options.seed,
    onStep: async (point) => {
      options.onStep?.(point);
      const elapsed = trainingSeconds();
      if (elapsed >= options.budgetSeconds) outOfBudget = true;
      if (elapsed >= nextAt || outOfBudget) {
        await validate(point.step);
        while (nextAt <= elapsed) nextAt += options.everySeconds;
      }
    },
    shouldStop: () => outOfBudget || (reached !== null && !options.continueAfterTarget) || (options.shouldStop?.() ?? false),
  });
  const status = training.status === 'diverged' ? 'diverged' : reached !== null ? 'reached' : outOfBudget ? 'budget' : training.status === 'stopped' ? 'stopped' : 'budget';
  return { validations, reached, status, message: training.status === 'diverged' ? training.message : undefined, steps: training.stepsDone };
}
