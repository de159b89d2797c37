// Temperature scaling and calibration error on made-up held-out logits (pure TypeScript, no tfjs):
// an overconfident classifier (99% sure, 70% right) gets T > 1 and a much lower ECE with exactly
// the same predictions, an underconfident one gets T < 1, the fitted T matches the closed form and
// a brute-force grid, the degenerate cases end at a bound (not NaN), ECE matches a hand computation,
// and bad input is refused with a message saying what to pass.
import { describe, expect, it } from 'vitest';
import {
  expectedCalibrationError,
  fitTemperature,
  MAX_TEMPERATURE,
  meanNegativeLogLikelihood,
  MIN_TEMPERATURE,
  reliabilityBins,
  softmaxWithTemperature,
  topLabel,
} from '../../../src/core/features/calibration';
import { Rng } from '../../../src/core/rng';

/**
 * `n` held-out logit rows of `classes` classes, exactly round(accuracy * n) of them right (in a
 * seeded random order). Every class gets noise * N(0, 1); the winning class (the true one when
 * right, another at random when wrong) gets margin + noise * N(0, 1) on top, so whether a row is
 * right does not depend on how sharp it is: a calibrated confidence would be `accuracy` throughout.
 */
function heldOut(n: number, classes: number, accuracy: number, margin: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const right = rng.shuffle(Array.from({ length: n }, (_, i) => i < Math.round(accuracy * n)));
  const logits: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.int(classes);
    const winner = right[i] ? label : (label + 1 + rng.int(classes - 1)) % classes;
    const row = Float64Array.from({ length: classes }, () => noise * rng.normal());
    row[winner] += margin + noise * rng.normal();
    logits.push(row);
    labels.push(label);
  }
  return { logits, labels };
}

const accuracyOf = (rows: ArrayLike<number>[], labels: number[]) => rows.filter((r, i) => topLabel(r).index === labels[i]).length / rows.length;
const meanConfidence = (rows: ArrayLike<number>[]) => rows.reduce((s, r) => s + topLabel(r).value, 0) / rows.length;

