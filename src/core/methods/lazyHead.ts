// The output layer of the learner MAML and the LSTM meta-learner adapt (conv4Learner.ts), made when
// the first episode arrives: its width is the episode's number of classes, which a method is not told
// at creation. Made from a seed, so runs replay exactly; loaded back at the width it was saved with.
import * as tf from '@tensorflow/tfjs';
import { conv4EmbeddingSize, type Conv4Config } from '../nn/conv4';
import { glorotUniform, type NamedTensors, type SavedTensors } from '../nn/params';
import { Rng } from '../rng';
import { HEAD_BIAS, HEAD_KERNEL } from './conv4Learner';

export class LazyHead {
  /**
   * @param tensors the method's map that holds the head beside the rest of its learner (read each
   *                time: a method may replace its map)
   * @param prefix  the head's key prefix in that map ('' or the learner's, e.g. "learner/")
   * @param model   the method's name for messages, e.g. "MAML"
   */
  constructor(
    private readonly map: () => NamedTensors,
    private readonly prefix: string,
    private readonly backbone: Conv4Config,
    private readonly seed: number,
    private readonly model: string,
  ) {}

  private get tensors(): NamedTensors {
    return this.map();
  }

  private get kernelKey(): string {
    return this.prefix + HEAD_KERNEL;
  }

  private get biasKey(): string {
    return this.prefix + HEAD_BIAS;
  }

  /** The number of classes the layer was made for, or null before the first episode. */
  get way(): number | null {
    return this.tensors[this.kernelKey]?.shape[1] ?? null;
  }

  /** Makes the layer for `way` classes if it is not there yet; refuses an episode of another width. */
  ensure(way: number): void {
    const current = this.way;
    if (current === null) {
      const features = conv4EmbeddingSize(this.backbone);
      this.tensors[this.kernelKey] = glorotUniform([features, way], features, way, new Rng(this.seed));
      this.tensors[this.biasKey] = tf.zeros([way]);
    } else if (current !== way) {
      throw new Error(
        `This ${this.model} model's output layer has ${current} classes, but the episode is ${way}-way. ` +
          `${this.model} learns an output layer for a fixed number of classes: train and test with the same number of ways.`,
      );
    }
  }

  /**
   * Runs `assign` (which loads `saved` into the method's map) with the layer present: when the
   * saved state has a head and this model has none yet, placeholders of the saved width are made
   * first, so the assignment checks every name and shape as usual; they go again if it fails.
   * `savedKernelKey` is the head kernel's name in `saved`.
   */
  loadWith(saved: SavedTensors, savedKernelKey: string, assign: () => void): void {
    const savedHead = saved[savedKernelKey];
    const made = savedHead !== undefined && this.way === null;
    if (made) {
      if (savedHead.shape.length !== 2) throw new Error(`Saved tensor "${savedKernelKey}" must be 2-D, got shape ${savedHead.shape.join('x')}.`);
      this.tensors[this.kernelKey] = tf.zeros([conv4EmbeddingSize(this.backbone), savedHead.shape[1]]);
      this.tensors[this.biasKey] = tf.zeros([savedHead.shape[1]]);
    }
    try {
      assign();
    } catch (error) {
      if (made) {
        tf.dispose([this.tensors[this.kernelKey], this.tensors[this.biasKey]]);
        delete this.tensors[this.kernelKey];
        delete this.tensors[this.biasKey];
      }
      throw error;
    }
  }
}
