// The one interface every image dataset implements: a list of classes, each with its images
// stored as bytes at a fixed size and channel count, plus metadata (the group a class belongs to,
// e.g. its Omniglot alphabet) that class splits use to keep related classes on one side.

export interface ImageClass {
  /** Unique within the dataset, e.g. "Latin/character01" or "Latin/character01/rot90". */
  readonly name: string;
  /**
   * Classes with the same group always land on the same side of a class split (an Omniglot
   * alphabet; a rotated copy shares its source's group). Defaults to the class name.
   */
  readonly group: string;
  /** Number of images in this class. */
  readonly count: number;
  /** count x height x width x channels bytes, row-major HWC, 0 = dark, 255 = bright. */
  readonly pixels: Uint8Array;
  /** Where each image came from (file path in an archive), when known; same order as pixels. */
  readonly sources?: readonly string[];
}

/**
 * What class splits and the sampler's checks read of a class: no pixels, so the page's main thread
 * can check a setup against a dataset the worker holds (the worker sends these in its summary).
 */
export type ClassInfo = Pick<ImageClass, 'name' | 'group' | 'count'>;

/** A dataset's classes as the split and the sampler's checks see them (an ImageDataset is one). */
export interface ClassListing {
  readonly classes: readonly ClassInfo[];
}

export interface ImageDataset {
  /** Short name shown to users, e.g. "glyphs", "omniglot:images_background". */
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: readonly ImageClass[];
  /** Optional free-text description (source, seed, licence). */
  readonly description?: string;
  /**
   * True when the images are strokes brighter than their background (the glyphs; Omniglot after
   * the usual inversion). A picture of dark ink on paper must be inverted to look like them, which
   * is what a model trained on such a dataset is shown when it classifies the user's own images.
   */
  readonly brightStrokes?: boolean;
}

/** Bytes per image of a dataset. */
export function imageSize(dataset: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return dataset.height * dataset.width * dataset.channels;
}

/** The bytes of one image, as a view (no copy). */
export function imageBytes(dataset: ImageDataset, classIndex: number, imageIndex: number): Uint8Array {
  const size = imageSize(dataset);
  const cls = dataset.classes[classIndex];
  if (imageIndex < 0 || imageIndex >= cls.count) {
    throw new Error(`Class "${cls.name}" has ${cls.count} images; image ${imageIndex} does not exist.`);
  }
  return cls.pixels.subarray(imageIndex * size, (imageIndex + 1) * size);
}

/** Total number of images in a dataset. */
export function totalImages(dataset: ImageDataset): number {
  return dataset.classes.reduce((sum, c) => sum + c.count, 0);
}

/** A decoded image before resizing: any size, 1, 3 or 4 channels of bytes, row-major HWC. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/**
 * Turns an encoded image file (PNG, JPEG, ...) into pixels. Injected so that core code has no
 * platform dependency: Node passes a pngjs/jpeg-js decoder, the browser its own image decoding.
 * Throws (or rejects) with a readable message when the bytes are not an image it can read.
 */
export type ImageDecoder = (bytes: Uint8Array, fileName: string) => Promise<DecodedImage> | DecodedImage;