describe('fitTemperature', () => {
  it('softens an overconfident classifier (99% sure, 70% right): T > 1, ECE far lower, the same predictions', () => {
    const { logits, labels } = heldOut(200, 5, 0.7, 6, 0.3, 11);
    const before = logits.map((z) => softmaxWithTemperature(z, 1));
    // A margin of 6 over 4 other classes: e^6 / (e^6 + 4) = 0.990 confidence for 70% accuracy, so
    // ECE before is about 0.99 - 0.70 = 0.29 (all predictions in the top bin).
    expect(meanConfidence(before)).toBeGreaterThan(0.98);
    const eceBefore = expectedCalibrationError(before, labels);
    expect(eceBefore).toBeGreaterThan(0.25);

    const fit = fitTemperature(logits, labels);
    // Without noise the best T puts every confidence at 0.7: 6 / ln(4 * 0.7 / 0.3) = 2.69.
    expect(fit.temperature).toBeGreaterThan(2);
    expect(fit.temperature).toBeLessThan(3.5);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore - 0.5);

    const after = logits.map((z) => softmaxWithTemperature(z, fit.temperature));
    // After, confidences sit around 0.7 split between the 0.6 and 0.7 bins; what is left of ECE is
    // the sampling noise of each bin's accuracy (about sqrt(0.21 / 100) = 0.046 per bin of ~100).
    expect(Math.abs(meanConfidence(after) - 0.7)).toBeLessThan(0.05);
    const eceAfter = expectedCalibrationError(after, labels);
    expect(eceAfter).toBeLessThan(0.08);
    expect(eceAfter).toBeLessThan(eceBefore / 3);

    // Dividing by one T > 0 keeps every row's ranking: the same predictions, the same accuracy.
    after.forEach((p, i) => expect(topLabel(p).index).toBe(topLabel(logits[i]).index));
    expect(accuracyOf(after, labels)).toBe(accuracyOf(logits, labels));
    expect(accuracyOf(after, labels)).toBe(0.7);
  });

  it('matches the closed form when every row has the same margin', () => {
    // c = e^(6/T) / (e^(6/T) + 4) and the NLL is -(0.7 ln c + 0.3 ln((1 - c) / 4)), least at c = 0.7:
    // T = 6 / ln(28 / 3) = 2.6862, NLL = -(0.7 ln 0.7 + 0.3 ln 0.075) = 1.0267.
    const { logits, labels } = heldOut(200, 5, 0.7, 6, 0, 3);
    const fit = fitTemperature(logits, labels);
    expect(fit.temperature).toBeCloseTo(6 / Math.log(28 / 3), 6);
    expect(fit.nllAfter).toBeCloseTo(-(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3 / 4)), 9);
    const c = Math.exp(6) / (Math.exp(6) + 4);
    expect(fit.nllBefore).toBeCloseTo(-(0.7 * Math.log(c) + 0.3 * Math.log((1 - c) / 4)), 9);
    const after = logits.map((z) => softmaxWithTemperature(z, fit.temperature));
    expect(expectedCalibrationError(after, labels)).toBeLessThan(1e-6);
  });

  it('sharpens an underconfident classifier (29% sure, 90% right): T < 1', () => {
    // e^0.5 / (e^0.5 + 4) = 0.29; the best T makes it 0.9: 0.5 / ln(4 * 0.9 / 0.1) = 0.14.
    const { logits, labels } = heldOut(200, 5, 0.9, 0.5, 0.05, 5);
    const before = logits.map((z) => softmaxWithTemperature(z, 1));
    expect(meanConfidence(before)).toBeLessThan(0.35);
    const fit = fitTemperature(logits, labels);
    expect(fit.temperature).toBeLessThan(0.2);
    expect(fit.temperature).toBeGreaterThan(0.1);
    const after = logits.map((z) => softmaxWithTemperature(z, fit.temperature));
    expect(expectedCalibrationError(after, labels)).toBeLessThan(expectedCalibrationError(before, labels) / 3);
    expect(accuracyOf(after, labels)).toBe(accuracyOf(before, labels));
  });

  it('finds the same minimum as a brute-force grid over log T', () => {
    const rng = new Rng(21);
    const logits: Float64Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 40; i++) {
      const row = Float64Array.from({ length: 4 }, () => 3 * rng.normal());
      logits.push(row);
      labels.push(rng.next() < 0.6 ? topLabel(row).index : rng.int(4));
    }
    let grid = { temperature: NaN, nll: Infinity };
    const points = 40000;
    for (let k = 0; k <= points; k++) {
      const temperature = Math.exp(Math.log(MIN_TEMPERATURE) + (k / points) * Math.log(MAX_TEMPERATURE / MIN_TEMPERATURE));
      const nll = meanNegativeLogLikelihood(logits, labels, temperature);
      if (nll < grid.nll) grid = { temperature, nll };
    }
    // An interior minimum, or this would only test the bounds.
    expect(grid.temperature).toBeGreaterThan(0.1);
    expect(grid.temperature).toBeLessThan(10);
    const fit = fitTemperature(logits, labels);
    expect(Math.abs(fit.temperature / grid.temperature - 1)).toBeLessThan(1e-3);
    expect(fit.nllAfter).toBeLessThanOrEqual(grid.nll + 1e-12);
    expect(fit.nllAfter).toBeCloseTo(meanNegativeLogLikelihood(logits, labels, fit.temperature), 12);
    expect(fit.nllBefore).toBeCloseTo(meanNegativeLogLikelihood(logits, labels, 1), 12);
  });

  it('never makes the NLL worse than T = 1', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Rng(seed);
      const logits = Array.from({ length: 15 }, () => Float64Array.from({ length: 3 }, () => rng.normal() * (seed % 5)));
      const labels = logits.map(() => rng.int(3));
      const fit = fitTemperature(logits, labels);
      expect(fit.nllAfter).toBeLessThanOrEqual(fit.nllBefore);
      expect(fit.temperature).toBeGreaterThanOrEqual(MIN_TEMPERATURE);
      expect(fit.temperature).toBeLessThanOrEqual(MAX_TEMPERATURE);
    }
  });

  it('goes to the lower bound, not NaN, when every prediction is right with a growing margin', () => {
    const logits = Array.from({ length: 10 }, (_, i) => [i + 1, 0, 0]);
    const labels = logits.map(() => 0);
    const fit = fitTemperature(logits, labels);
    expect(fit.temperature).toBe(MIN_TEMPERATURE);
    expect(Number.isFinite(fit.nllAfter)).toBe(true);
    expect(fit.nllAfter).toBeGreaterThanOrEqual(0);
    expect(fit.nllAfter).toBeLessThan(1e-6);
    expect(softmaxWithTemperature(logits[9], fit.temperature)[0]).toBe(1);
  });

  it('goes to the upper bound when every prediction is wrong, and stays at 1 when no temperature helps', () => {
    const wrong = fitTemperature(Array.from({ length: 6 }, (_, i) => [i + 1, 0]), new Array(6).fill(1));
    expect(wrong.temperature).toBe(MAX_TEMPERATURE);
    // Equal logits in every row: softmax is uniform at any T, the NLL is ln 3 throughout.
    const flat = fitTemperature([[2, 2, 2], [-1, -1, -1]], [0, 2]);
    expect(flat.temperature).toBe(1);
    expect(flat.nllBefore).toBeCloseTo(Math.log(3), 12);
    expect(flat.nllAfter).toBe(flat.nllBefore);
  });

  it('refuses bad input with a message saying what to pass', () => {
    expect(() => fitTemperature([], [])).toThrow(/at least one held-out prediction/);
    expect(() => fitTemperature([[1, 2]], [0, 1])).toThrow(/1 rows of logits but 2 labels/);
    expect(() => fitTemperature([[1, 2]], [2])).toThrow(/Label 2 of row 0 is not a class index below 2/);
    expect(() => fitTemperature([[1, 2]], [0.5])).toThrow(/Label 0.5/);
    expect(() => fitTemperature([[1, 2], [1, 2, 3]], [0, 0])).toThrow(/Row 1 has 3 logits but row 0 has 2/);
    expect(() => fitTemperature([[1, -Infinity]], [0])).toThrow(/Logit 1 of row 0 is -Infinity; logits must be finite/);
    expect(() => fitTemperature([[1, NaN]], [0])).toThrow(/is NaN/);
    expect(() => fitTemperature([[1]], [0])).toThrow(/at least 2 classes/);
    expect(() => meanNegativeLogLikelihood([[1, 2]], [0], 0)).toThrow(/finite number above 0, got 0/);
  });
});

