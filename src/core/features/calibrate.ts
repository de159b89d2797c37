// Calibrating a classifier of the user's own images from its held-out predictions, the way the page
// reports it: one temperature fitted on all of them (what new images are classified with), an
// honest before/after calibration error (cross-fitted: each group of images is scored with a
// temperature fitted on the other groups, never on itself), the reliability diagram's bins, and the
// rule for "not sure". With too few held-out predictions nothing is fitted: T stays 1 and the
// summary says calibration needs more images, rather than pretending. Plain TypeScript, no tfjs.
import { expectedCalibrationError, fitTemperature, MAX_TEMPERATURE, reliabilityBins, softmaxWithTemperature, topLabel } from './calibration';
import type { CalibrationSummary } from './types';

/**
 * Fewest held-out predictions a temperature is fitted on. One parameter is cheap to fit, but with
 * under ten predictions a single unlucky image moves it by a factor of several, and the ECE of so
 * few predictions is mostly noise.
 */
export const MIN_CALIBRATION_PREDICTIONS = 10;
/** Groups for cross-fitting the "after" error: each group's temperature is fitted on the others. */
export const CROSS_FIT_GROUPS = 5;
/** Reliability diagram bins (equal width, as expectedCalibrationError uses). */
export const CALIBRATION_BINS = 10;

/** log p with p floored at 1e-12: logits for a classifier that only gives probabilities (a run's adaptation). */
export function logitsOfProbabilities(probabilities: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: probabilities.length }, (_, c) => Math.log(Math.max(probabilities[c], 1e-12)));
}

/**
 * "Not sure" when the calibrated top probability is below halfway between chance (1/C) and
 * certainty: (1 + 1/C) / 2. For 2 classes that is 75% (a 2-class guess is right half the time by
 * luck, so 60% says little); for 5 classes 60%; for many classes it nears 50%, where the answer
 * becomes more likely wrong than right. One rule, explainable in a sentence, that scales with C.
 */
export function notSureBelow(classes: number): number {
  return (1 + 1 / Math.max(1, classes)) / 2;
}

export function isNotSure(probabilities: ArrayLike<number>): boolean {
  return topLabel(probabilities).value < notSureBelow(probabilities.length);
}

export interface CalibrateInput {
  /** Held-out logits: each row from a classifier that did not see that image. */
  logits: ArrayLike<number>[];
  labels: number[];
  /** Which image each row is of (rows of one image, e.g. over episodes, share a cross-fit group). */
  imageOf: number[];
  /** Images per class in the whole set: a class of 1 image cannot be held out, so no calibration. */
  imagesPerClass: number[];
  /** How the rows were held out, in words ("leave-one-out", "10-fold cross-validation", ...). */
  heldOutBy: string;
}

export interface Calibrated {
  summary: CalibrationSummary;
  /** Each row's probabilities after calibration, cross-fitted (T = 1 when not calibrated). */
  probabilities: Float64Array[];
}

/** Why no temperature can be fitted on these rows, or null when one can. */
function tooFew(input: CalibrateInput): string | null {
  const small = input.imagesPerClass.findIndex((n) => n < 2);
  if (small >= 0) return 'Calibration needs at least 2 images in every class (one to hold out, one to learn from); the probabilities shown are the classifier’s raw scores.';
  if (input.logits.length < MIN_CALIBRATION_PREDICTIONS) {
    return `Calibration needs at least ${MIN_CALIBRATION_PREDICTIONS} images (here ${input.logits.length}); the probabilities shown are the classifier’s raw scores. Add images to calibrate them.`;
  }
  return null;
}

/** Mean top-class probability of the rows at temperature t. */
function meanConfidence(logits: ArrayLike<number>[], t: number): number {
  let sum = 0;
  for (const row of logits) sum += topLabel(softmaxWithTemperature(row, t)).value;
  return sum / logits.length;
}

