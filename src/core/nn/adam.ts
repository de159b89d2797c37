// Adam (Kingma & Ba 2015) over a NamedTensors map, written out so that the learning rate can follow
// a schedule and its state (moments and step count) can be saved and restored in a checkpoint. The
// update is functional: it returns new parameter tensors and disposes the old ones.
import * as tf from '@tensorflow/tfjs';
import type { NamedTensors, SavedTensors } from './params';

export interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  private m: NamedTensors = {};
  private v: NamedTensors = {};
  /** Number of updates applied so far (for bias correction). */
  step = 0;
  /** The step count as the tensor `state()` last returned. */
  private stepTensor: { step: number; tensor: tf.Tensor } | null = null;

  constructor(readonly config: AdamConfig = DEFAULT_ADAM) {}

  /**
   * Applies one update in place on `params` (the map's entries are replaced by new tensors and
   * the previous ones disposed). Gradients are not disposed. Names without a gradient are left alone.
   */
  apply(params: NamedTensors, grads: NamedTensors, learningRate: number): void {
    this.step++;
    const { beta1, beta2, epsilon } = this.config;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    for (const name of Object.keys(grads)) {
      const g = grads[name];
      const p = params[name];
      if (!p) throw new Error(`Adam: gradient for unknown parameter "${name}".`);
      const [m, v, next] = tf.tidy(() => {
        const mPrev = this.m[name] ?? tf.zerosLike(p);
        const vPrev = this.v[name] ?? tf.zerosLike(p);
        const m1 = tf.add(tf.mul(mPrev, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(vPrev, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.div(m1, tf.add(tf.sqrt(v1), epsilon * Math.sqrt(correction2)));
        return [m1, v1, tf.sub(p, tf.mul(update, stepSize))];
      });
      this.m[name]?.dispose();
      this.v[name]?.dispose();
      this.m[name] = m;
      this.v[name] = v;
      p.dispose();
      params[name] = next;
    }
  }

  /**
   * The optimiser's state as named tensors (a checkpoint's training state): "m/<parameter>" and
   * "v/<parameter>" (the moments, for the parameters updated so far) and "step" (a scalar, the
   * update count the bias correction depends on). Adam keeps ownership.
   */
  state(): NamedTensors {
    const out: NamedTensors = {};
    for (const [name, t] of Object.entries(this.m)) out[`m/${name}`] = t;
    for (const [name, t] of Object.entries(this.v)) out[`v/${name}`] = t;
    // Held until the count changes, so that the caller need not dispose one tensor of the map.
    if (this.stepTensor?.step !== this.step) {
      this.stepTensor?.tensor.dispose();
      this.stepTensor = { step: this.step, tensor: tf.scalar(this.step) };
    }
    out.step = this.stepTensor.tensor;
    return out;
  }

  /**
   * Restores a state saved from `state()`, the moments belonging to `params` (the parameters this
   * optimiser updates). Names, shapes and the step count are checked before anything changes.
   */
  loadState(saved: SavedTensors, params: NamedTensors): void {
    const step = saved.step;
    if (!step || step.values.length !== 1 || !Number.isInteger(step.values[0]) || step.values[0] < 0) {
      throw new Error('Saved optimiser state has no valid "step" (a whole number >= 0).');
    }
    const moments = (kind: 'm' | 'v') =>
      Object.keys(saved)
        .filter((n) => n.startsWith(`${kind}/`))
        .map((n) => n.slice(kind.length + 1))
        .sort();
    const names = moments('m');
    if (names.join() !== moments('v').join()) throw new Error('Saved optimiser state has first and second moments for different parameters.');
    const unknown = Object.keys(saved).filter((n) => n !== 'step' && !n.startsWith('m/') && !n.startsWith('v/'));
    if (unknown.length > 0) throw new Error(`Saved optimiser state has unknown tensors: ${unknown.join(', ')}.`);
    for (const name of names) {
      const p = params[name];
      if (!p) throw new Error(`Saved optimiser state has moments for "${name}", which this model does not have.`);
      for (const kind of ['m', 'v'] as const) {
        const s = saved[`${kind}/${name}`];
        if (s.shape.join('x') !== p.shape.join('x') || s.values.length !== p.size) {
          throw new Error(`Saved optimiser moment "${kind}/${name}" has shape ${s.shape.join('x')}, expected ${p.shape.join('x')}.`);
        }
      }
    }
    this.dispose();
    for (const name of names) {
      this.m[name] = tf.tensor(saved[`m/${name}`].values, saved[`m/${name}`].shape, 'float32');
      this.v[name] = tf.tensor(saved[`v/${name}`].values, saved[`v/${name}`].shape, 'float32');
    }
    this.step = step.values[0];
  }

  /** Frees its tensors. */
  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
    this.m = {};
    this.v = {};
    this.stepTensor?.tensor.dispose();
    this.stepTensor = null;
  }
}

/** Step decay: the rate is multiplied by `factor` every `every` steps (ProtoNet halves every 2000). */
export function stepDecay(base: number, step: number, every: number, factor: number): number {
  if (!(every > 0)) return base;
  return base * factor ** Math.floor(step / every);
}
