// Pixel conversions shared by the dataset readers: channel conversion, centre crop to an aspect
// ratio, exact area-average resizing and inversion. Pure functions on DecodedImage (row-major
// HWC bytes), no platform dependency, so Node and the browser produce identical datasets.

import type { DecodedImage } from './dataset';

/** What a dataset stores per image. */
export interface TargetShape {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
}

/** ITU-R BT.601 luma weights (as in PIL's "L" conversion); they sum to 1, so white stays 255. */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

/**
 * Converts to 1 (grey) or 3 (RGB) channels. RGB -> grey uses luma (0.299 R + 0.587 G + 0.114 B);
 * grey -> RGB copies the value into all three. An alpha channel is removed by compositing over
 * WHITE: a transparent pixel becomes paper, which is what a drawing or a cut-out photo on a
 * transparent background looks like in any viewer (compositing over black would turn a
 * transparent background into a dark, stroke-like area). Returns the input when nothing changes.
 */
export function toChannels(image: DecodedImage, channels: 1 | 3): DecodedImage {
  const { width, height, data } = image;
  const from = image.channels;
  if (from === channels) return image;
  const pixelCount = width * height;
  const out = new Uint8Array(pixelCount * channels);
  if (from === 1) {
    // channels === 3
    for (let p = 0; p < pixelCount; p++) {
      const v = data[p];
      out[3 * p] = v;
      out[3 * p + 1] = v;
      out[3 * p + 2] = v;
    }
    return { width, height, channels, data: out };
  }
  for (let p = 0; p < pixelCount; p++) {
    const at = p * from;
    let r = data[at];
    let g = data[at + 1];
    let b = data[at + 2];
    if (from === 4) {
      const alpha = data[at + 3] / 255;
      const paper = 255 * (1 - alpha);
      r = r * alpha + paper;
      g = g * alpha + paper;
      b = b * alpha + paper;
    }
    if (channels === 1) {
      out[p] = Math.round(LUMA_R * r + LUMA_G * g + LUMA_B * b);
    } else {
      out[3 * p] = Math.round(r);
      out[3 * p + 1] = Math.round(g);
      out[3 * p + 2] = Math.round(b);
    }
  }
  return { width, height, channels, data: out };
}

/**
 * Crops the centre of the image to the aspect ratio height:width (the ImageFolder convention:
 * keep the aspect ratio, lose the margins of the longer side). The crop is a whole number of
 * pixels, so the ratio can be off by less than one pixel. Returns the input when it already has
 * that ratio.
 */
export function centreCrop(image: DecodedImage, height: number, width: number): DecodedImage {
  const { channels, data } = image;
  let cropWidth = image.width;
  let cropHeight = image.height;
  // Compare image.width / image.height with width / height without dividing.
  if (image.width * height > width * image.height) {
    cropWidth = Math.max(1, Math.round((image.height * width) / height));
  } else if (image.width * height < width * image.height) {
    cropHeight = Math.max(1, Math.round((image.width * height) / width));
  }
  if (cropWidth === image.width && cropHeight === image.height) return image;
  const left = Math.floor((image.width - cropWidth) / 2);
  const top = Math.floor((image.height - cropHeight) / 2);
  const out = new Uint8Array(cropWidth * cropHeight * channels);
  const rowBytes = cropWidth * channels;
  for (let y = 0; y < cropHeight; y++) {
    const from = ((top + y) * image.width + left) * channels;
    out.set(data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width: cropWidth, height: cropHeight, channels, data: out };
}

/** For one axis: which source pixels each output pixel covers, and by how much. */
interface AxisWeights {
  /** Index into `sources`/`weights` where output pixel i's list starts; length dst + 1. */
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  /** Fraction of output pixel i covered by each source pixel; each list sums to 1. */
  readonly weights: Float64Array;
}

const axisCache = new Map<string, AxisWeights>();

/**
 * Output pixel i spans [i * src / dst, (i + 1) * src / dst) in source coordinates; each source
 * pixel j contributes the length of its overlap with that span. Computed with integers scaled
 * by dst, so 105 -> 28 (3.75 source pixels per output pixel) has exact weights.
 */
function axisWeights(src: number, dst: number): AxisWeights {
  const key = `${src}>${dst}`;
  const cached = axisCache.get(key);
  if (cached) return cached;
  const offsets = new Int32Array(dst + 1);
  const sources: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < dst; i++) {
    offsets[i] = sources.length;
    // Span in units of 1/dst source pixels: [i * src, (i + 1) * src).
    const start = i * src;
    const stop = (i + 1) * src;
    for (let j = Math.floor(start / dst); j * dst < stop; j++) {
      const overlap = Math.min(stop, (j + 1) * dst) - Math.max(start, j * dst);
      if (overlap > 0) {
        sources.push(j);
        weights.push(overlap / src);
      }
    }
  }
  offsets[dst] = sources.length;
  const result = { offsets, sources: Int32Array.from(sources), weights: Float64Array.from(weights) };
  if (axisCache.size > 64) axisCache.clear();
  axisCache.set(key, result);
  return result;
}

