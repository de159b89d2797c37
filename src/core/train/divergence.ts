// Detecting a diverged run and keeping the last good parameters. A step's loss is measured at the
// parameters it starts from, so when step s reports a non-finite or exploded loss, the parameters
// before it are already bad; the last good ones are those step s-1 started from (its loss was
// fine). The guard keeps device-side copies of the state before the last two steps to restore them.
import * as tf from '@tensorflow/tfjs';
import { disposeTensors, saveTensors, type NamedTensors, type SavedTensors } from '../nn/params';

export interface StatefulMethod {
  stateTensors(): NamedTensors;
  loadState(saved: SavedTensors): void;
}

/** A loss this many times its early level (the median of the first healthy steps) has exploded. */
export const EXPLOSION_FACTOR = 1000;
const EARLY_STEPS = 10;

export class DivergenceGuard {
  private early: number[] = [];
  /** State before the previous step and before the current one. */
  private snapshots: [NamedTensors | null, NamedTensors | null] = [null, null];

  constructor(private readonly method: StatefulMethod) {}

  /** Call before each training step. */
  beforeStep(): void {
    disposeTensors(this.snapshots[0] ?? undefined);
    const copy: NamedTensors = {};
    for (const [name, t] of Object.entries(this.method.stateTensors())) copy[name] = tf.clone(t);
    this.snapshots = [this.snapshots[1], copy];
  }

  /** Why the loss shows divergence, or null when it is healthy ("became NaN", "jumped to ..."). */
  check(loss: number): string | null {
    if (!Number.isFinite(loss)) return `the loss became ${loss}`;
    if (this.early.length === EARLY_STEPS) {
      const level = [...this.early].sort((a, b) => a - b)[EARLY_STEPS >> 1];
      if (level > 0 && loss > EXPLOSION_FACTOR * level) {
        return `the loss jumped to ${loss.toPrecision(3)}, over ${EXPLOSION_FACTOR} times its early level of ${level.toPrecision(3)}`;
      }
    } else {
      this.early.push(loss);
    }
    return null;
  }

  /**
   * Restores the parameters of the last step whose loss was healthy. A snapshot from before the
   * method created some of its state (e.g. MAML's output layer, made on the first episode) cannot
   * be loaded back; that only happens on the first steps, where the methods themselves skip a
   * non-finite update.
   */
  async restoreLastGood(): Promise<void> {
    const names = Object.keys(this.method.stateTensors()).sort().join();
    const good = this.snapshots.find((s, i) => s !== null && (i === 0 || this.snapshots[0] === null) && Object.keys(s).sort().join() === names);
    if (good) this.method.loadState(await saveTensors(good));
  }

  dispose(): void {
    for (const s of this.snapshots) disposeTensors(s ?? undefined);
    this.snapshots = [null, null];
  }
}

/** The user-facing message of a run that diverged at (1-based) `step`. */
export function divergenceMessage(step: number, reason: string, advice: string): string {
  const restored = step <= 2 ? 'their initial values' : `where they were after step ${step - 2}, the last with a healthy loss`;
  return `Training diverged at step ${step}: ${reason}. ${advice} The curve up to here is kept and the parameters are back to ${restored}.`;
}
