// Where a classifier of the user's own images goes wrong: the confusion matrix (which class is
// taken for which), each class's accuracy, the mistakes it is most sure of, and the images behind
// one cell of the matrix (what the page shows when a cell is clicked). An overall accuracy hides
// that one class may be always right and another half the time mistaken for its neighbour; the
// confident mistakes are usually mislabelled or unusual images worth looking at first.
// Plain TypeScript, no tfjs: the page's main thread may import it.
import { topLabel } from './calibration';

/** One image's held-out (e.g. leave-one-out) class probabilities, with its key and true class. */
export interface ScoredImage {
  key: string;
  trueLabel: number;
  probabilities: ArrayLike<number>;
}

/** What the classifier said about one image. */
export interface Prediction {
  key: string;
  trueLabel: number;
  /** The most probable class (the first, on ties). */
  predicted: number;
  /** The predicted class's probability. */
  confidence: number;
  /** The true class's probability (equal to confidence when the prediction is right). */
  trueProbability: number;
}

function checkClassIndex(what: string, value: number, classes: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= classes) throw new Error(`${what} ${value} is not a class index below ${classes}.`);
}

/**
 * counts[t][p]: how many images of true class t were predicted as class p. Rows are true classes,
 * columns predictions, so the diagonal holds the right answers and a row sums to the class's images.
 */
export function confusionMatrix(trueLabels: number[], predicted: number[], classes: number): number[][] {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`A confusion matrix needs a whole number of classes of at least 1, got ${classes}.`);
  if (trueLabels.length !== predicted.length) throw new Error(`${trueLabels.length} true labels but ${predicted.length} predictions; pass one prediction per image.`);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  trueLabels.forEach((t, i) => {
    checkClassIndex(`True label of image ${i}:`, t, classes);
    checkClassIndex(`Prediction for image ${i}:`, predicted[i], classes);
    matrix[t][predicted[i]]++;
  });
  return matrix;
}

/**
 * Each true class's right answers (the diagonal), images (the row sum) and accuracy (their ratio).
 * A class with no images has accuracy NaN, not 0: it was never tested, so the page shows "no images".
 */
export function perClassAccuracy(matrix: number[][]): { correct: number; total: number; accuracy: number }[] {
  const classes = matrix.length;
  return matrix.map((row, t) => {
    if (row.length !== classes) throw new Error(`Row ${t} of the confusion matrix has ${row.length} columns; a matrix of ${classes} classes needs ${classes}.`);
    for (const v of row) if (!(Number.isInteger(v) && v >= 0)) throw new Error(`Row ${t} of the confusion matrix holds ${v}; counts must be whole numbers of at least 0.`);
    const total = row.reduce((a, b) => a + b, 0);
    const correct = row[t];
    return { correct, total, accuracy: total > 0 ? correct / total : NaN };
  });
}

/** Confidence descending, then key ascending (by code unit, not locale), so equal confidences keep one order everywhere. */
function byConfidence(a: { key: string; confidence: number }, b: { key: string; confidence: number }): number {
  if (a.confidence !== b.confidence) return b.confidence - a.confidence;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Every image's prediction, in input order; throws on a repeated key, a bad label or bad probabilities. */
export function predictions(items: ScoredImage[]): Prediction[] {
  const seen = new Set<string>();
  return items.map(({ key, trueLabel, probabilities }) => {
    if (seen.has(key)) throw new Error(`Image key "${key}" appears twice; every image needs its own key.`);
    seen.add(key);
    if (probabilities.length === 0) throw new Error(`Image "${key}" has no class probabilities.`);
    if (probabilities.length !== items[0].probabilities.length) {
      throw new Error(`Image "${key}" has ${probabilities.length} class probabilities but image "${items[0].key}" has ${items[0].probabilities.length}; every image needs one per class.`);
    }
    for (let c = 0; c < probabilities.length; c++) {
      const p = probabilities[c];
      if (!(p >= 0 && p <= 1)) throw new Error(`Probability ${c} of image "${key}" is ${p}; probabilities must be from 0 to 1 (pass softmax outputs, not logits).`);
    }
    checkClassIndex(`True label of image "${key}":`, trueLabel, probabilities.length);
    const { index, value } = topLabel(probabilities);
    return { key, trueLabel, predicted: index, confidence: value, trueProbability: probabilities[trueLabel] };
  });
}

/** The wrong predictions only, the most confident first (ties by key): the ones most worth a look. */
export function mistakes(items: ScoredImage[]): Prediction[] {
  return predictions(items)
    .filter((p) => p.predicted !== p.trueLabel)
    .sort(byConfidence);
}

/**
 * The images in one cell of the confusion matrix (true class `trueLabel`, predicted `predicted`),
 * the most confident first (ties by key). A diagonal cell lists the right answers.
 */
export function cellImages(items: ScoredImage[], trueLabel: number, predicted: number): { key: string; confidence: number }[] {
  const scored = predictions(items);
  const classes = items.length > 0 ? items[0].probabilities.length : Infinity;
  checkClassIndex("The cell's true class", trueLabel, classes);
  checkClassIndex("The cell's predicted class", predicted, classes);
  return scored
    .filter((p) => p.trueLabel === trueLabel && p.predicted === predicted)
    .sort(byConfidence)
    .map(({ key, confidence }) => ({ key, confidence }));
}
