// The feature classifiers and the accuracy protocols, on synthetic features (pure TypeScript, no
// tfjs): nearest prototype and the linear head separate well-separated classes, leave-one-out on
// random labels stays near chance (so a leak of the left-out image would fail it), episodes
// replay from their seed, and impossible protocols are refused naming the class and what to do.
import { describe, expect, it } from 'vitest';
import { checkProtocol, estimateAccuracy, type EstimateInput } from '../../../src/core/features/accuracyEstimate';
import { argMax, classifyFeatures, DEFAULT_HEAD, linearLogits, headClassifier, prototypeClassifier, type LinearClassifier } from '../../../src/core/features/featureClassifiers';
import { Rng } from '../../../src/core/rng';

/** `perClass` rows of `size` features around a class centre (spread `noise`), labels in class order. */
function clusters(classes: number, perClass: number, size: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: size }, () => rng.normal() * 3));
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      rows.push(Float32Array.from(centres[c], (v) => v + rng.normal() * noise));
      labels.push(c);
    }
  }
  return { rows, labels };
}

function input(rows: Float32Array[], labels: number[], classes: number, build: (r: Float32Array[], l: number[]) => LinearClassifier): EstimateInput {
  return {
    kind: 'prototype',
    classes: Array.from({ length: classes }, (_, c) => `class ${c}`),
    labels,
    keys: rows.map((_, i) => `img${i}`),
    describe: 'test',
    classify: async (support, query) =>
      linearLogits(build(support.map((i) => rows[i]), support.map((i) => labels[i])), query.map((i) => rows[i])),
  };
}

describe('feature classifiers', () => {
  it('nearest prototype gives softmax of minus squared distances to the class means', () => {
    const rows = [Float32Array.of(0, 0), Float32Array.of(2, 0), Float32Array.of(10, 10), Float32Array.of(10, 12)];
    const classifier = prototypeClassifier(rows, [0, 0, 1, 1], 2);
    const [p] = classifyFeatures(classifier, [Float32Array.of(3, 1)]);
    // Means (1, 0) and (10, 11): squared distances 5 and 149.
    const expected0 = 1 / (1 + Math.exp(-(149 - 5)));
    expect(p[0]).toBeCloseTo(expected0, 12);
    const [q] = classifyFeatures(classifier, [Float32Array.of(5.5, 5.5)]);
    // (5.5,5.5): distances 4.5^2+5.5^2 = 50.5 and 4.5^2+5.5^2 = 50.5: a tie.
    expect(q[0]).toBeCloseTo(0.5, 9);
  });

  it('the head learns well-separated classes and is the same on every fit (no random start)', () => {
    const { rows, labels } = clusters(3, 6, 20, 1, 1);
    const a = headClassifier(rows, labels, 3);
    const b = headClassifier(rows, labels, 3, { ...DEFAULT_HEAD });
    expect(Array.from(a.kernel)).toEqual(Array.from(b.kernel));
    const test = clusters(3, 6, 20, 1, 1); // same centres and noise stream: training images
    const predicted = classifyFeatures(a, test.rows).map(argMax);
    expect(predicted).toEqual(labels);
    expect(() => headClassifier(rows, labels, 3, { steps: 0, learningRate: 0.01, weightDecay: 0 })).toThrow(/Head steps must be a whole number from 1 to 5000, got 0/);
  });
});

describe('accuracy estimates', () => {
  it('leave-one-out: near perfect on separated classes, near chance on random labels', async () => {
    const { rows, labels } = clusters(3, 8, 16, 1.5, 2);
    for (const build of [(r: Float32Array[], l: number[]) => prototypeClassifier(r, l, 3), (r: Float32Array[], l: number[]) => headClassifier(r, l, 3)]) {
      const good = await estimateAccuracy({ kind: 'leaveOneOut' }, input(rows, labels, 3, build));
      expect(good.summary.mean).toBeGreaterThan(0.95);
      expect(good.summary.episodes).toBe(24);
      expect(good.perImage).toHaveLength(24);
      expect(good.chance).toBeCloseTo(1 / 3);
      expect(good.settings).toMatch(/^leave-one-out over 24 images of 3 classes \(each classified from the other 23\)/);
      // Right/wrong per image: Wilson's interval, which keeps a width even when every image is right.
      expect(good.interval.method).toBe('wilson');
      expect(good.interval.low).toBeLessThan(good.summary.mean);
      expect(good.interval.high).toBeLessThanOrEqual(1);
      expect(good.interval.high - good.interval.low).toBeGreaterThan(0.05);
    }
    // Pure noise with random labels: no classifier can beat chance, and a leak would.
    const rng = new Rng(5);
    const noise = Array.from({ length: 60 }, () => Float32Array.from({ length: 16 }, () => rng.normal()));
    const randomLabels = rng.shuffle(Array.from({ length: 60 }, (_, i) => i % 3));
    const chance = await estimateAccuracy({ kind: 'leaveOneOut' }, input(noise, randomLabels, 3, (r, l) => prototypeClassifier(r, l, 3)));
    expect(chance.summary.mean).toBeLessThan(0.5);
    expect(chance.summary.mean).toBeGreaterThan(0.1);
  });

  it('episodes replay from their seed and differ across seeds', async () => {
    const { rows, labels } = clusters(3, 6, 8, 4, 3);
    const make = () => input(rows, labels, 3, (r, l) => prototypeClassifier(r, l, 3));
    const a = await estimateAccuracy({ kind: 'episodes', shot: 1, episodes: 20, seed: 7 }, make());
    const b = await estimateAccuracy({ kind: 'episodes', shot: 1, episodes: 20, seed: 7 }, make());
    const c = await estimateAccuracy({ kind: 'episodes', shot: 1, episodes: 20, seed: 8 }, make());
    expect(a.summary).toEqual(b.summary);
    expect(a.summary).not.toEqual(c.summary);
    expect(a.summary.episodes).toBe(20);
    // Each image drawn as a query at least once has its mean prediction over those episodes.
    expect(a.perImage.length).toBeLessThanOrEqual(18);
    expect(a.perImage.reduce((n, p) => n + (p.times ?? 0), 0)).toBe(20 * 15);
    expect(a.settings).toMatch(/^20 episodes of 3 classes over 18 images: 1 support image per class drawn at random \(seed 7\), the other 15 as queries/);
  });

  it('refuses protocols the images cannot support, naming the class and what to do', () => {
    const classes = ['cats', 'dogs', 'owls'];
    const labels = [0, 0, 0, 1, 1, 2];
    expect(() => checkProtocol({ kind: 'leaveOneOut' }, classes, labels)).toThrow(
      'Leave-one-out needs at least 2 images in every class (a left-out image\'s class must keep one); "owls" has fewer. Add images to it.',
    );
    expect(() => checkProtocol({ kind: 'episodes', shot: 2, episodes: 10, seed: 1 }, classes, labels)).toThrow(
      'Class "dogs" has 2 images; 2-shot episodes need more than 2 per class (2 to learn from and at least 1 to test). Add images to "dogs" or lower the shot.',
    );
    expect(() => checkProtocol({ kind: 'episodes', shot: 1, episodes: 0, seed: 1 }, classes, [0, 0, 1, 1, 2, 2])).toThrow(/Episodes must be a whole number from 1 to 1000, got 0/);
    expect(() => checkProtocol({ kind: 'episodes', shot: 1, episodes: 5, seed: 0.5 }, classes, [0, 0, 1, 1, 2, 2])).toThrow(/seed .* must be a whole number/);
  });
});
