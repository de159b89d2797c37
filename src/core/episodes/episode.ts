// An episode (a few-shot task): N classes, K labelled support images and Q query images each,
// with labels 0..N-1 in the order of `classIndices`. Images are float32 in [0, 1], HWC.
import type { ImageDataset } from '../data/dataset';

export interface LabeledImages {
  /** count x height x width x channels floats in [0, 1]. */
  readonly images: Float32Array;
  /** Episode-local labels 0..way-1. */
  readonly labels: Int32Array;
  readonly count: number;
  /** [height, width, channels] of one image. */
  readonly imageShape: readonly [number, number, number];
}

export interface Episode {
  readonly way: number;
  readonly shot: number;
  readonly queryPerClass: number;
  /** Dataset class indices; label i is classIndices[i]. */
  readonly classIndices: readonly number[];
  /** Image index within its class, per support / query image (for episode viewers). */
  readonly supportImageIndices: readonly number[];
  readonly queryImageIndices: readonly number[];
  /** Ordered class by class: label 0's K images, then label 1's, ... */
  readonly support: LabeledImages;
  readonly query: LabeledImages;
}

/** Sampler settings as users name them. */
export interface SamplerSettings {
  /** N: classes per episode. */
  way: number;
  /** K: labelled support images per class. */
  shot: number;
  /** Q: query images per class. */
  query: number;
}

/** Gathers images of the dataset into a float buffer (bytes / 255). */
export function gatherImages(
  dataset: ImageDataset,
  picks: ReadonlyArray<{ classIndex: number; imageIndex: number; label: number }>,
): LabeledImages {
  const size = dataset.height * dataset.width * dataset.channels;
  const images = new Float32Array(picks.length * size);
  const labels = new Int32Array(picks.length);
  const scale = 1 / 255;
  picks.forEach((p, i) => {
    const pixels = dataset.classes[p.classIndex].pixels;
    const offset = p.imageIndex * size;
    for (let j = 0; j < size; j++) images[i * size + j] = pixels[offset + j] * scale;
    labels[i] = p.label;
  });
  return {
    images,
    labels,
    count: picks.length,
    imageShape: [dataset.height, dataset.width, dataset.channels],
  };
}
