// The reported numbers: mean, 95% confidence interval (1.96 std / sqrt(n)), paired differences.
import { describe, expect, it } from 'vitest';
import { formatAccuracy, pairedDifference, summarise } from '../../src/core/train/stats';
import { accuracyOf } from '../../src/core/train/evaluate';

describe('summarise', () => {
  it('computes mean and 1.96 * sample std / sqrt(n)', () => {
    const s = summarise([0.8, 0.9, 1.0, 0.7]);
    expect(s.mean).toBeCloseTo(0.85, 12);
    const std = Math.sqrt(((0.05 ** 2) * 2 + 0.15 ** 2 * 2) / 3);
    expect(s.std).toBeCloseTo(std, 12);
    expect(s.ci95).toBeCloseTo((1.96 * std) / 2, 12);
    expect(formatAccuracy(s)).toBe(`85.00% ± ${((100 * 1.96 * std) / 2).toFixed(2)}%`);
  });

  it('pairs episodes: a constant gap has zero width', () => {
    const d = pairedDifference([0.9, 0.8, 0.7], [0.8, 0.7, 0.6]);
    expect(d.mean).toBeCloseTo(0.1, 12);
    expect(d.ci95).toBeCloseTo(0, 12);
    expect(() => pairedDifference([1], [1, 1])).toThrow(/same episodes/);
  });

  it('scores predictions by their arg max', () => {
    const probs = new Float32Array([0.1, 0.9, 0.8, 0.2, 0.4, 0.6]);
    expect(accuracyOf(probs, new Int32Array([1, 0, 0]), 2)).toBeCloseTo(2 / 3, 12);
  });
});
