// The plain data of "classify your own images", shared by the core (backbones, classifiers,
// estimates), the worker that runs them and the page that shows them: model files, backbone and
// classifier summaries, accuracy estimates, head settings. No tfjs, no DOM.
import type { AccuracySummary } from '../train/stats';

/** How a model expects its input pixels scaled: bytes 0..255 map to this interval. */
export type InputRange = '0,1' | '-1,1' | '0,255';

/** A TensorFlow.js model as files: model.json (parsed) and its weight files by manifest path. */
export interface ModelFiles {
  /** The parsed model.json; validated (schema, shapes, sizes) before use. */
  modelJson: unknown;
  /** Weight files, named by the paths model.json's weightsManifest lists (base names match too). */
  weights: Array<{ path: string; bytes: Uint8Array }>;
}


/** A layer (layers model) or node (graph model) whose output can serve as features. */
export interface BackboneLayer {
  name: string;
  /** e.g. "Conv2D", "ReLU", "DepthwiseConv2D" (layers) or the op (graph). */
  className: string;
  /** Output shape without the batch axis, when known. */
  outputShape: number[] | null;
}

/**
 * How a classifier is made from the user's support images:
 * - 'prototype': nearest class mean of the backbone's features (softmax over minus squared distance);
 * - 'head': a linear softmax head fitted on the features (the backbone stays frozen);
 * - 'runAdapt': the trained run's own adaptation (ProtoNet prototypes, MAML inner steps, ...).
 */
export type ClassifierKind = 'prototype' | 'head' | 'runAdapt';

export interface HeadSettings {
  steps: number;
  learningRate: number;
  weightDecay: number;
}

/** How a linear head is fitted unless the user changes it (here, not in the worker, so the page shows the same values). */
export const DEFAULT_HEAD: HeadSettings = { steps: 100, learningRate: 0.01, weightDecay: 1e-3 };

export interface BackboneSummary {
  backboneId: string;
  name: string;
  kind: 'layers' | 'graph' | 'run';
  /** [height, width, channels] every image is resized (centre crop) to. */
  inputShape: [number, number, number];
  inputRange: InputRange;
  /** Layers or nodes that can give features, input to output; empty for runs. */
  layers: BackboneLayer[];
  /** The layer in use, null for runs. */
  featureLayer: string | null;
  /** Floats per image, null when the backbone gives no features (e.g. a MAML run: runAdapt only). */
  featureSize: number | null;
  /** How features are made, e.g. "global average pool of conv_pw_13_relu (7×7×256)". */
  featureNote: string;
  /** Classifier kinds this backbone supports. */
  classifiers: ClassifierKind[];
  parameters: number;
  /** Set when the files are a classifier exported by Few-Shot Lab: it is ready under this id. */
  classifier?: ClassifierSummary;
}

/** One of the user's images, encoded, with a key that stays the same while the image is unchanged. */
export interface OwnImage {
  key: string;
  bytes: Uint8Array;
}

export interface OwnClass {
  name: string;
  images: OwnImage[];
}

export interface ClassifierSummary {
  classifierId: string;
  backboneId: string;
  kind: ClassifierKind;
  classes: string[];
  imagesPerClass: number[];
  /** In words, e.g. "nearest prototype on 256 features (global average pool of conv_pw_13_relu)". */
  description: string;
}

export type AccuracyProtocol =
  /** Each image classified by a classifier built from all the others. */
  | { kind: 'leaveOneOut' }
  /** Repeated episodes: `shot` support images per class drawn at random, the rest are queries. */
  | { kind: 'episodes'; shot: number; episodes: number; seed: number };

export interface AccuracyEstimate {
  protocol: AccuracyProtocol;
  kind: ClassifierKind;
  /** Mean accuracy with its 95% CI over trials (images for leave-one-out, episodes otherwise). */
  summary: AccuracySummary;
  /**
   * The 95% interval to show: leave-one-out's outcomes are right/wrong per image, so its interval is
   * Wilson's (it stays honest at 0% and 100%); episodes use the field's mean ± 1.96 std/√n, clipped.
   */
  interval: { low: number; high: number; method: 'wilson' | 'normal' };
  classes: string[];
  /** 1 / number of classes. */
  chance: number;
  /** Leave-one-out: each image's true and predicted class index. */
  perImage?: Array<{ key: string; label: number; predicted: number }>;
  /** In words, e.g. "leave-one-out over 15 images of 3 classes (each classified from the other 14)". */
  settings: string;
  seconds: number;
}

export interface Classification {
  classes: string[];
  /** One row of class probabilities per image. */
  probabilities: number[][];
}
