// The part of the page <-> worker protocol for the user's own images: loading a backbone (a
// TensorFlow.js model from files, or a run trained in the playground), fitting a few-shot
// classifier on the user's classes, estimating its accuracy on their images, classifying new
// images, and exporting the classifier as a TensorFlow.js model. Plain, structured-cloneable data
// (its types live in src/core/features/types.ts); image files travel encoded (PNG/JPEG/WebP bytes)
// and are decoded and resized in the worker.
import type { SavedTensors } from '../core/nn/params';
import type { AccuracyProtocol, ClassifierKind, HeadSettings, InputRange, ModelFiles, OwnClass } from '../core/features/types';
import type { RunConfig } from '../core/experiment/runConfig';

export * from '../core/features/types';

export type BackboneSource =
  /** A TensorFlow.js layers or graph model; `layer` picks the feature layer (default: the model's suggestion). */
  | {
      kind: 'model';
      name: string;
      files: ModelFiles;
      layer?: string;
      inputRange?: InputRange;
      /** Who set inputRange: its publisher (a catalog model) or the user (default). */
      inputRangeFrom?: 'publisher' | 'chosen';
      /** The recommended feature layer is the model's own output (a publisher's feature-vector model). */
      recommendOutput?: boolean;
      /** The feature layer its publisher documents (a catalog model), marked as recommended. */
      recommendLayer?: string;
    }
  /**
   * A run trained in the playground (`name` as the page shows it): this visit's, from the worker's
   * own run; or an earlier visit's, rebuilt from its settings and kept state (`restore`), its
   * dataset loaded first.
   */
  | { kind: 'run'; runId: string; name?: string; restore?: { config: RunConfig; state: SavedTensors } };

/** Requests of this part of the protocol (the worker echoes `id`). */
export type OwnImagesRequest =
  | { type: 'loadBackbone'; id: number; backboneId: string; source: BackboneSource }
  | { type: 'disposeBackbone'; id: number; backboneId: string }
  | {
      type: 'fitClassifier';
      id: number;
      classifierId: string;
      backboneId: string;
      kind: ClassifierKind;
      classes: OwnClass[];
      head?: HeadSettings;
    }
  | {
      type: 'estimateAccuracy';
      id: number;
      backboneId: string;
      kind: ClassifierKind;
      classes: OwnClass[];
      protocol: AccuracyProtocol;
      head?: HeadSettings;
    }
  /** `names` (file names) name the images in the answer and in any message about one. */
  | { type: 'classify'; id: number; classifierId: string; images: Uint8Array[]; names?: string[] }
  /** A model whose scaling nobody stated: both scalings tried by leave-one-out; the better one is kept. */
  | { type: 'compareInputRanges'; id: number; backboneId: string; classes: OwnClass[] }
  /** The classifier as a TensorFlow.js layers model (model.json + one weight file). */
  | { type: 'exportClassifier'; id: number; classifierId: string; name: string };

/** Events of this part: feature extraction progress (long for a big model on many images). */
export type OwnImagesEvent = { type: 'featureProgress'; backboneId: string; done: number; total: number; what: string };
