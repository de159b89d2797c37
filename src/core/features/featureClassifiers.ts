// Few-shot classifiers on a frozen backbone's features, in plain TypeScript (float64, no tfjs): a
// nearest prototype (class mean) and a linear softmax head. Both end up as ONE linear map
// logits = f . kernel + bias in feature space, so classifying, leave-one-out and export (a Dense
// layer, exportClassifier.ts) all use the same numbers. Deterministic: no random draws at all.
import { DEFAULT_HEAD, type HeadSettings } from './types';
import { fitHeadValues } from '../methods/headFitting';

/** A linear classifier on features: logits = f . kernel + bias, probabilities = softmax(logits). */
export interface LinearClassifier {
  kind: 'prototype' | 'head';
  /** Floats per feature vector. */
  size: number;
  classes: number;
  /** size x classes, row-major (one column per class), as a Dense layer's kernel. */
  kernel: Float64Array;
  bias: Float64Array;
}

/**
 * Head defaults: 100 full-batch Adam steps at 0.01 from a zero head on standardised features. The
 * loss is convex, so a zero start is as good as a random one and needs no seed; 100 steps reach a
 * support set's near-zero loss while the small decay keeps the weights (and probabilities) finite.
 */
export { DEFAULT_HEAD };

/** Throws a message naming the bad setting when head settings are out of range. */
export function checkHeadSettings(head: HeadSettings): void {
  if (!Number.isInteger(head.steps) || head.steps < 1 || head.steps > 5000) throw new Error(`Head steps must be a whole number from 1 to 5000, got ${head.steps}.`);
  if (!(head.learningRate > 0 && head.learningRate <= 10)) throw new Error(`The head's learning rate must be above 0 and at most 10, got ${head.learningRate}.`);
  if (!(head.weightDecay >= 0 && head.weightDecay <= 10)) throw new Error(`The head's weight decay must be from 0 to 10, got ${head.weightDecay}.`);
}

function checkSet(features: Float32Array[], labels: number[], classes: number): number {
  if (features.length === 0) throw new Error('A classifier needs at least one support image.');
  if (features.length !== labels.length) throw new Error(`${features.length} feature rows but ${labels.length} labels.`);
  const size = features[0].length;
  const seen = new Array<boolean>(classes).fill(false);
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new Error(`Label ${l} is not a class index below ${classes}.`);
    seen[l] = true;
  }
  const missing = seen.indexOf(false);
  if (missing >= 0) throw new Error(`Class ${missing} has no support image.`);
  return size;
}

/**
 * Nearest class mean with probabilities softmax(-|f - p_c|^2). Written as a linear map: with m the
 * mean of the prototypes, -|f - p_c|^2 = 2 (p_c - m).(f - m) - |p_c - m|^2 - |f - m|^2, and the last
 * term is the same for every class, so softmax drops it. Centring on m keeps the products small,
 * so float32 (an exported Dense layer) reproduces the probabilities closely.
 */
export function prototypeClassifier(features: Float32Array[], labels: number[], classes: number): LinearClassifier {
  const size = checkSet(features, labels, classes);
  const protos = new Float64Array(classes * size);
  const counts = new Float64Array(classes);
  features.forEach((f, i) => {
    counts[labels[i]]++;
    for (let j = 0; j < size; j++) protos[labels[i] * size + j] += f[j];
  });
  const m = new Float64Array(size);
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < size; j++) {
      protos[c * size + j] /= counts[c];
      m[j] += protos[c * size + j] / classes;
    }
  }
  const kernel = new Float64Array(size * classes);
  const bias = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    let squared = 0;
    let dot = 0;
    for (let j = 0; j < size; j++) {
      const d = protos[c * size + j] - m[j];
      kernel[j * classes + c] = 2 * d;
      squared += d * d;
      dot += d * m[j];
    }
    bias[c] = -2 * dot - squared;
  }
  return { kind: 'prototype', size, classes, kernel, bias };
}

