// Calibrated probabilities for "classify your own images": one temperature T fitted on held-out
// predictions (leave-one-out logits), and the numbers that say how far a classifier's confidence
// can be trusted (reliability bins, expected calibration error). Why: a nearest prototype scores
// classes by minus squared distance, whose scale grows with the feature size, so its softmax says
// 99% for answers that are right 70% of the time, and 99% for its mistakes too. Dividing the logits
// by one T > 1 softens every row alike: the ranking (so the predicted class and the accuracy) stays
// exactly the same, only the stated confidence changes (temperature scaling, Guo et al. 2017).
// Plain TypeScript, float64, no tfjs: the page's main thread may import it.

/** The temperatures searched: below 0.01 or above 100 the answer would be "certain" or "uniform" anyway. */
export const MIN_TEMPERATURE = 0.01;
export const MAX_TEMPERATURE = 100;

export interface TemperatureFit {
  /** Divide logits by this before the softmax; 1 leaves them as they are, above 1 softens them. */
  temperature: number;
  /** Mean negative log-likelihood (nats per image) of the true class at T = 1. */
  nllBefore: number;
  /** The same at the fitted temperature; never above nllBefore (T = 1 is one of the candidates). */
  nllAfter: number;
}

/** One equal-width confidence bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Confidences from lower (included) to upper (excluded, except the last bin, which includes 1). */
  lower: number;
  upper: number;
  /** Predictions whose top probability falls in the bin. */
  count: number;
  /** Fraction of them that are right; NaN when the bin is empty (count 0: nothing to draw). */
  accuracy: number;
  /** Their mean top probability; NaN when the bin is empty. */
  confidence: number;
}

/** The index of the largest value (the first, on ties) and that value: the predicted class and its confidence. */
export function topLabel(values: ArrayLike<number>): { index: number; value: number } {
  let index = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[index]) index = i;
  return { index, value: values[index] };
}

function checkTemperature(temperature: number): void {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(`A temperature must be a finite number above 0, got ${temperature}.`);
  }
}

/** Throws a message saying what is wrong with held-out logits and labels; returns the number of classes. */
function checkLogits(logits: ArrayLike<number>[], labels: number[]): number {
  if (logits.length === 0) throw new Error('Fitting a temperature needs at least one held-out prediction; run the accuracy estimate (leave-one-out) first.');
  if (logits.length !== labels.length) throw new Error(`${logits.length} rows of logits but ${labels.length} labels; pass one label per row.`);
  const classes = logits[0].length;
  if (classes < 2) throw new Error(`Calibration needs at least 2 classes, got rows of ${classes} logit${classes === 1 ? '' : 's'}.`);
  logits.forEach((row, i) => {
    if (row.length !== classes) throw new Error(`Row ${i} has ${row.length} logits but row 0 has ${classes}; every row needs one logit per class.`);
    for (let c = 0; c < classes; c++) {
      if (!Number.isFinite(row[c])) {
        throw new Error(`Logit ${c} of row ${i} is ${row[c]}; logits must be finite (the log of a probability of 0 is -Infinity: pass the classifier's scores before the softmax).`);
      }
    }
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new Error(`Label ${l} of row ${i} is not a class index below ${classes}.`);
  });
  return classes;
}

/** -log softmax(row / T)[label], stable: the largest logit is subtracted before exp. */
function negativeLogLikelihood(row: ArrayLike<number>, label: number, temperature: number): number {
  const { value: max } = topLabel(row);
  let sum = 0;
  for (let c = 0; c < row.length; c++) sum += Math.exp((row[c] - max) / temperature);
  return Math.log(sum) - (row[label] - max) / temperature;
}

/** Mean negative log-likelihood (nats per image) of the true classes under softmax(logits / T). */
export function meanNegativeLogLikelihood(logits: ArrayLike<number>[], labels: number[], temperature: number): number {
  checkLogits(logits, labels);
  checkTemperature(temperature);
  return meanNll(logits, labels, temperature);
}

function meanNll(logits: ArrayLike<number>[], labels: number[], temperature: number): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += negativeLogLikelihood(logits[i], labels[i], temperature);
  return total / logits.length;
}

/**
 * The temperature T in [MIN_TEMPERATURE, MAX_TEMPERATURE] that minimises the mean negative
 * log-likelihood of softmax(logits / T) on held-out predictions. Pass logits no classifier saw
 * while being built (each image's leave-one-out logits): the support set's own logits are fitted,
 * so they would teach it to be even more confident.
 *
 * How: the NLL is convex in b = 1/T (log-sum-exp of lines in b, minus a line), and u = log T maps
 * to b = e^-u monotonically, so the NLL is unimodal in log T and a golden-section search on
 * [log 0.01, log 100] finds its minimum without a starting guess or a step size. Convergence is
 * to a width of 1e-10 in log T. The bounds and T = 1 are candidates too, so: when every held-out
 * prediction is right and sharper is always better, T ends at the lower bound (not NaN or 0); when
 * no T beats 1 (e.g. every row's logits are equal), T stays exactly 1; nllAfter <= nllBefore always.
 */
