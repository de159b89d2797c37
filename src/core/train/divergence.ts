// Keeping the parameters to go back to when a run diverges (the rules that decide it are in
// health.ts). A step's loss is measured at the parameters it starts from, so when step s reports a
// non-finite or blown-up loss, the parameters before it are already bad; the last good ones are
// those step s-1 started from (its loss was fine). A validation after step s measures the
// parameters step s left, so when it collapses, the last good ones are those of the last healthy
// validation (or the run's start). The guard keeps device-side copies of the state before the last
// two steps and at the last healthy validation.
import * as tf from '@tensorflow/tfjs';
import { disposeTensors, saveTensors, type NamedTensors, type SavedTensors } from '../nn/params';

export interface StatefulMethod {
  stateTensors(): NamedTensors;
  loadState(saved: SavedTensors): void;
}

/** A copy of the state and the number of steps done when it was taken. */
interface Snapshot {
  tensors: NamedTensors;
  afterStep: number;
}

export class DivergenceGuard {
  /** State before the previous step and before the current one. */
  private snapshots: [Snapshot | null, Snapshot | null] = [null, null];
  /** State at the last healthy validation; until there is one, the state the run started from. */
  private validated: Snapshot | null = null;

  constructor(private readonly method: StatefulMethod) {}

  private copy(afterStep: number): Snapshot {
    const tensors: NamedTensors = {};
    for (const [name, t] of Object.entries(this.method.stateTensors())) tensors[name] = tf.clone(t);
    return { tensors, afterStep };
  }

  /** Call before each training step, with the number of steps done so far. */
  beforeStep(stepsDone: number): void {
    disposeTensors(this.snapshots[0]?.tensors);
    this.snapshots = [this.snapshots[1], this.copy(stepsDone)];
    this.validated ??= this.copy(stepsDone);
  }

  /** Call after a healthy validation of the state after (1-based) step `step`. */
  validatedAfter(step: number): void {
    disposeTensors(this.validated?.tensors);
    this.validated = this.copy(step);
  }

  /**
   * After an unhealthy loss at the current step: back to the state the previous step started from
   * (the current one's on a run's first step). Resolves with the steps done at that state, or null
   * when it cannot be loaded (see restore).
   */
  restoreForLoss(): Promise<number | null> {
    return this.restore(this.snapshots[0] ?? this.snapshots[1]);
  }

  /** After an unhealthy validation: back to the last healthy validation's state (or the start's). */
  restoreForValidation(): Promise<number | null> {
    return this.restore(this.validated);
  }

  /**
   * A copy from before the method created some of its state (MAML's and the Meta-LSTM's output
   * layer, made on the first episode) cannot be loaded back: then nothing is restored (null). Only
   * a divergence within the first step, or a collapse before any healthy validation, meets it.
   */
  private async restore(snapshot: Snapshot | null): Promise<number | null> {
    const names = Object.keys(this.method.stateTensors()).sort().join();
    if (!snapshot || Object.keys(snapshot.tensors).sort().join() !== names) return null;
    this.method.loadState(await saveTensors(snapshot.tensors));
    return snapshot.afterStep;
  }

  dispose(): void {
    for (const s of [...this.snapshots, this.validated]) disposeTensors(s?.tensors);
    this.snapshots = [null, null];
    this.validated = null;
  }
}

/**
 * The user-facing message of a run that diverged at (1-based) `step`, the step the curve ends at;
 * `restoredAfter` is the number of steps done at the parameters restored (null: none restored).
 */
export function divergenceMessage(step: number, reason: string, advice: string, restoredAfter: number | null): string {
  const restored =
    restoredAfter === null
      ? 'the parameters are as that step left them (the method made part of them in its first step, so no earlier copy holds them all)'
      : restoredAfter === 0
        ? 'the parameters are back to their initial values'
        : `the parameters are back to where they were after step ${restoredAfter}, the last known to be healthy`;
  return `Training diverged at step ${step}: ${reason}. ${advice} The curve up to here is kept and ${restored}.`;
}
