// Calibration as the "Your images" page does it, on made-up features (pure TypeScript, no tfjs): a
// nearest prototype on far-apart, noisy clusters is overconfident; leave-one-out and episode
// estimates fit a temperature above 1, the cross-fitted calibration error falls a lot and the
// accuracy and every prediction stay exactly the same. With too few images nothing is fitted and
// the reason is given. Also the folds calibration is held out on, and the "not sure" rule.
import { describe, expect, it } from 'vitest';
import { estimateAccuracy, type SubsetClassifier } from '../../../src/core/features/accuracyEstimate';
import { calibrate, isNotSure, logitsOfProbabilities, notSureBelow, MIN_CALIBRATION_PREDICTIONS } from '../../../src/core/features/calibrate';
import { linearLogits, prototypeClassifier } from '../../../src/core/features/featureClassifiers';
import { foldsOf, heldOutLogits, describeFolds } from '../../../src/core/features/heldOut';
import { Rng } from '../../../src/core/rng';

/**
 * `perClass` feature vectors of each of `classes` classes in `size` dimensions: class centres
 * N(0, spread^2) per dimension plus N(0, 1) noise per dimension, so classes overlap (accuracy well
 * below 100%) while differences of squared distances are in the tens: softmax(-d^2) says ~100% anyway.
 */
function overconfident(classes: number, perClass: number, size = 128, spread = 0.25, seed = 5) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Float64Array.from({ length: size }, () => rng.normal() * spread));
  const features: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      features.push(Float32Array.from(centres[c], (v) => v + rng.normal()));
      labels.push(c);
    }
  }
  return { features, labels };
}

const prototypeScorer =
  (features: Float32Array[], labels: number[], classes: number): SubsetClassifier =>
  async (support, query) =>
    linearLogits(prototypeClassifier(support.map((i) => features[i]), support.map((i) => labels[i]), classes), query.map((i) => features[i]));

describe('calibrated accuracy estimates', () => {
  const classes = 5;
  const { features, labels } = overconfident(classes, 15);
  const input = {
    kind: 'prototype' as const,
    classes: ['a', 'b', 'c', 'd', 'e'],
    labels,
    keys: labels.map((_, i) => `img-${i}`),
    classify: prototypeScorer(features, labels, classes),
    describe: 'nearest prototype on 128 made-up features',
  };

  it('leave-one-out: T > 1, the cross-fitted ECE falls by more than half, the accuracy and every prediction stay the same', async () => {
    const estimate = await estimateAccuracy({ kind: 'leaveOneOut' }, input);
    const { calibration } = estimate;
    // Overlapping classes: some mistakes, many right answers.
    expect(estimate.summary.mean).toBeGreaterThan(0.5);
    expect(estimate.summary.mean).toBeLessThan(0.9);
    expect(calibration).toMatchObject({ calibrated: true, predictions: 75, images: 75, heldOutBy: 'leave-one-out' });
    expect(calibration.temperature).toBeGreaterThan(3);
    // Raw scores: nearly every prediction at ~100%, so ECE is about the error rate.
    expect(calibration.eceBefore).toBeGreaterThan(0.6 * (1 - estimate.summary.mean));
    expect(calibration.eceAfter).toBeLessThan(calibration.eceBefore / 2);
    // The bins hold every prediction, before and after.
    expect(calibration.binsBefore.reduce((n, b) => n + b.count, 0)).toBe(75);
    expect(calibration.binsAfter.reduce((n, b) => n + b.count, 0)).toBe(75);
    // Each image's calibrated prediction is its raw one: accuracy unchanged.
    const raw = await Promise.all(labels.map((_, i) => input.classify(labels.map((__, j) => j).filter((j) => j !== i), [i]).then((r) => r[0])));
    const rawPredicted = raw.map((row) => Array.from(row).indexOf(Math.max(...Array.from(row))));
    expect(estimate.perImage.map((p) => p.predicted)).toEqual(rawPredicted);
    expect(estimate.perImage.filter((p) => p.predicted === p.label).length / 75).toBeCloseTo(estimate.summary.mean, 12);
    for (const p of estimate.perImage) expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // Calibrated confidences are no longer all ~100%.
    const mean = estimate.perImage.reduce((s, p) => s + Math.max(...p.probabilities), 0) / 75;
    expect(Math.abs(mean - estimate.summary.mean)).toBeLessThan(0.15);
  });

  it('episodes: calibrated on every query of every episode, one mean prediction per image', async () => {
    const estimate = await estimateAccuracy({ kind: 'episodes', shot: 3, episodes: 20, seed: 1 }, input);
    expect(estimate.calibration).toMatchObject({ calibrated: true, predictions: 20 * (75 - 15), images: 75, heldOutBy: '20 episodes' });
    expect(estimate.calibration.eceAfter).toBeLessThan(estimate.calibration.eceBefore / 2);
    expect(estimate.perImage.length).toBeLessThanOrEqual(75);
    expect(estimate.perImage.reduce((n, p) => n + p.times!, 0)).toBe(20 * 60);
  });

  it('keeps T = 1 and says why with too few images, or a class of one image', () => {
    const few = calibrate({ logits: [[5, 0], [0, 5], [5, 0]], labels: [0, 1, 1], imageOf: [0, 1, 2], imagesPerClass: [1, 2], heldOutBy: 'leave-one-out' });
    expect(few.summary).toMatchObject({ calibrated: false, temperature: 1 });
    expect(few.summary.reason).toMatch(/at least 2 images in every class/);
    const rows = Array.from({ length: MIN_CALIBRATION_PREDICTIONS - 1 }, (_, i) => (i % 2 ? [9, 0] : [0, 9]));
    const nine = calibrate({ logits: rows, labels: rows.map(() => 0), imageOf: rows.map((_, i) => i), imagesPerClass: [5, 4], heldOutBy: 'leave-one-out' });
    expect(nine.summary).toMatchObject({ calibrated: false, temperature: 1 });
    expect(nine.summary.reason).toBe('Calibration needs at least 10 images (here 9); the probabilities shown are the classifier’s raw scores. Add images to calibrate them.');
    // Not calibrated: "after" is "before".
    expect(nine.summary.eceAfter).toBe(nine.summary.eceBefore);
  });
});

