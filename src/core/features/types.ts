// The plain data of "classify your own images", shared by the core (backbones, classifiers,
// estimates), the worker that runs them and the page that shows them: model files, backbone and
// classifier summaries, accuracy estimates, head settings. No tfjs, no DOM.
import type { AccuracySummary } from '../train/stats';
import type { ReliabilityBin } from './calibration';

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
  /**
   * The feature layer its publisher documents (a catalog model) or the one found before the
   * classifier tail; the page lists it first and marks it. Null for runs.
   */
  recommendedLayer: string | null;
  /**
   * Where the input scaling came from: the publisher (a catalog model), Few-Shot Lab's metadata
   * (an exported classifier), the user's choice, or a guess from the layer names (then the page
   * compares both scalings on the user's images).
   */
  inputRangeSource: 'publisher' | 'metadata' | 'chosen' | 'guessed' | 'run';
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
  /** How its probabilities were calibrated on held-out predictions of the user's images (calibrate.ts). */
  calibration: CalibrationSummary;
}

/**
 * One temperature fitted on held-out predictions of the user's own images, and how well the
 * probabilities then match how often the classifier is right (calibrate.ts says how).
 */
export interface CalibrationSummary {
  /** Logits are divided by this before the softmax; exactly 1 when not calibrated. */
  temperature: number;
  calibrated: boolean;
  /**
   * Every held-out prediction was right, so the likelihood wanted the scores certain: T was raised
   * until the mean confidence is (n + 1) / (n + 2), what n right of n supports.
   */
  capped: boolean;
  /** Held-out predictions behind it, and of how many images. */
  predictions: number;
  images: number;
  /** How they were held out, in words: "leave-one-out", "5-fold cross-validation", "200 episodes". */
  heldOutBy: string;
  /** Why it is not calibrated (too few images), in words that say what to do. */
  reason?: string;
  /** Expected calibration error (0..1) of the raw probabilities (T = 1). */
  eceBefore: number;
  /**
   * The same after calibration, cross-fitted: each fifth of the images gets a temperature fitted on
   * the other four fifths, so no prediction is scored by a temperature fitted on itself. Equal to
   * eceBefore when not calibrated.
   */
  eceAfter: number;
  /** Reliability diagram bins (10, equal width) before and after (cross-fitted). */
  binsBefore: ReliabilityBin[];
  binsAfter: ReliabilityBin[];
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
  /**
   * Each image's held-out prediction, in input order: its true and predicted class and calibrated
   * (cross-fitted) probabilities. Leave-one-out: one per image. Episodes: the mean over the episodes
   * the image was a query in (`times`); images never drawn as a query are left out.
   */
  perImage: EstimatedImage[];
  /** Calibration fitted on this estimate's held-out predictions. */
  calibration: CalibrationSummary;
  /** In words, e.g. "leave-one-out over 15 images of 3 classes (each classified from the other 14)". */
  settings: string;
  /** What made the predictions: backbone, feature layer, input scaling, classifier (the worker fills it). */
  setup?: { backbone: string; layer: string | null; inputRange: InputRange | null; classifier: string };
  /** Wall time from the request to the answer, feature extraction included. */
  seconds: number;
  /** Of which computing features of images not seen before (0 when all were cached), and how many. */
  featureSeconds?: number;
  featureImages?: number;
}

export interface EstimatedImage {
  key: string;
  label: number;
  predicted: number;
  probabilities: number[];
  /** Episodes: how many episodes it was a query in. */
  times?: number;
}

export interface Classification {
  classes: string[];
  /** One row of class probabilities per image (calibrated when `calibrated`). */
  probabilities: number[][];
  /** The images' names as the page gave them (file names), in order. */
  names: string[];
  calibrated: boolean;
  /** The temperature applied (1 when not calibrated). */
  temperature: number;
}

/** Both input scalings tried on the user's images by leave-one-out (nearest prototype). */
export interface InputRangeComparison {
  chosen: InputRange;
  results: Array<{ range: InputRange; correct: number; total: number }>;
}