let scratch = new Float64Array(0);

/**
 * Resizes by exact area averaging (a box filter with fractional pixel coverage): each output
 * pixel is the mean of the source area it covers, so a downscale conserves the mean brightness
 * (up to rounding) and works for any ratio, e.g. 105 -> 28. When upscaling, an output pixel lies
 * inside one source pixel (a copy, as nearest-neighbour) or straddles two (their area-weighted
 * blend): blocky, never blurred over a wide window. Writes into `out` when given (it must hold
 * height * width * channels bytes) and returns the bytes.
 */
export function resizeArea(image: DecodedImage, height: number, width: number, out?: Uint8Array): Uint8Array {
  const { channels, data } = image;
  const size = height * width * channels;
  const target = out ?? new Uint8Array(size);
  if (target.length < size) throw new Error(`resizeArea: output holds ${target.length} bytes, needs ${size}.`);
  if (image.height === height && image.width === width) {
    target.set(data.subarray(0, size));
    return target;
  }
  const across = axisWeights(image.width, width);
  const down = axisWeights(image.height, height);
  // Locals rather than property reads in the inner loops: this runs 20,000 times per Omniglot load.
  const acrossOffsets = across.offsets;
  const acrossSources = across.sources;
  const acrossWeights = across.weights;
  const downOffsets = down.offsets;
  const downSources = down.sources;
  const downWeights = down.weights;
  const source = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const sourceHeight = image.height;
  const sourceRowLength = image.width * channels;

  // Pass 1, along rows: source height x target width, in float64 so that the rounding happens
  // once, at the end (a value of exactly x.5 stays exact).
  const rowLength = width * channels;
  const needed = sourceHeight * rowLength;
  if (scratch.length < needed) scratch = new Float64Array(needed);
  const rows = scratch;
  if (channels === 1) {
    // The common case (Omniglot, greyscale folders), without the per-channel loop.
    for (let y = 0; y < sourceHeight; y++) {
      const sourceRow = y * sourceRowLength;
      const rowStart = y * rowLength;
      for (let x = 0; x < width; x++) {
        const kEnd = acrossOffsets[x + 1];
        let sum = 0;
        for (let k = acrossOffsets[x]; k < kEnd; k++) sum += acrossWeights[k] * source[sourceRow + acrossSources[k]];
        rows[rowStart + x] = sum;
      }
    }
  } else {
    for (let y = 0; y < sourceHeight; y++) {
      const sourceRow = y * sourceRowLength;
      const rowStart = y * rowLength;
      for (let x = 0; x < width; x++) {
        const kEnd = acrossOffsets[x + 1];
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = acrossOffsets[x]; k < kEnd; k++) {
            sum += acrossWeights[k] * source[sourceRow + acrossSources[k] * channels + c];
          }
          rows[rowStart + x * channels + c] = sum;
        }
      }
    }
  }
  // Pass 2, down columns.
  for (let y = 0; y < height; y++) {
    const outRow = y * rowLength;
    const kStart = downOffsets[y];
    const kEnd = downOffsets[y + 1];
    for (let i = 0; i < rowLength; i++) {
      let sum = 0;
      for (let k = kStart; k < kEnd; k++) {
        sum += downWeights[k] * rows[downSources[k] * rowLength + i];
      }
      // The weights are not exact in binary, so a true x.5 can come out a hair below it; the
      // nudge makes rounding consistently half-up.
      target[outRow + i] = Math.round(sum + 1e-9);
    }
  }
  return target;
}

/** 255 - v for every byte, in place; returns the same array. */
export function invert<T extends Uint8Array | Uint8ClampedArray>(pixels: T): T {
  for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i];
  return pixels;
}

/**
 * One decoded image to the bytes a dataset stores: channel conversion, then (when `crop`)
 * centre crop to the target aspect ratio, then area resize. Writes into `out` when given.
 */
export function fitImage(image: DecodedImage, target: TargetShape, crop: boolean, out?: Uint8Array): Uint8Array {
  if (!(image.width >= 1 && image.height >= 1)) {
    throw new Error(`The image is ${image.width}x${image.height} pixels; it has nothing to resize.`);
  }
  if (image.data.length < image.width * image.height * image.channels) {
    throw new Error(
      `The decoded image holds ${image.data.length} bytes, fewer than ${image.width}x${image.height}x${image.channels}.`,
    );
  }
  // Crop first: fewer pixels to convert.
  const cropped = crop ? centreCrop(image, target.height, target.width) : image;
  return resizeArea(toChannels(cropped, target.channels), target.height, target.width, out);
}
