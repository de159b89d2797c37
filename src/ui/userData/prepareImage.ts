// The browser half of preparing the user's images: decoding with createImageBitmap (the browser's
// own decoders, off the main thread where it can), and storing huge photos downscaled, so a
// dataset of phone photos stays a few MB in IndexedDB and quick to send to the worker. Images that
// are already small keep their original bytes (no re-encoding loss). Also grabs webcam frames.
// Needs a real browser; the decisions it makes (format, size) live in imageFormat.ts and are
// tested there.
import type { PrepareImage, PreparedImage } from './ingest';
import { JPEG_QUALITY, MAX_SIDE, NOT_AN_IMAGE, UNDECODABLE, UnusableImageError, sniffImageType, storedSize } from './imageFormat';

/**
 * The bytes to store for an image file, with its format and stored size. Rejects with an
 * UnusableImageError ("not a PNG, JPEG or WebP image", "the browser could not decode this image").
 */
export const prepareImage: PrepareImage = async (bytes: Uint8Array): Promise<PreparedImage> => {
  const type = sniffImageType(bytes);
  if (!type) throw new UnusableImageError(NOT_AN_IMAGE);
  let bitmap: ImageBitmap;
  try {
    // 'from-image' applies the EXIF rotation of phone photos, so a downscaled copy stands upright.
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), { imageOrientation: 'from-image' });
  } catch (error) {
    throw new UnusableImageError(UNDECODABLE, { cause: error });
  }
  try {
    const size = storedSize(bitmap.width, bitmap.height);
    if (!size.scaled) return { bytes, type, width: bitmap.width, height: bitmap.height };
    const encoded = await drawAsJpeg(bitmap, bitmap.width, bitmap.height, size.width, size.height);
    return { bytes: encoded, type: 'image/jpeg', width: size.width, height: size.height };
  } finally {
    bitmap.close();
  }
};

/** The webcam's current frame as JPEG bytes, downscaled like any other image. */
export async function captureFrame(video: HTMLVideoElement): Promise<Uint8Array> {
  const { videoWidth, videoHeight } = video;
  if (!videoWidth || !videoHeight) {
    throw new UnusableImageError('The camera shows no picture yet: wait until it appears, then capture again.');
  }
  const size = storedSize(videoWidth, videoHeight);
  return drawAsJpeg(video, videoWidth, videoHeight, size.width, size.height);
}

type Source = CanvasImageSource & (ImageBitmap | HTMLVideoElement);

async function drawAsJpeg(source: Source, sourceWidth: number, sourceHeight: number, width: number, height: number): Promise<Uint8Array> {
  const canvas = makeCanvas(width, height);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new UnusableImageError('this browser cannot draw images (no 2D canvas); try another browser');
  // JPEG has no transparency: transparent pixels would turn black, so they are put on white.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, sourceWidth, sourceHeight, 0, 0, width, height);
  const blob = await toJpegBlob(canvas);
  return new Uint8Array(await blob.arrayBuffer());
}

function makeCanvas(width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function toJpegBlob(canvas: OffscreenCanvas | HTMLCanvasElement): Promise<Blob> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new UnusableImageError('the browser could not encode the image as JPEG'))),
      'image/jpeg',
      JPEG_QUALITY,
    ),
  );
}

/** The longest side images are stored with (re-exported for the views' hints). */
export { MAX_SIDE };
