// The training loop every task family shares (image episodes in train.ts, regression tasks in
// regression/trainRegression.ts): run steps on seeded batches, record the curve, validate at
// intervals, stop on request, and stop on divergence with advice and the last good parameters.
import { DivergenceGuard, divergenceMessage, type StatefulMethod } from './divergence';
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
  /** What to change when the loss diverges (names the learning rates involved). */
  /** What to change when training diverges at (1-based) `step`. */
  divergenceAdvice(metrics: M, step: number): DivergenceAdvice;
  /** Validates after step `step` (1-based) when due; null when not due. */
  validateAfter?(step: number): Promise<V | null>;
  onStep?: (point: LoopPoint<M>) => void | Promise<void>;
  onValidation?: (point: V) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export interface LoopResult<M extends LoopMetrics, V> {
  curve: LoopPoint<M>[];
  validation: V[];
  /** 'done', 'stopped' by request, or 'diverged' (non-finite or exploded loss). */
  status: 'done' | 'stopped' | 'diverged';
  /** Steps completed, counting from 0 (so a resumed run reports its total). */
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
  let step = options.startStep ?? 0;
  try {
    for (; step < options.steps; step++) {
      if (options.shouldStop?.()) {
        status = 'stopped';
        message = `Stopped at step ${step} of ${options.steps}.`;
        break;
      }
      const batch = options.batchAt(step);
      guard.beforeStep();
      const metrics = await options.trainStep(batch, step);
      const reason = guard.check(metrics.loss);
      if (reason !== null) {
        await guard.restoreLastGood();
        status = 'diverged';
        const advice = options.divergenceAdvice(metrics, step + 1);
        message = divergenceMessage(step + 1, reason, advice.text);
        problem = { code: 'diverged', field: `hyper.${advice.setting}`, message };
        break;
      }
      const point = { ...metrics, step: step + 1, elapsed: nowSeconds() - t0 };
      curve.push(point);
      await options.onStep?.(point);
      await yieldNow(); // lets stop / pause requests and signals in
      const v = await options.validateAfter?.(step + 1);
      if (v !== null && v !== undefined) {
        validation.push(v);
        await options.onValidation?.(v);
      }
    }
  } finally {
    guard.dispose();
  }
  return { curve, validation, status, stepsDone: step, seconds: nowSeconds() - t0, message, problem };
}

function nowSeconds(): number {
  return performance.now() / 1000;
}
