// The one interface every few-shot method implements, so that training, evaluation, the worker
// and the UI never branch on which method runs. A method meta-trains on batches of episodes,
// adapts to a support set in observable steps (stepwise.ts), and saves/loads its learnable state
// (and, for checkpoints, its training state) as named tensors.
import type { Episode, LabeledImages } from '../episodes/episode';
import type { Conv4Config } from '../nn/conv4';
import type { NamedTensors, SavedTensors } from '../nn/params';
import type { Hyperparameters, MethodInfo } from './catalog';
import type { DivergenceAdvice } from './divergenceAdvice';
import type { Adaptation } from './stepwise';

export type { Adaptation, Predictor } from './stepwise';

/** What one training step reports (averaged over the batch of episodes). */
export interface StepMetrics {
  loss: number;
  /** Query accuracy in [0, 1] on the training episodes. */
  accuracy: number;
  /** Learning rate used for this step. */
  learningRate: number;
}

/** Extra facts a method reports with its results (e.g. which batch-norm statistics were used). */
export interface MethodLabels {
  /**
   * Which statistics normalise the queries at test time:
   * - 'running': averages collected during training (non-transductive);
   * - 'support': the episode's support set (non-transductive: labelled data only);
   * - 'batch': the query batch itself (transductive: queries influence each other).
   */
  batchNormAtTest?: 'running' | 'support' | 'batch';
  [key: string]: string | number | boolean | undefined;
}

/** Embeddings of a set of images, row-major: count x size. */
export interface Embeddings {
  values: Float32Array;
  /** Floats per image (the embedding's dimension). */
  size: number;
}

export interface FewShotMethod {
  /** Registry name, e.g. "protonet". */
  readonly name: string;
  /** One meta-training step on a batch of episodes (the step index drives schedules). */
  trainStep(episodes: Episode[], step: number): Promise<StepMetrics>;
  /**
   * Starts adapting to an episode's support set (labels 0..way-1) from a copy of the method's
   * current state; the caller takes the steps (adaptFully for the method's own count) and predicts.
   */
  startAdaptation(support: LabeledImages, way: number): Promise<Adaptation<LabeledImages>>;
  /** Facts that qualify this method's results. */
  labels(): MethodLabels;
  /** What to change when training diverges, naming the learning rate(s) involved. */
  divergenceAdvice?(step: number): DivergenceAdvice;
  /**
   * Optional, for the episode viewer (methods that classify by embeddings): the embeddings the
   * method's current state gives these images, computed as its classifier computes them at test
   * time (same batch-norm mode), so that a plot of them shows what the classifier sees.
   */
  embed?(images: LabeledImages): Promise<Embeddings>;
  /**
   * Optional: true when the method predicts a query's class as the nearest class mean (squared
   * Euclidean) of `embed`'s embeddings, and an image's embedding does not depend on the images
   * embedded with it. An evaluation may then embed each image once (train/embeddingEvaluation.ts).
   */
  predictsByIndependentPrototypes?(): boolean;
  /** Learnable state (and any buffers) as named tensors; the method keeps ownership. */
  stateTensors(): NamedTensors;
  /**
   * Restores state saved from `stateTensors` (names and shapes are checked); the training state
   * (the optimiser) starts afresh.
   */
  loadState(saved: SavedTensors): void;
  /**
   * What besides the learnable state one training step hands to the next (the optimiser's moments
   * and step count), as named tensors the method keeps; with the learnable state it makes the
   * checkpoint a run resumes from exactly (checkpoint.ts). Optional: a method without any omits it.
   */
  trainingStateTensors?(): NamedTensors;
  /** Restores a training state saved from `trainingStateTensors`, after `loadState` (checked before anything changes). */
  loadTrainingState?(saved: SavedTensors): void;
  dispose(): void;
}

/** What a method may need to know about the experiment when it is created. */
export interface MethodContext {
  backbone: Conv4Config;
  /** Number of meta-train classes (a pre-training classifier head needs it). */
  trainClassCount: number;
  /**
   * Dataset class indices of the meta-train classes, in a fixed order: a method that pre-trains
   * an ordinary classifier maps episode.classIndices to head rows with it. Optional for callers
   * that only run episodic methods.
   */
  trainClasses?: readonly number[];
}

/**
 * A method's description with the function that creates it, typed by its hyperparameters H:
 * `create` gets them resolved and checked (resolveHyperparameters), so it reads them as they are.
 * Each implementation file defines its spec as { ...<NAME>_INFO, create }.
 */
export interface MethodSpec<H extends Hyperparameters = Hyperparameters> extends MethodInfo<H> {
  create(context: MethodContext, hyper: H, seed: number): FewShotMethod;
}
