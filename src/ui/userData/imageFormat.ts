// The pure half of preparing the user's images (prepareImage.ts is the browser half): which
// format some bytes are, judged by their first bytes rather than the file name (a ".jpg" may be a
// PNG, a photo may have no ending at all), what size an image is stored at, and the error for an
// image that cannot be used. Kept apart so Node tests can check it without a browser.
import type { OwnImageType } from './ownDataset';

/** The longest side an image is stored with: enough for any backbone input (224 px, 2x crop room). */
export const MAX_SIDE = 512;
/** Quality of re-encoded (downscaled) images and webcam frames. */
export const JPEG_QUALITY = 0.9;

export const NOT_AN_IMAGE = 'not a PNG, JPEG or WebP image';
export const UNDECODABLE = 'the browser could not decode this image';

/** An image that cannot be used; the message (without the file name) says why. */
export class UnusableImageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnusableImageError';
  }
}

/** The format the bytes announce in their signature, or null for anything else (GIF, text, ...). */
export function sniffImageType(bytes: Uint8Array): OwnImageType | null {
  const starts = (offset: number, signature: readonly number[]) =>
    bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  // "RIFF" <size> "WEBP"
  if (starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return null;
}

/** The usual file ending of a format, with the dot. */
export function extensionFor(type: OwnImageType): string {
  return type === 'image/png' ? '.png' : type === 'image/jpeg' ? '.jpg' : '.webp';
}

/** Whether a file name already ends the way files of this format usually do. */
export function hasExtensionFor(name: string, type: OwnImageType): boolean {
  const lower = name.toLowerCase();
  const endings = type === 'image/png' ? ['.png'] : type === 'image/jpeg' ? ['.jpg', '.jpeg', '.jfif'] : ['.webp'];
  return endings.some((ending) => lower.endsWith(ending) && lower.length > ending.length);
}

/**
 * The size an image of width x height is stored at: unchanged when its longest side is at most
 * `maxSide`, else scaled down (aspect ratio kept, each side at least 1 px).
 */
export function storedSize(width: number, height: number, maxSide = MAX_SIDE): { width: number; height: number; scaled: boolean } {
  if (!(width > 0 && height > 0)) throw new UnusableImageError(`the image has no pixels (${width}×${height})`);
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height, scaled: false };
  const scale = maxSide / longest;
  return {
    width: Math.max(1, Math.min(maxSide, Math.round(width * scale))),
    height: Math.max(1, Math.min(maxSide, Math.round(height * scale))),
    scaled: true,
  };
}