describe('softmaxWithTemperature', () => {
  it('is the softmax at T = 1, stable for large logits, and keeps the argmax at any T', () => {
    const p = softmaxWithTemperature([0, Math.log(3)], 1);
    expect(p[0]).toBeCloseTo(0.25, 15);
    expect(p[1]).toBeCloseTo(0.75, 15);
    // Dividing logits by 2 is the square root of the odds: 3 -> sqrt 3.
    const half = softmaxWithTemperature([0, Math.log(3)], 2);
    expect(half[1] / half[0]).toBeCloseTo(Math.sqrt(3), 12);
    const big = softmaxWithTemperature([1000, 999, -1000], 1);
    expect([...big].every(Number.isFinite)).toBe(true);
    expect(big[0] / big[1]).toBeCloseTo(Math.E, 12);
    for (const t of [0.01, 0.3, 1, 7, 100]) expect(topLabel(softmaxWithTemperature([0.2, 1.5, -3, 1.4], t)).index).toBe(1);
  });

  it('refuses a bad temperature or logits', () => {
    for (const t of [0, -1, NaN, Infinity]) expect(() => softmaxWithTemperature([1, 2], t)).toThrow(/temperature must be a finite number above 0/);
    expect(() => softmaxWithTemperature([], 1)).toThrow(/at least one logit/);
    expect(() => softmaxWithTemperature([1, Infinity], 1)).toThrow(/Logit 1 is Infinity/);
  });
});