describe('every held-out prediction right', () => {
  it('does not make every answer 100%: the mean confidence is held at (n + 1) / (n + 2)', () => {
    const rng = new Rng(3);
    const labels = Array.from({ length: 15 }, (_, i) => i % 3);
    const logits = labels.map((l) => Array.from({ length: 3 }, (_, c) => (c === l ? 4 + rng.uniform(0, 2) : rng.uniform(0, 1))));
    const { summary, probabilities } = calibrate({ logits, labels, imageOf: labels.map((_, i) => i), imagesPerClass: [5, 5, 5], heldOutBy: 'leave-one-out' });
    expect(summary.capped).toBe(true);
    // Likelihood alone would go to the lower bound, T = 0.01.
    expect(summary.temperature).toBeGreaterThan(0.5);
    const mean = (rows: ArrayLike<number>[]) => rows.reduce((s, r) => s + Math.max(...Array.from(r)), 0) / rows.length;
    const atT = logits.map((row) => Array.from(row, (v) => Math.exp(v / summary.temperature))).map((e) => e.map((v) => v / e.reduce((a, b) => a + b, 0)));
    expect(mean(atT)).toBeCloseTo(16 / 17, 6);
    expect(mean(probabilities)).toBeLessThan(0.99);
    // One mistake: the likelihood's own optimum, no cap.
    const oneWrong = [...labels];
    oneWrong[0] = 1;
    expect(calibrate({ logits, labels: oneWrong, imageOf: labels.map((_, i) => i), imagesPerClass: [4, 6, 5], heldOutBy: 'leave-one-out' }).summary.capped).toBe(false);
  });
});

describe('held-out folds', () => {
  it('leave-one-out when k reaches the number of images; otherwise stratified folds within one in size', async () => {
    const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
    expect(foldsOf(labels, 3, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const folds = foldsOf(labels, 3, 4);
    expect(folds).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(describeFolds(folds)).toBe('4-fold cross-validation');
    // Every fold's training part keeps every class.
    for (let f = 0; f < 4; f++) expect(new Set(labels.filter((_, i) => folds[i] !== f)).size).toBe(3);
    const seen: Array<{ support: number[]; query: number[] }> = [];
    const logits = await heldOutLogits(folds, async (support, query) => {
      seen.push({ support, query });
      return query.map((i) => [i, -i]);
    });
    expect(logits.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const { support, query } of seen) expect(support.some((i) => query.includes(i))).toBe(false);
  });
});

describe('not sure', () => {
  it('is below halfway between chance and certainty', () => {
    expect(notSureBelow(2)).toBe(0.75);
    expect(notSureBelow(5)).toBeCloseTo(0.6, 12);
    expect(isNotSure([0.7, 0.3])).toBe(true);
    expect(isNotSure([0.8, 0.2])).toBe(false);
    expect(isNotSure([0.55, 0.2, 0.1, 0.1, 0.05])).toBe(true);
    expect(isNotSure([0.65, 0.2, 0.1, 0.05, 0])).toBe(false);
    // A run's probabilities as logits: a zero probability stays finite.
    expect(Array.from(logitsOfProbabilities([1, 0]))).toEqual([0, Math.log(1e-12)]);
  });
});
