// Pictures for the "own images" tests, made at test time: three classes that differ in colour and
// pattern (red squares, green stripes, blue dots), each image with its own seeded jitter
// (position, shade, noise), encoded as PNG bytes as the page would send them.
import { Rng } from '../../../src/core/rng';
import type { OwnClass } from '../../../src/worker/ownImagesProtocol';
import { encodeRgbPng } from '../fixtures/images';

export const CLASS_NAMES = ['red squares', 'green stripes', 'blue dots'];

/** One width x height RGB picture of class `c` (0, 1, 2), varied by `seed`. */
export function picture(c: number, seed: number, size = 48): Uint8Array {
  const rng = new Rng(seed * 7 + c);
  const rgb = new Uint8Array(size * size * 3);
  const shift = rng.int(4);
  const shade = rng.uniform(0.9, 1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Each class has its own colour (what even random conv features see) and its own pattern.
      const base = [
        [150, 30, 30],
        [30, 130, 40],
        [30, 40, 150],
      ][c];
      let on = false;
      if (c === 0) on = (Math.floor((x + shift) / 12) + Math.floor((y + shift) / 12)) % 2 === 0;
      if (c === 1) on = Math.floor((x + shift) / 6) % 2 === 0;
      if (c === 2) on = (((x + shift) % 12) - 6) ** 2 + (((y + shift) % 12) - 6) ** 2 < 16;
      const colour = on ? base.map((v) => Math.min(255, v + 90)) : base;
      for (let k = 0; k < 3; k++) rgb[(y * size + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(colour[k] * shade + rng.normal() * 6)));
    }
  }
  return rgb;
}

export function picturePng(c: number, seed: number, size = 48): Uint8Array {
  return encodeRgbPng(size, size, picture(c, seed, size));
}

/** `perClass` images of each of the three classes, keys "<class>-<i>". */
export function ownClasses(perClass: number, size = 48): OwnClass[] {
  return CLASS_NAMES.map((name, c) => ({
    name,
    images: Array.from({ length: perClass }, (_, i) => ({ key: `${c}-${i}`, bytes: picturePng(c, i + 1, size) })),
  }));
}