describe('reliabilityBins and expectedCalibrationError', () => {
  // Four predictions, 10 bins:
  //   0.95 right and 0.92 wrong -> bin [0.9, 1]:  accuracy 0.5, confidence 0.935, gap 0.435, weight 2/4
  //   0.60 right                -> bin [0.6, 0.7): accuracy 1,   confidence 0.6,   gap 0.4,   weight 1/4
  //   0.45 wrong                -> bin [0.4, 0.5): accuracy 0,   confidence 0.45,  gap 0.45,  weight 1/4
  // ECE = 0.2175 + 0.1 + 0.1125 = 0.43.
  const probabilities = [
    [0.95, 0.03, 0.02],
    [0.04, 0.92, 0.04],
    [0.6, 0.3, 0.1],
    [0.45, 0.35, 0.2],
  ];
  const labels = [0, 0, 0, 1];

  it('matches a hand computation', () => {
    expect(expectedCalibrationError(probabilities, labels)).toBeCloseTo(0.43, 12);
    const bins = reliabilityBins(probabilities, labels);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 1, 0, 0, 2]);
    expect(bins[9]).toEqual({ lower: 0.9, upper: 1, count: 2, accuracy: 0.5, confidence: expect.closeTo(0.935, 12) });
    expect(bins[6]).toMatchObject({ lower: 0.6, upper: 0.7, count: 1, accuracy: 1, confidence: 0.6 });
    expect(bins[4]).toMatchObject({ count: 1, accuracy: 0, confidence: 0.45 });
    expect(bins[0].accuracy).toBeNaN();
    expect(bins[0].confidence).toBeNaN();
  });

  it('counts every prediction once, puts a boundary in the bin above and 1 in the last bin', () => {
    const rows = [[1, 0], [0.3, 0.7], [0.7, 0.3], [0.5, 0.5]];
    const bins = reliabilityBins(rows, [0, 1, 1, 0]);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(rows.length);
    expect(bins[9].count).toBe(1);
    expect(bins[7].count).toBe(2);
    expect(bins[5].count).toBe(1);
    // [0.5, 0.5] predicts class 0 (the first on ties), which is right.
    expect(bins[5].accuracy).toBe(1);
    const { logits, labels: many } = heldOut(137, 4, 0.6, 2, 1, 8);
    const probs = logits.map((z) => softmaxWithTemperature(z, 1));
    for (const count of [1, 3, 10, 15]) {
      const b = reliabilityBins(probs, many, count);
      expect(b.reduce((s, x) => s + x.count, 0)).toBe(137);
      // ECE is the bins' weighted gap, so the two cannot disagree.
      const fromBins = b.filter((x) => x.count > 0).reduce((s, x) => s + (x.count / 137) * Math.abs(x.accuracy - x.confidence), 0);
      expect(expectedCalibrationError(probs, many, count)).toBeCloseTo(fromBins, 14);
    }
    // With one bin, ECE is |accuracy - mean confidence|.
    expect(expectedCalibrationError(probs, many, 1)).toBeCloseTo(Math.abs(accuracyOf(probs, many) - meanConfidence(probs)), 14);
  });

  it('is 0 for perfect confidence and refuses logits, bad labels and bad bin counts', () => {
    expect(expectedCalibrationError([[1, 0], [0, 1]], [0, 1])).toBe(0);
    expect(() => expectedCalibrationError([], [])).toThrow(/at least one prediction/);
    expect(() => expectedCalibrationError([[2, -1]], [0])).toThrow(/Probability 0 of row 0 is 2.*pass softmax outputs, not logits/);
    expect(() => expectedCalibrationError([[0.5, 0.4]], [0])).toThrow(/add up to 0.9, not 1/);
    expect(() => expectedCalibrationError([[0.5, 0.5]], [2])).toThrow(/Label 2 of row 0 is not a class index below 2/);
    expect(() => expectedCalibrationError([[0.5, 0.5]], [0, 1])).toThrow(/1 rows of probabilities but 2 labels/);
    expect(() => reliabilityBins([[0.5, 0.5]], [0], 0)).toThrow(/whole number of at least 1, got 0/);
    expect(() => reliabilityBins([[0.5, 0.5]], [0], 2.5)).toThrow(/got 2.5/);
  });
});
