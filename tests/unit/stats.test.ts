// The reported numbers: mean, 95% confidence interval (1.96 std / sqrt(n)), paired differences.
import { describe, expect, it } from 'vitest';
import { formatAccuracy, pairedDifference, summarise, wilsonInterval } from '../../src/core/train/stats';
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

  it('gives right/wrong outcomes a Wilson interval that stays honest at 100% and 0%', () => {
    // Textbook values: 25 of 25 -> [0.8668, 1]; 0 of 10 -> [0, 0.2775]; 8 of 10 -> [0.4902, 0.9433].
    const all = wilsonInterval(25, 25);
    expect(all.low).toBeCloseTo(0.8668, 4);
    expect(all.high).toBe(1);
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const most = wilsonInterval(8, 10);
    expect(most.low).toBeCloseTo(0.4902, 4);
    expect(most.high).toBeCloseTo(0.9433, 4);
    expect(Number.isNaN(wilsonInterval(0, 0).low)).toBe(true);
  });
});
