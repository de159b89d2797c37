// Evaluation on the sine-wave family as in the MAML paper: mean squared error on each test task's
// query points after adapting on its K support points for 1, 10, ... steps, averaged over M test
// tasks with a 95% confidence interval. Task i depends only on (seed, i), so methods evaluated
// with the same seed are compared on identical tasks (paired differences).
import type { MethodLabels } from '../methods/method';
import { summarise, type AccuracySummary } from '../train/stats';
import { outputsAfterSteps, type RegressionMethod } from './regressionMethod';
import { checkRegressionSettings, sinusoidTaskAt, type RegressionSettings } from './sinusoid';
import { eventLoopYielder } from '../train/yieldToEventLoop';

export const DEFAULT_REGRESSION_EVAL_STEPS: readonly number[] = [1, 10];

export interface RegressionEvaluationOptions {
  tasks?: number;
  seed?: number;
  /** Adaptation step counts to report (default 1 and 10). */
  steps?: readonly number[];
  onProgress?: (done: number, total: number) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export interface RegressionEvaluationResult {
  /** Per adaptation step count: mean MSE and its 95% interval (mean/ci95 in squared output units). */
  mse: Array<{ steps: number; summary: AccuracySummary; perTask: number[] }>;
  settings: RegressionSettings;
  seed: number;
  labels: MethodLabels;
  stoppedEarly: boolean;
}

function meanSquared(predicted: Float32Array, target: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < target.length; i++) sum += (predicted[i] - target[i]) ** 2;
  return sum / target.length;
}

export async function evaluateRegression(
  method: RegressionMethod,
  settings: RegressionSettings,
  options: RegressionEvaluationOptions = {},
): Promise<RegressionEvaluationResult> {
  checkRegressionSettings(settings);
  const tasks = options.tasks ?? 600;
  const seed = options.seed ?? 2017;
  const steps = options.steps ?? DEFAULT_REGRESSION_EVAL_STEPS;
  if (!Number.isInteger(tasks) || tasks < 1) throw new Error(`The number of test tasks must be a whole number of at least 1, got ${tasks}.`);
  const perTask = steps.map(() => [] as number[]);
  let stoppedEarly = false;
  const yieldNow = eventLoopYielder();
  for (let i = 0; i < tasks; i++) {
    if (options.shouldStop?.()) {
      stoppedEarly = true;
      break;
    }
    const task = sinusoidTaskAt(settings, seed, i);
    const outputs = await outputsAfterSteps(method, task.support, task.query.x, steps);
    outputs.forEach((out, k) => perTask[k].push(meanSquared(out, task.query.y)));
    await options.onProgress?.(i + 1, tasks);
    await yieldNow();
  }
  return {
    mse: steps.map((s, k) => ({ steps: s, summary: summarise(perTask[k]), perTask: perTask[k] })),
    settings: { ...settings },
    seed,
    labels: method.labels(),
    stoppedEarly,
  };
}
