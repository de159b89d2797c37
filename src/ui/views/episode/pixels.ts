// Turning the worker's raw episode images (0-255, row-major height x width x channels) into
// something a browser can show: an RGBA array shaped like ImageData, and from it an uncompressed
// BMP data URL for an <img> (no canvas needed, so it also works where canvas is missing, e.g. jsdom).
// Pure, tested in tests/unit/ui/episodeViewer.pixels.test.tsx.

/** The shape of ImageData without needing a DOM: width * height * 4 bytes, RGBA, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Grayscale (1 channel), RGB (3) or RGBA (4) pixels -> opaque RGBA (RGBA input keeps its alpha). */
export function toRgba(pixels: ArrayLike<number>, shape: readonly [number, number, number]): RgbaImage {
  const [height, width, channels] = shape;
  if (!(channels === 1 || channels === 3 || channels === 4)) {
    throw new Error(`Images must have 1, 3 or 4 channels; got ${channels}.`);
  }
  const n = height * width;
  if (pixels.length !== n * channels) {
    throw new Error(`Expected ${height}x${width}x${channels} = ${n * channels} values; got ${pixels.length}.`);
  }
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (channels === 1) {
      const v = pixels[i];
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
      data[o + 3] = 255;
    } else {
      const s = i * channels;
      data[o] = pixels[s];
      data[o + 1] = pixels[s + 1];
      data[o + 2] = pixels[s + 2];
      data[o + 3] = channels === 4 ? pixels[s + 3] : 255;
    }
  }
  return { width, height, data };
}

/** A 24-bit uncompressed BMP of the image (alpha dropped: episode images are opaque). */
export function rgbaToBmp(image: RgbaImage): Uint8Array {
  const { width, height, data } = image;
  const rowSize = Math.ceil((width * 3) / 4) * 4;
  const pixelBytes = rowSize * height;
  const bytes = new Uint8Array(54 + pixelBytes);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42; // 'B'
  bytes[1] = 0x4d; // 'M'
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, 54, true); // offset of the pixels
  view.setUint32(14, 40, true); // BITMAPINFOHEADER
  view.setInt32(18, width, true);
  view.setInt32(22, height, true); // positive: rows stored bottom-up
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(30, 0, true); // no compression
  view.setUint32(34, pixelBytes, true);
  view.setInt32(38, 2835, true); // 72 dpi
  view.setInt32(42, 2835, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 4;
      const d = row + x * 3;
      bytes[d] = data[s + 2];
      bytes[d + 1] = data[s + 1];
      bytes[d + 2] = data[s];
    }
  }
  return bytes;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += BASE64[v >> 18] + BASE64[(v >> 12) & 63] + BASE64[(v >> 6) & 63] + BASE64[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += `${BASE64[v >> 18]}${BASE64[(v >> 12) & 63]}==`;
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${BASE64[v >> 18]}${BASE64[(v >> 12) & 63]}${BASE64[(v >> 6) & 63]}=`;
  }
  return out;
}

/** An <img src> for raw episode pixels. */
export function pixelsToDataUrl(pixels: ArrayLike<number>, shape: readonly [number, number, number]): string {
  return `data:image/bmp;base64,${base64(rgbaToBmp(toRgba(pixels, shape)))}`;
}