/**
 * A linear softmax head fitted (headFitting.ts: full-batch Adam on mean cross-entropy plus weight
 * decay) on features standardised with the support set's mean and spread, then folded back into
 * feature space: (f - mu) / s . W + b = f . (W / s) + (b - (mu / s) . W). Standardising makes one
 * learning rate fit backbones whose features differ in scale by orders of magnitude; folding keeps
 * the result one linear map (a plain Dense layer on export, no extra layer). A small floor on the
 * spread (a thousandth of the mean variance) keeps near-constant features from getting huge weights.
 */
export function headClassifier(features: Float32Array[], labels: number[], classes: number, settings: HeadSettings = DEFAULT_HEAD): LinearClassifier {
  checkHeadSettings(settings);
  const size = checkSet(features, labels, classes);
  const count = features.length;
  const mu = new Float64Array(size);
  const variance = new Float64Array(size);
  for (const f of features) for (let j = 0; j < size; j++) mu[j] += f[j] / count;
  for (const f of features) for (let j = 0; j < size; j++) variance[j] += (f[j] - mu[j]) ** 2 / count;
  const meanVariance = variance.reduce((a, b) => a + b, 0) / size;
  const spread = variance.map((v) => Math.sqrt(v + 1e-3 * meanVariance + 1e-12));
  const values = new Float32Array(count * size);
  features.forEach((f, i) => {
    for (let j = 0; j < size; j++) values[i * size + j] = (f[j] - mu[j]) / spread[j];
  });
  const { head } = fitHeadValues(
    { kind: 'linear', scale: 1 },
    { kernel: new Float32Array(size * classes), bias: new Float32Array(classes) },
    { values, count, size, labels: Int32Array.from(labels) },
    classes,
    settings,
  );
  const kernel = new Float64Array(size * classes);
  const bias = Float64Array.from(head.bias!);
  for (let j = 0; j < size; j++) {
    for (let c = 0; c < classes; c++) {
      const w = head.kernel[j * classes + c] / spread[j];
      kernel[j * classes + c] = w;
      bias[c] -= mu[j] * w;
    }
  }
  if (![...kernel, ...bias].every(Number.isFinite)) {
    throw new Error(`Fitting the head diverged (learning rate ${settings.learningRate}); lower the learning rate.`);
  }
  return { kind: 'head', size, classes, kernel, bias };
}

/** One row of logits (f . kernel + bias) per feature row: what calibration divides by its temperature. */
export function linearLogits(classifier: LinearClassifier, rows: Float32Array[]): Float64Array[] {
  const { size, classes, kernel, bias } = classifier;
  return rows.map((f) => {
    if (f.length !== size) throw new Error(`The classifier takes ${size} features, got ${f.length}.`);
    const logits = Float64Array.from(bias);
    for (let j = 0; j < size; j++) {
      const x = f[j];
      if (x === 0) continue;
      for (let c = 0; c < classes; c++) logits[c] += x * kernel[j * classes + c];
    }
    return logits;
  });
}

/** One row of class probabilities per feature row: softmax(logits / temperature). */
export function classifyFeatures(classifier: LinearClassifier, rows: Float32Array[], temperature = 1): Float64Array[] {
  return linearLogits(classifier, rows).map((logits) => {
    const max = Math.max(...logits);
    let sum = 0;
    for (let c = 0; c < logits.length; c++) sum += logits[c] = Math.exp((logits[c] - max) / temperature);
    for (let c = 0; c < logits.length; c++) logits[c] /= sum;
    return logits;
  });
}

/** The classifier with its temperature folded in (kernel and bias divided by T): what export writes. */
export function withTemperature(classifier: LinearClassifier, temperature: number): LinearClassifier {
  if (temperature === 1) return classifier;
  return { ...classifier, kernel: classifier.kernel.map((v) => v / temperature), bias: classifier.bias.map((v) => v / temperature) };
}

/** The index of the largest value (the first, on ties). */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