/**
 * The likelihood-fitted temperature, except when every held-out prediction is right. Then the
 * likelihood has no finite optimum: sharper is always better, down to T = 0.01 and "100%" for every
 * image. But n right answers out of n support a confidence of about (n + 1) / (n + 2) (Laplace's rule
 * of succession: 15 of 15 right supports 94%, not 100%), so T is raised (bisection on log T; the
 * confidence only falls as T rises) until the mean confidence equals that, if it was above. With at
 * least one mistake the likelihood has a proper optimum and is used as it is.
 */
export function boundedTemperature(logits: ArrayLike<number>[], labels: number[]): { temperature: number; capped: boolean } {
  const fitted = fitTemperature(logits, labels).temperature;
  const right = logits.filter((row, i) => topLabel(row).index === labels[i]).length;
  const bound = (logits.length + 1) / (logits.length + 2);
  if (right < logits.length || meanConfidence(logits, fitted) <= bound) return { temperature: fitted, capped: false };
  let lo = Math.log(fitted);
  let hi = Math.log(MAX_TEMPERATURE);
  if (meanConfidence(logits, MAX_TEMPERATURE) > bound) return { temperature: MAX_TEMPERATURE, capped: true };
  for (let step = 0; step < 60; step++) {
    const mid = (lo + hi) / 2;
    if (meanConfidence(logits, Math.exp(mid)) > bound) lo = mid;
    else hi = mid;
  }
  return { temperature: Math.exp(hi), capped: true };
}

/** Fits the temperature on every row and cross-fits the rows' calibrated probabilities. */
export function calibrate(input: CalibrateInput): Calibrated {
  const { logits, labels, imageOf } = input;
  if (logits.length !== labels.length || logits.length !== imageOf.length) throw new Error(`${logits.length} rows of logits, ${labels.length} labels and ${imageOf.length} image indices; pass one of each per row.`);
  const raw = logits.map((row) => softmaxWithTemperature(row, 1));
  const images = new Set(imageOf).size;
  const binsBefore = raw.length > 0 ? reliabilityBins(raw, labels, CALIBRATION_BINS) : [];
  const eceBefore = raw.length > 0 ? expectedCalibrationError(raw, labels, CALIBRATION_BINS) : NaN;
  const base = { predictions: logits.length, images, heldOutBy: input.heldOutBy, eceBefore, binsBefore };
  const reason = tooFew(input);
  if (reason) {
    return { summary: { ...base, temperature: 1, calibrated: false, capped: false, reason, eceAfter: eceBefore, binsAfter: binsBefore }, probabilities: raw };
  }
  const { temperature, capped } = boundedTemperature(logits, labels);
  // Cross-fitting by image: group g = image index mod 5, so all rows of an image are scored by a
  // temperature fitted without any of them.
  const groups = Math.min(CROSS_FIT_GROUPS, images);
  const groupOf = imageOf.map((i) => i % groups);
  const crossFitted: Float64Array[] = new Array(logits.length);
  for (let g = 0; g < groups; g++) {
    const rest = logits.map((_, i) => i).filter((i) => groupOf[i] !== g);
    const own = logits.map((_, i) => i).filter((i) => groupOf[i] === g);
    if (own.length === 0) continue;
    const t = rest.length > 0 ? boundedTemperature(rest.map((i) => logits[i]), rest.map((i) => labels[i])).temperature : 1;
    for (const i of own) crossFitted[i] = softmaxWithTemperature(logits[i], t);
  }
  return {
    summary: {
      ...base,
      temperature,
      calibrated: true,
      capped,
      eceAfter: expectedCalibrationError(crossFitted, labels, CALIBRATION_BINS),
      binsAfter: reliabilityBins(crossFitted, labels, CALIBRATION_BINS),
    },
    probabilities: crossFitted,
  };
}

/** The summary of a classifier nobody calibrated here (e.g. one imported from a file). */
export function notCalibrated(reason: string, temperature = 1): CalibrationSummary {
  return { temperature, calibrated: false, capped: false, predictions: 0, images: 0, heldOutBy: '', reason, eceBefore: NaN, eceAfter: NaN, binsBefore: [], binsAfter: [] };
}
