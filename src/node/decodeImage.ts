// The ImageDecoder used in Node (CLI, tests, benchmarks): PNG through pngjs (every bit depth and
// colour type, including Omniglot's greyscale and 1-bit files) and JPEG through jpeg-js. The
// format is recognised by the file's first bytes, not by its name, so a mislabelled file still
// decodes and a non-image is named as such.

import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import type { DecodedImage, ImageDecoder } from '../core/data/dataset';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((value, i) => bytes[i] === value);
}

/** Names formats Node cannot decode here, so the message can say what to do. */
function otherFormat(bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(0, 2) === 'BM') return 'BMP';
  return null;
}

function decodePng(bytes: Uint8Array): DecodedImage {
  // pngjs wants a Buffer; this one shares the bytes rather than copying them.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const { width, height, data } = png; // always 8-bit RGBA after pngjs's normalisation
  const pixelCount = width * height;
  // Keep only the channels the file really has: greyscale stays one channel (a third of the
  // work downstream), and alpha is kept only when the file has transparency.
  const channels: 1 | 3 | 4 = png.alpha ? 4 : png.color ? 3 : 1;
  if (channels === 4) return { width, height, channels, data: new Uint8Array(data.buffer, data.byteOffset, pixelCount * 4) };
  const out = new Uint8Array(pixelCount * channels);
  if (channels === 1) {
    for (let p = 0; p < pixelCount; p++) out[p] = data[4 * p];
  } else {
    for (let p = 0; p < pixelCount; p++) {
      out[3 * p] = data[4 * p];
      out[3 * p + 1] = data[4 * p + 1];
      out[3 * p + 2] = data[4 * p + 2];
    }
  }
  return { width, height, channels, data: out };
}

function decodeJpegImage(bytes: Uint8Array): DecodedImage {
  // formatAsRGBA false gives RGB (greyscale JPEGs come out with R = G = B).
  const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  return { width: jpeg.width, height: jpeg.height, channels: 3, data: jpeg.data };
}

/** Decodes PNG or JPEG bytes; `fileName` is only used in error messages. */
export const decodeImage: ImageDecoder = (bytes: Uint8Array, fileName: string): DecodedImage => {
  if (startsWith(bytes, PNG_SIGNATURE)) {
    try {
      return decodePng(bytes);
    } catch (error) {
      const message = (error as Error).message;
      // pngjs's wording for a file that stops short.
      const why = /read requests/.test(message) ? 'the file ends early (truncated)' : message;
      throw new Error(`${fileName}: corrupt PNG: ${why}`);
    }
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    try {
      return decodeJpegImage(bytes);
    } catch (error) {
      throw new Error(`${fileName}: corrupt JPEG: ${(error as Error).message}`);
    }
  }
  const other = otherFormat(bytes);
  if (other) throw new Error(`${fileName}: ${other} images cannot be read here; convert it to PNG or JPEG`);
  throw new Error(`${fileName}: not a PNG or JPEG image`);
};
