// Sums named gradients over the tasks of a meta-batch (one task's graph in memory at a time), then
// hands back their mean, optionally clipped by global norm, once it has checked they are finite:
// a non-finite gradient must never reach the weights (the caller skips the update and the training
// loop stops with advice, keeping the last good parameters).
import * as tf from '@tensorflow/tfjs';
import { disposeTensors, type NamedTensors } from './params';

export class GradientSum {
  private sums: NamedTensors = {};
  private count = 0;

  /** Adds one task's gradients, taking ownership of them. */
  add(grads: NamedTensors): void {
    for (const [name, g] of Object.entries(grads)) {
      const previous = this.sums[name];
      if (previous) {
        this.sums[name] = tf.add(previous, g);
        tf.dispose([previous, g]);
      } else {
        this.sums[name] = g;
      }
    }
    this.count++;
  }

  /**
   * The mean gradient, scaled down to global norm `clip` when it is larger (0: no clipping), or
   * null when any entry is not finite. The caller owns the result.
   */
  async mean(clip = 0): Promise<NamedTensors | null> {
    if (this.count === 0) throw new Error('GradientSum.mean: no gradients were added.');
    const normTensor = tf.tidy(() => tf.sqrt(tf.addN(Object.values(this.sums).map((g) => tf.sum(tf.square(g))))));
    const norm = (await normTensor.data())[0] / this.count;
    normTensor.dispose();
    if (!Number.isFinite(norm)) return null;
    const scale = (clip > 0 && norm > clip ? clip / norm : 1) / this.count;
    return tf.tidy(() => {
      const out: NamedTensors = {};
      for (const [name, g] of Object.entries(this.sums)) out[name] = tf.mul(g, scale);
      return out;
    });
  }

  dispose(): void {
    disposeTensors(this.sums);
    this.sums = {};
    this.count = 0;
  }
}
