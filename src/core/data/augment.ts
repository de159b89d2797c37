// Data augmentation of training images, seeded: random translation by whole pixels (zero fill) and,
// for photos, random horizontal flips. Not for handwriting-like data by default: a mirrored
// character can be another character.
import type { LabeledImages } from '../episodes/episode';
import type { Rng } from '../rng';

export interface AugmentOptions {
  /** Largest shift in pixels along each axis (0 = none). */
  maxShift: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
}

export const NO_AUGMENTATION: AugmentOptions = { maxShift: 0, flip: false };

export function isAugmenting(options: AugmentOptions | undefined): options is AugmentOptions {
  return Boolean(options && (options.maxShift > 0 || options.flip));
}

/** A new LabeledImages with each image independently shifted and/or flipped. */
export function augmentImages(set: LabeledImages, options: AugmentOptions, rng: Rng): LabeledImages {
  const [h, w, c] = set.imageShape;
  const size = h * w * c;
  const out = new Float32Array(set.images.length);
  const m = Math.max(0, Math.floor(options.maxShift));
  for (let n = 0; n < set.count; n++) {
    const dy = m > 0 ? rng.int(2 * m + 1) - m : 0;
    const dx = m > 0 ? rng.int(2 * m + 1) - m : 0;
    const flip = options.flip && rng.next() < 0.5;
    const base = n * size;
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < w; x++) {
        const tx = flip ? w - 1 - x : x;
        const sx = tx - dx;
        if (sx < 0 || sx >= w) continue;
        const from = base + (sy * w + sx) * c;
        const to = base + (y * w + x) * c;
        for (let k = 0; k < c; k++) out[to + k] = set.images[from + k];
      }
    }
  }
  return { ...set, images: out };
}
