// Adam (Kingma & Ba 2015) over a NamedTensors map, written out so that the learning rate can follow
// a schedule and the state can be saved and restored with the rest of a method's tensors. The
// update is functional: it returns new parameter tensors and disposes the old ones.
import * as tf from '@tensorflow/tfjs';
import type { NamedTensors } from './params';

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

  /** Optimizer state as named tensors (for checkpoints). */
  state(): NamedTensors {
    const out: NamedTensors = {};
    for (const [name, t] of Object.entries(this.m)) out[`m/${name}`] = t;
    for (const [name, t] of Object.entries(this.v)) out[`v/${name}`] = t;
    return out;
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
    this.m = {};
    this.v = {};
  }
}

/** Step decay: the rate is multiplied by `factor` every `every` steps (ProtoNet halves every 2000). */
export function stepDecay(base: number, step: number, every: number, factor: number): number {
  if (!(every > 0)) return base;
  return base * factor ** Math.floor(step / every);
}
