// The training loop every task family shares (image episodes in train.ts, regression tasks in
// regression/trainRegression.ts): run steps on seeded batches, record the curve, validate at
// intervals, stop on request, and stop on divergence (the health check's rules, health.ts) with
// advice and the last good parameters (divergence.ts).
import { DivergenceGuard, divergenceMessage, type StatefulMethod } from './divergence';
import { betterOf, lossProblem, validationProblem, type HealthBaseline, type MetricSummary } from './health';
import type { DivergenceAdvice } from '../methods/divergenceAdvice';
import type { SettingProblem } from '../settingProblems';
import { eventLoopYielder } from './yieldToEventLoop';

export interface LoopMetrics {
  loss: number;
  learningRate: number;
}

export type LoopPoint<M extends LoopMetrics> = M & { step: number; elapsed: number };

export interface LoopOptions<Batch, M extends LoopMetrics, V> {
  method: StatefulMethod;
  steps: number;
  /** First step to run (to resume). */
  startStep?: number;
  batchAt(step: number): Batch;
  trainStep(batch: Batch, step: number): Promise<M>;
  /** What to change when training diverges at (1-based) `step` (names the learning rates involved). */
  divergenceAdvice(metrics: M, step: number): DivergenceAdvice;
  /** What doing nothing scores in this family: the health check's reference (health.ts). */
  baseline: HealthBaseline;
  /** Validates after step `step` (1-based) when due; null when not due. */
  validateAfter?(step: number): Promise<V | null>;
  /** A validation's mean and 95% interval, which the health check judges against `baseline.metric`. */
  validationSummary?(v: V): MetricSummary;
  onStep?: (point: LoopPoint<M>) => void | Promise<void>;
  onValidation?: (point: V) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export interface LoopResult<M extends LoopMetrics, V> {
  curve: LoopPoint<M>[];
  validation: V[];
  /** 'done', 'stopped' by request, or 'diverged' (the health check failed: health.ts). */
  status: 'done' | 'stopped' | 'diverged';
  /** Steps completed, counting from 0 (so a resumed run reports its total); a diverged run's last is the diverged step. */
  stepsDone: number;
  seconds: number;
  /** A message for the user when status is not 'done'. */
  message?: string;
  /** When diverged: the message as a problem naming the setting to change. */
  problem?: SettingProblem;
}

export async function runTrainingLoop<Batch, M extends LoopMetrics, V>(options: LoopOptions<Batch, M, V>): Promise<LoopResult<M, V>> {
  if (!Number.isInteger(options.steps) || options.steps < 0) {
    throw new Error(`The number of training steps must be a whole number, got ${options.steps}.`);
  }
  const curve: LoopPoint<M>[] = [];
  const validation: V[] = [];
  const guard = new DivergenceGuard(options.method);
  const yieldNow = eventLoopYielder();
  const t0 = nowSeconds();
  let status: LoopResult<M, V>['status'] = 'done';
  let message: string | undefined;
  let problem: SettingProblem | undefined;
  let done = options.startStep ?? 0;
  let best: MetricSummary | null = null;
  // Ends the run as diverged at (1-based) `step`, the last point of the curve, so that the message,
  // the curve and the step count the page shows name the same step.
  const diverge = (step: number, reason: string, metrics: M, restoredAfter: number | null) => {
    status = 'diverged';
    const advice = options.divergenceAdvice(metrics, step);
    message = divergenceMessage(step, reason, advice.text, restoredAfter);
    problem = { code: 'diverged', field: `hyper.${advice.setting}`, message };
  };
  try {
    for (let step = done; step < options.steps; step++) {
      if (options.shouldStop?.()) {
        status = 'stopped';
        message = `Stopped at step ${step} of ${options.steps}.`;
        break;
      }
      const batch = options.batchAt(step);
      guard.beforeStep(step);
      const metrics = await options.trainStep(batch, step);
      const point = { ...metrics, step: step + 1, elapsed: nowSeconds() - t0 };
      curve.push(point);
      done = step + 1;
      // A diverged step stays on the curve (its loss is what the message names); the parameters are
      // restored before anyone looks at them (the worker may checkpoint in onStep).
      const reason = lossProblem(metrics.loss, options.baseline);
      const restoredAfter = reason === null ? null : await guard.restoreForLoss();
      await options.onStep?.(point);
      if (reason !== null) {
        diverge(step + 1, reason, metrics, restoredAfter);
        break;
      }
      await yieldNow(); // lets stop / pause requests and signals in
      const v = await options.validateAfter?.(step + 1);
      if (v === null || v === undefined) continue;
      validation.push(v);
      await options.onValidation?.(v);
      const summary = options.validationSummary?.(v);
      const metric = options.baseline.metric;
      // A validation cut short by a stop request covers too few tasks (maybe none) to judge.
      if (!summary || !metric || options.shouldStop?.()) continue;
      const collapse = validationProblem(summary, best, metric);
      if (collapse !== null) {
        diverge(step + 1, collapse, metrics, await guard.restoreForValidation());
        break;
      }
      best = betterOf(best, summary, metric);
      guard.validatedAfter(step + 1);
    }
  } finally {
    guard.dispose();
  }
  return { curve, validation, status, stepsDone: done, seconds: nowSeconds() - t0, message, problem };
}

function nowSeconds(): number {
  return performance.now() / 1000;
}
