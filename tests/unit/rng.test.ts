// Seeded randomness: the same seed replays the same numbers; derived streams are independent.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';

describe('Rng', () => {
  it('replays exactly from a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
  });

  it('derives streams that do not depend on draws made elsewhere', () => {
    const a = new Rng(7);
    const before = a.derive('episodes').next();
    a.next();
    a.next();
    expect(a.derive('episodes').next()).toBe(before);
    expect(a.derive('init').next()).not.toBe(before);
  });

  it('draws uniform values in [0, 1) with the right mean and normals with unit variance', () => {
    const r = new Rng(1);
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    let sq = 0;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      mean += z;
      sq += z * z;
    }
    expect(mean / n).toBeCloseTo(0, 1);
    expect(sq / n).toBeGreaterThan(0.95);
    expect(sq / n).toBeLessThan(1.05);
  });

  it('samples distinct indices covering the range evenly', () => {
    const r = new Rng(5);
    const counts = new Array(10).fill(0);
    for (let t = 0; t < 2000; t++) {
      const picked = r.sampleIndices(10, 3);
      expect(new Set(picked).size).toBe(3);
      for (const i of picked) {
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(10);
        counts[i]++;
      }
    }
    for (const c of counts) expect(Math.abs(c - 600)).toBeLessThan(90);
    expect(() => r.sampleIndices(3, 4)).toThrow(/Cannot draw 4 distinct items from 3/);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Rng(9).shuffle(items.slice());
    expect(shuffled).not.toEqual(items);
    expect(shuffled.slice().sort((x, y) => x - y)).toEqual(items);
  });
});
