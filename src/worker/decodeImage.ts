// Image decoding inside the browser's worker: the browser's own decoders (PNG, JPEG, WebP, ...)
// through createImageBitmap and an OffscreenCanvas, giving RGBA pixels. Huge images are scaled
// down while decoding, so a 50-megapixel photo does not need 200 MB of pixels.
import type { DecodedImage } from '../core/data/dataset';

/** Longest side kept when decoding; datasets resize far below this anyway. */
const MAX_SIDE = 1024;

export async function decodeImageInBrowser(bytes: Uint8Array, fileName: string): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart]));
  } catch {
    throw new Error(`${fileName} is not an image this browser can read (PNG, JPEG and WebP work).`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('This browser cannot draw images in a worker (no OffscreenCanvas 2D).');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const data = context.getImageData(0, 0, width, height).data;
  return { width, height, channels: 4, data };
}
