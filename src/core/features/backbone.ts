// The one shape every backbone has for the "classify your own images" feature, whatever it is
// underneath (a TensorFlow.js layers or graph model, or a run trained in the playground): what to
// show about it, features of already-fitted images, a run's own adaptation, and how to rebuild it
// as tf.layers for export. The worker (ownImages.ts) never branches on the kind beyond this.
import type * as tf from '@tensorflow/tfjs';
import type { BackboneSummary, InputRange } from './types';
import type { LinearClassifier } from './featureClassifiers';
import type { FewShotLabMetadata } from './modelFiles';

/** Called as feature extraction goes: images done of total. */
export type ProgressCallback = (done: number, total: number) => void | Promise<void>;

/** Class probabilities of images, from a run's own adaptation. */
export interface ImagePredictor {
  /** One row of `way` probabilities per fitted image. */
  predict(images: Uint8Array[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** A backbone as tf.layers, ready to take a classifier on top (exportClassifier.ts). */
export interface ExportableGraph {
  input: tf.SymbolicTensor;
  /** The feature layer's output (4-D is global-average-pooled by the exporter). */
  features: tf.SymbolicTensor;
  /** Frees what was built only for this export (never the backbone's own weights). */
  release(): void;
}

export interface Backbone {
  /** Everything the page shows, except the id (the worker's) and any ready classifier. */
  readonly summary: Omit<BackboneSummary, 'backboneId' | 'classifier'>;
  /** Images must be fitted (centre crop + resize) to this [height, width, channels] before embed / adapt. */
  readonly inputShape: [number, number, number];
  inputRange: InputRange;
  /**
   * Fitted images are inverted (255 - value) before use: the backbone was trained on bright strokes
   * on a dark background (a run on the glyphs or Omniglot), and the user's pictures are dark ink
   * on light paper.
   */
  readonly invertInput?: boolean;
  /**
   * Feature rows of fitted HWC byte images (summary.featureSize floats each). Absent when the
   * backbone gives no features (e.g. a MAML run, which only adapts).
   */
  embed?(images: Uint8Array[], onProgress?: ProgressCallback): Promise<Float32Array[]>;
  /**
   * Model files only: the same features with pixels scaled to another range (to compare scalings on
   * the user's images), and switching the range every later embed uses.
   */
  embedWithRange?(range: InputRange, images: Uint8Array[], onProgress?: ProgressCallback): Promise<Float32Array[]>;
  setInputRange?(range: InputRange): void;
  /** The run's own few-shot adaptation on a labelled support set (labels 0..way-1). */
  adapt?(support: Uint8Array[], labels: number[], way: number): Promise<ImagePredictor>;
  /**
   * The backbone as tf.layers up to its feature layer, for export; throws a message saying which
   * backbones can be exported when this one cannot.
   */
  exportGraph(): ExportableGraph;
  /** A model exported by Few-Shot Lab: its classifier (on this backbone's features) and metadata. */
  readonly ready?: { classifier: LinearClassifier; metadata: FewShotLabMetadata };
  dispose(): void;
}

/** Bytes 0..255 -> the model's input interval: value * scale + offset. */
export function pixelScaling(range: InputRange): { scale: number; offset: number } {
  if (range === '-1,1') return { scale: 1 / 127.5, offset: -1 };
  if (range === '0,255') return { scale: 1, offset: 0 };
  return { scale: 1 / 255, offset: 0 };
}

/** Images per forward pass: enough to amortise per-op overhead, small enough for a 224x224 model's memory. */
export const EMBED_BATCH = 16;
