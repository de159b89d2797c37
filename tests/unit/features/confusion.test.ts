// The confusion matrix and the mistakes list on hand-made predictions (pure TypeScript, no tfjs):
// the counts land in [true][predicted], per-class accuracy reads the diagonal over the row, the
// mistakes come most confident first with ties by key, a clicked cell gives its images, and bad
// input is refused with a message saying what to pass.
import { describe, expect, it } from 'vitest';
import { cellImages, confusionMatrix, mistakes, perClassAccuracy, predictions, type ScoredImage } from '../../../src/core/features/confusion';

// Three classes (cat 0, dog 1, fox 2), seven images:
//   c1 cat->cat 0.8   c2 cat->dog 0.9   c3 cat->dog 0.6
//   d1 dog->dog 0.7   d2 dog->fox 0.6   f1 fox->fox 0.5   f2 fox->cat 0.9
const items: ScoredImage[] = [
  { key: 'c1', trueLabel: 0, probabilities: [0.8, 0.15, 0.05] },
  { key: 'c2', trueLabel: 0, probabilities: [0.05, 0.9, 0.05] },
  { key: 'c3', trueLabel: 0, probabilities: [0.3, 0.6, 0.1] },
  { key: 'd1', trueLabel: 1, probabilities: [0.1, 0.7, 0.2] },
  { key: 'd2', trueLabel: 1, probabilities: [0.1, 0.3, 0.6] },
  { key: 'f1', trueLabel: 2, probabilities: Float64Array.from([0.25, 0.25, 0.5]) },
  { key: 'f2', trueLabel: 2, probabilities: [0.9, 0.0, 0.1] },
];

describe('confusionMatrix and perClassAccuracy', () => {
  it('counts true classes in rows and predictions in columns', () => {
    const p = predictions(items);
    const matrix = confusionMatrix(p.map((x) => x.trueLabel), p.map((x) => x.predicted), 3);
    expect(matrix).toEqual([
      [1, 2, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(perClassAccuracy(matrix)).toEqual([
      { correct: 1, total: 3, accuracy: 1 / 3 },
      { correct: 1, total: 2, accuracy: 0.5 },
      { correct: 1, total: 2, accuracy: 0.5 },
    ]);
  });

  it('gives a class with no images accuracy NaN, not 0', () => {
    const matrix = confusionMatrix([0, 0, 1], [0, 1, 1], 3);
    expect(matrix[2]).toEqual([0, 0, 0]);
    const rows = perClassAccuracy(matrix);
    expect(rows[0]).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(rows[2].total).toBe(0);
    expect(rows[2].accuracy).toBeNaN();
    expect(confusionMatrix([], [], 2)).toEqual([[0, 0], [0, 0]]);
  });

  it('refuses bad input', () => {
    expect(() => confusionMatrix([0], [0], 0)).toThrow(/at least 1, got 0/);
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 true labels but 1 predictions/);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/True label of image 1: 3 is not a class index below 3/);
    expect(() => confusionMatrix([0], [-1], 3)).toThrow(/Prediction for image 0: -1 is not a class index/);
    expect(() => perClassAccuracy([[1, 0], [0]])).toThrow(/Row 1 of the confusion matrix has 1 columns; a matrix of 2 classes needs 2/);
    expect(() => perClassAccuracy([[1, 0.5], [0, 1]])).toThrow(/holds 0.5/);
  });
});

describe('mistakes and cellImages', () => {
  it('lists the wrong predictions only, most confident first, ties by key', () => {
    expect(mistakes(items)).toEqual([
      { key: 'c2', trueLabel: 0, predicted: 1, confidence: 0.9, trueProbability: 0.05 },
      { key: 'f2', trueLabel: 2, predicted: 0, confidence: 0.9, trueProbability: 0.1 },
      { key: 'c3', trueLabel: 0, predicted: 1, confidence: 0.6, trueProbability: 0.3 },
      { key: 'd2', trueLabel: 1, predicted: 2, confidence: 0.6, trueProbability: 0.3 },
    ]);
    // The order does not depend on the input order.
    expect(mistakes([...items].reverse()).map((m) => m.key)).toEqual(['c2', 'f2', 'c3', 'd2']);
    expect(mistakes(items.filter((i) => ['c1', 'd1'].includes(i.key)))).toEqual([]);
  });

  it('gives the images of one cell, the diagonal being the right ones', () => {
    expect(cellImages(items, 0, 1)).toEqual([
      { key: 'c2', confidence: 0.9 },
      { key: 'c3', confidence: 0.6 },
    ]);
    expect(cellImages(items, 2, 2)).toEqual([{ key: 'f1', confidence: 0.5 }]);
    expect(cellImages(items, 1, 0)).toEqual([]);
    // Every image is in exactly one cell, and the cells agree with the matrix.
    const p = predictions(items);
    const matrix = confusionMatrix(p.map((x) => x.trueLabel), p.map((x) => x.predicted), 3);
    let total = 0;
    for (let t = 0; t < 3; t++) {
      for (let q = 0; q < 3; q++) {
        expect(cellImages(items, t, q)).toHaveLength(matrix[t][q]);
        total += matrix[t][q];
      }
    }
    expect(total).toBe(items.length);
  });

  it('refuses repeated keys, bad labels, logits and a cell outside the matrix', () => {
    expect(() => mistakes([...items, { key: 'c1', trueLabel: 0, probabilities: [1, 0, 0] }])).toThrow(/Image key "c1" appears twice/);
    expect(() => mistakes([{ key: 'x', trueLabel: 3, probabilities: [0.5, 0.3, 0.2] }])).toThrow(/True label of image "x": 3 is not a class index below 3/);
    expect(() => mistakes([{ key: 'x', trueLabel: 0, probabilities: [2.1, -0.3] }])).toThrow(/Probability 0 of image "x" is 2.1.*not logits/);
    expect(() => mistakes([{ key: 'x', trueLabel: 0, probabilities: [] }])).toThrow(/has no class probabilities/);
    expect(() => mistakes([items[0], { key: 'y', trueLabel: 0, probabilities: [0.5, 0.5] }])).toThrow(/Image "y" has 2 class probabilities but image "c1" has 3/);
    expect(() => cellImages(items, 3, 0)).toThrow(/The cell's true class 3 is not a class index below 3/);
    expect(() => cellImages(items, 0, -1)).toThrow(/The cell's predicted class -1/);
  });
});