export function fitTemperature(logits: ArrayLike<number>[], labels: number[]): TemperatureFit {
  checkLogits(logits, labels);
  const f = (u: number) => meanNll(logits, labels, Math.exp(u));
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(MIN_TEMPERATURE);
  let b = Math.log(MAX_TEMPERATURE);
  let c = b - invPhi * (b - a);
  let d = a + invPhi * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let step = 0; step < 200 && b - a > 1e-10; step++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - invPhi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + invPhi * (b - a);
      fd = f(d);
    }
  }
  const nllBefore = meanNll(logits, labels, 1);
  let best = { temperature: 1, nll: nllBefore };
  // A search that ends at a bound reports the bound as given (not exp(log(100)) = 100.00000000000004),
  // so the page can tell "at the limit" with ===.
  const u = (a + b) / 2;
  const found = u - Math.log(MIN_TEMPERATURE) < 1e-9 ? MIN_TEMPERATURE : Math.log(MAX_TEMPERATURE) - u < 1e-9 ? MAX_TEMPERATURE : Math.exp(u);
  for (const temperature of [found, MIN_TEMPERATURE, MAX_TEMPERATURE]) {
    const nll = meanNll(logits, labels, temperature);
    // Strictly lower only: on a flat NLL the temperature stays 1 rather than wandering.
    if (nll < best.nll) best = { temperature, nll };
  }
  return { temperature: best.temperature, nllBefore, nllAfter: best.nll };
}

/** softmax(logits / T), stable (the largest logit is subtracted first). The argmax is that of the logits for every T > 0. */
export function softmaxWithTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  checkTemperature(temperature);
  if (logits.length === 0) throw new Error('A softmax needs at least one logit.');
  for (let c = 0; c < logits.length; c++) {
    if (!Number.isFinite(logits[c])) throw new Error(`Logit ${c} is ${logits[c]}; logits must be finite.`);
  }
  const { value: max } = topLabel(logits);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) sum += out[c] = Math.exp((logits[c] - max) / temperature);
  for (let c = 0; c < logits.length; c++) out[c] /= sum;
  return out;
}

/** Throws a message saying what is wrong with rows of probabilities, labels or a bin count. */
function checkProbabilities(probabilities: ArrayLike<number>[], labels: number[], bins: number): void {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`The number of confidence bins must be a whole number of at least 1, got ${bins}.`);
  if (probabilities.length === 0) throw new Error('Calibration needs at least one prediction with its true class.');
  if (probabilities.length !== labels.length) throw new Error(`${probabilities.length} rows of probabilities but ${labels.length} labels; pass one label per row.`);
  probabilities.forEach((row, i) => {
    let sum = 0;
    for (let c = 0; c < row.length; c++) {
      const p = row[c];
      if (!(p >= 0 && p <= 1)) throw new Error(`Probability ${c} of row ${i} is ${p}; probabilities must be from 0 to 1 (pass softmax outputs, not logits).`);
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-3) throw new Error(`Row ${i}'s probabilities add up to ${sum}, not 1; pass softmax outputs, not logits or scores.`);
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= row.length) throw new Error(`Label ${l} of row ${i} is not a class index below ${row.length}.`);
  });
}

/**
 * The reliability diagram's bins: `bins` equal-width intervals of top-label confidence (the
 * largest probability, i.e. that of the predicted class) over [0, 1], each with how many
 * predictions fall in it, how many of those are right and how confident they were on average.
 * A calibrated classifier has accuracy close to confidence in every bin; an overconfident one has
 * its predictions crowded into the top bin with accuracy well below it. Bins are [lower, upper),
 * the last one [lower, 1]; an empty bin has count 0 and NaN accuracy and confidence.
 */
export function reliabilityBins(probabilities: ArrayLike<number>[], labels: number[], bins = 10): ReliabilityBin[] {
  checkProbabilities(probabilities, labels, bins);
  const counts = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  probabilities.forEach((row, i) => {
    const { index, value } = topLabel(row);
    const bin = Math.min(bins - 1, Math.floor(value * bins));
    counts[bin]++;
    right[bin] += index === labels[i] ? 1 : 0;
    confidence[bin] += value;
  });
  return counts.map((count, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count,
    accuracy: count > 0 ? right[b] / count : NaN,
    confidence: count > 0 ? confidence[b] / count : NaN,
  }));
}

/**
 * Expected calibration error (top label, equal-width bins, Guo et al. 2017): the sum over bins of
 * (n_b / n) |accuracy_b - confidence_b|, from reliabilityBins so the two always agree. It is the
 * average gap, in probability, between how sure the classifier says it is and how often it is
 * right: 0.25 means its stated confidence is off by 25 points on average (e.g. it says 95% and is
 * right 70% of the time). 0 is perfect; with few images it is noisy and biased upwards, since each
 * bin's accuracy is estimated from few predictions.
 */
export function expectedCalibrationError(probabilities: ArrayLike<number>[], labels: number[], bins = 10): number {
  const n = probabilities.length;
  let ece = 0;
  for (const bin of reliabilityBins(probabilities, labels, bins)) {
    if (bin.count > 0) ece += (bin.count / n) * Math.abs(bin.accuracy - bin.confidence);
  }
  return ece;
}
