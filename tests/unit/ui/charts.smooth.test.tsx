// The pure helpers behind the training charts: debiased EMA smoothing and downsampling for drawing.
import { describe, it, expect } from 'vitest';
import { smoothEma } from '../../../src/ui/views/charts/smooth';
import { downsample } from '../../../src/ui/views/charts/downsample';
import { formatNumber, formatPercent, formatTick } from '../../../src/ui/views/charts/format';
import { niceTicks } from '../../../src/ui/views/charts/ticks';

describe('smoothEma', () => {
  it('is the identity at smoothing 0', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(smoothEma(values, 0)).toEqual(values);
  });

  it('is a debiased exponential moving average (TensorBoard rule)', () => {
    const w = 0.6;
    const values = [1, 2, 4];
    // a1 = 0.4, a2 = 0.24 + 0.8 = 1.04, a3 = 0.624 + 1.6 = 2.224; debias by 1 - w^t.
    const expected = [0.4 / (1 - 0.6), 1.04 / (1 - 0.36), 2.224 / (1 - 0.216)];
    const got = smoothEma(values, w);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    // Debiasing: the first smoothed value is the first value, not pulled towards 0.
    expect(got[0]).toBeCloseTo(1, 12);
  });

  it('smooths noise: the smoothed curve varies less than the raw one', () => {
    const values = Array.from({ length: 400 }, (_, i) => 1 + (i % 2 === 0 ? 0.5 : -0.5));
    const smoothed = smoothEma(values, 0.9);
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    expect(spread(smoothed.slice(100))).toBeLessThan(0.2 * spread(values));
    expect(smoothed[399]).toBeCloseTo(1, 1);
  });

  it('returns constant series unchanged and passes non-finite values through', () => {
    expect(smoothEma([0.5, 0.5, 0.5], 0.99)).toEqual([0.5, 0.5, 0.5]);
    const got = smoothEma([1, NaN, 3], 0.5);
    expect(got[0]).toBe(1);
    expect(got[1]).toBeNaN();
    // The NaN did not enter the average: a2 = 0.5 * 0.5 + 0.5 * 3 = 1.75, debiased by 1 - 0.25.
    expect(got[2]).toBeCloseTo(1.75 / 0.75, 12);
  });

  it('does not modify its input and handles empty input and weights out of range', () => {
    const values = [2, 4, 6];
    smoothEma(values, 0.5);
    expect(values).toEqual([2, 4, 6]);
    expect(smoothEma([], 0.5)).toEqual([]);
    expect(smoothEma(values, -1)).toEqual(values);
    expect(smoothEma(values, 1).every(Number.isFinite)).toBe(true);
  });
});

describe('downsample', () => {
  const curve = Array.from({ length: 5000 }, (_, i) => ({ step: i + 1, value: Math.exp(-i / 1000) + 0.01 * Math.sin(i) }));

  it('keeps at most the limit, with the first and the last point, in order', () => {
    for (const limit of [2, 3, 10, 500]) {
      const out = downsample(curve, limit, (p) => p.step, (p) => p.value);
      expect(out.length).toBeLessThanOrEqual(limit);
      expect(out[0]).toBe(curve[0]);
      expect(out[out.length - 1]).toBe(curve[curve.length - 1]);
      for (let i = 1; i < out.length; i++) expect(out[i].step).toBeGreaterThan(out[i - 1].step);
    }
    const even = downsample(curve, 500);
    expect(even).toHaveLength(500);
    expect(even[0]).toBe(curve[0]);
    expect(even[499]).toBe(curve[4999]);
  });

  it('returns short series unchanged (as a copy)', () => {
    const short = curve.slice(0, 20);
    const out = downsample(short, 500, (p) => p.step, (p) => p.value);
    expect(out).toEqual(short);
    expect(out).not.toBe(short);
  });

  it('keeps a spike the evenly spaced choice would miss', () => {
    const flat = Array.from({ length: 1000 }, (_, i) => ({ step: i, value: 1 }));
    flat[503] = { step: 503, value: 50 };
    const out = downsample(flat, 50, (p) => p.step, (p) => p.value);
    expect(out.some((p) => p.value === 50)).toBe(true);
  });

  it('keeps a diverged (NaN) point visible', () => {
    const diverged = Array.from({ length: 1000 }, (_, i) => ({ step: i, value: i === 700 ? NaN : 1 / (i + 1) }));
    const out = downsample(diverged, 40, (p) => p.step, (p) => p.value);
    expect(out.some((p) => Number.isNaN(p.value))).toBe(true);
  });

  it('handles tiny limits', () => {
    expect(downsample(curve, 0)).toEqual([]);
    expect(downsample(curve, 1)).toEqual([curve[4999]]);
    expect(downsample(curve, 2)).toEqual([curve[0], curve[4999]]);
  });
});

describe('number formatting', () => {
  it('uses three significant digits and per-cent with one decimal', () => {
    expect(formatNumber(0.41234)).toBe('0.412');
    expect(formatNumber(2.3149)).toBe('2.31');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(12345.6)).toBe('12346');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatPercent(0.8667)).toBe('86.7%');
    expect(formatPercent(0.021)).toBe('2.1%');
  });
});

describe('axis ticks', () => {
  it('are round values inside the range', () => {
    expect(niceTicks(0, 2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(0, 120)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(-5, 5)).toEqual([-4, -2, 0, 2, 4]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(formatTick(0.00075)).toBe('7.5e-4');
    expect(formatTick(0.5)).toBe('0.5');
  });
});
