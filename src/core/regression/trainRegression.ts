// Meta-training on sine-wave tasks through the shared loop (train/loop.ts): seeded batches of
// tasks, the curve of the post-adaptation query MSE, validation MSE at intervals on tasks of
// another seed, and divergence handled as for images.
import { formatLevel, type HealthBaseline } from '../train/health';
import { runTrainingLoop, type LoopPoint, type LoopResult } from '../train/loop';
import type { AccuracySummary } from '../train/stats';
import { evaluateRegression } from './evaluateRegression';
import type { RegressionMethod, RegressionStepMetrics } from './regressionMethod';
import { checkRegressionSettings, meanSquareOfTargets, sinusoidTaskAt, type RegressionSettings, type RegressionTask } from './sinusoid';

export interface RegressionTrainingOptions {
  settings: RegressionSettings;
  steps: number;
  /** Tasks per step (the meta-batch). */
  tasksPerStep: number;
  seed: number;
  /** Validate every this many steps (0: never) on `valTasks` tasks of `valSeed`, after `valSteps` adaptation steps. */
  valEvery?: number;
  valTasks?: number;
  valSeed?: number;
  valSteps?: number;
  startStep?: number;
  onStep?: (point: RegressionCurvePoint) => void | Promise<void>;
  onValidation?: (point: RegressionValidationPoint) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export type RegressionCurvePoint = LoopPoint<RegressionStepMetrics>;

export interface RegressionValidationPoint {
  step: number;
  /** Adaptation steps the validation MSE is measured after. */
  adaptationSteps: number;
  mse: AccuracySummary;
}

export type RegressionTrainingResult = LoopResult<RegressionStepMetrics, RegressionValidationPoint>;

/** Predicting 0 everywhere: its MSE is the targets' mean square, in training and in validation. */
const REGRESSION_BASELINE: HealthBaseline = {
  loss: meanSquareOfTargets(),
  lossWords: 'predicting 0 everywhere',
  metric: { name: 'validation MSE', lowerIsBetter: true, doNothing: meanSquareOfTargets(), doNothingWords: 'predicting 0 everywhere', format: formatLevel },
};

export function trainRegression(method: RegressionMethod, options: RegressionTrainingOptions): Promise<RegressionTrainingResult> {
  checkRegressionSettings(options.settings);
  const batch = options.tasksPerStep;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`Tasks per step must be a whole number of at least 1, got ${batch}.`);
  const valEvery = options.valEvery ?? 0;
  const valSteps = options.valSteps ?? 1;
  return runTrainingLoop<RegressionTask[], RegressionStepMetrics, RegressionValidationPoint>({
    method,
    steps: options.steps,
    startStep: options.startStep,
    batchAt: (step) => Array.from({ length: batch }, (_, b) => sinusoidTaskAt(options.settings, options.seed, step * batch + b)),
    trainStep: (tasks, step) => method.trainStep(tasks, step),
    divergenceAdvice: (_metrics, step) => method.divergenceAdvice(step),
    baseline: REGRESSION_BASELINE,
    validationSummary: (v) => v.mse,
    validateAfter: async (step) => {
      if (valEvery <= 0 || step % valEvery !== 0) return null;
      const result = await evaluateRegression(method, options.settings, {
        tasks: options.valTasks ?? 100,
        seed: options.valSeed ?? 7,
        steps: [valSteps],
        shouldStop: options.shouldStop,
      });
      return { step, adaptationSteps: valSteps, mse: result.mse[0].summary };
    },
    onStep: options.onStep,
    onValidation: options.onValidation,
    shouldStop: options.shouldStop,
  });
}
