// Augmentation: seeded, shape-preserving, moves pixels by at most maxShift, flips mirror exactly.
import { describe, expect, it } from 'vitest';
import { augmentImages } from '../../src/core/data/augment';
import type { LabeledImages } from '../../src/core/episodes/episode';
import { Rng } from '../../src/core/rng';

function oneDot(side: number, y: number, x: number): LabeledImages {
  const images = new Float32Array(side * side);
  images[y * side + x] = 1;
  return { images, labels: new Int32Array([0]), count: 1, imageShape: [side, side, 1] };
}

function dotAt(set: LabeledImages, side: number): [number, number] {
  const i = set.images.indexOf(1);
  return [Math.floor(i / side), i % side];
}

describe('augmentImages', () => {
  it('shifts by at most maxShift, keeps the pixel, and replays from the seed', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 200; s++) {
      const out = augmentImages(oneDot(9, 4, 4), { maxShift: 2, flip: false }, new Rng(s));
      const [y, x] = dotAt(out, 9);
      expect(Math.abs(y - 4)).toBeLessThanOrEqual(2);
      expect(Math.abs(x - 4)).toBeLessThanOrEqual(2);
      expect(out.images.reduce((a, b) => a + b, 0)).toBe(1);
      seen.add(`${y},${x}`);
    }
    expect(seen.size).toBe(25);
    const a = augmentImages(oneDot(9, 4, 4), { maxShift: 2, flip: true }, new Rng(3));
    const b = augmentImages(oneDot(9, 4, 4), { maxShift: 2, flip: true }, new Rng(3));
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
  });

  it('mirrors left-right when flipping', () => {
    const xs = new Set<number>();
    for (let s = 0; s < 20; s++) xs.add(dotAt(augmentImages(oneDot(5, 1, 0), { maxShift: 0, flip: true }, new Rng(s)), 5)[1]);
    expect([...xs].sort()).toEqual([0, 4]);
  });
});
