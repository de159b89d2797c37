// Fitting a new classifier head to a test episode's support features, in plain TypeScript. The
// problem is tiny (a few to a few dozen feature vectors, a handful of classes), so running it as
// tfjs ops would spend nearly all its time on per-op overhead. Measured on wasm (2 busy cores, 5-way
// 64-d features): taped tfjs steps with the project's Adam took about 0.75 ms each, these 0.04 ms
// (1-shot) to 0.1 ms (5-shot). Arithmetic is in float64; the gradient is checked against tfjs's
// gradient of the same loss in tests/unit/finetune.test.ts.
//
// The loss is mean softmax cross-entropy of the head's logits (heads.ts: linear, or scale x cosine)
// plus weight decay 0.5 x decay x |kernel|^2, minimised by full-batch Adam with the update of
// nn/adam.ts.
import { DEFAULT_ADAM } from '../nn/adam';
import type { HeadShape, HeadValues } from './heads';

export interface HeadFitting {
  steps: number;
  learningRate: number;
  weightDecay: number;
}

/** Features [count x size] row-major, and their labels 0..classes-1. */
export interface FeatureSet {
  values: Float32Array;
  count: number;
  size: number;
  labels: Int32Array;
}

/** Same constant as heads.ts: |x|^2 + epsilon under the inverse square root. */
const NORM_EPSILON = 1e-12;

/** Loss and gradient of one head on a feature set. */
export interface HeadLoss {
  loss: number;
  kernel: Float64Array;
  bias?: Float64Array;
}

/**
 * Mean cross-entropy (plus weight decay) of `head` on `set` and its gradient, in float64. Exported
 * for the gradient check; `fitHeadValues` is the caller that matters.
 */
export function headLossAndGradient(
  shape: HeadShape,
  head: { kernel: ArrayLike<number>; bias?: ArrayLike<number> },
  set: FeatureSet,
  classes: number,
  weightDecay: number,
): HeadLoss {
  return lossAndGradientOnRows(shape, head, rowsOf(set, shape.kind === 'cosine'), set, classes, weightDecay);
}

/** The same, given the feature rows as the head sees them (see rowsOf). */
function lossAndGradientOnRows(
  shape: HeadShape,
  head: { kernel: ArrayLike<number>; bias?: ArrayLike<number> },
  x: Float64Array,
  set: FeatureSet,
  classes: number,
  weightDecay: number,
): HeadLoss {
  const { count, size } = set;
  const cosine = shape.kind === 'cosine';
  // Effective weights: the kernel itself (linear) or its columns normalised (cosine).
  const inverseNorms = new Float64Array(classes);
  const w = new Float64Array(size * classes);
  for (let c = 0; c < classes; c++) {
    let squared = 0;
    for (let j = 0; j < size; j++) squared += head.kernel[j * classes + c] ** 2;
    inverseNorms[c] = cosine ? 1 / Math.sqrt(squared + NORM_EPSILON) : 1;
    for (let j = 0; j < size; j++) w[j * classes + c] = head.kernel[j * classes + c] * inverseNorms[c];
  }
  const scale = cosine ? shape.scale : 1;
  // Logits, softmax, and dLoss/dlogits = (p - onehot) / count.
  const gLogits = new Float64Array(count * classes);
  let loss = 0;
  const logits = new Float64Array(classes);
  for (let i = 0; i < count; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let z = cosine ? 0 : head.bias![c];
      for (let j = 0; j < size; j++) z += x[i * size + j] * w[j * classes + c];
      logits[c] = z * scale;
      if (logits[c] > max) max = logits[c];
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[c] - max);
    const logSum = max + Math.log(sum);
    const label = set.labels[i];
    loss -= (logits[label] - logSum) / count;
    for (let c = 0; c < classes; c++) gLogits[i * classes + c] = (Math.exp(logits[c] - logSum) - (c === label ? 1 : 0)) / count;
  }
  // Gradient with respect to the effective weights: scale x X^T gLogits.
  const gW = new Float64Array(size * classes);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < size; j++) {
      const xij = x[i * size + j] * scale;
      if (xij === 0) continue;
      for (let c = 0; c < classes; c++) gW[j * classes + c] += xij * gLogits[i * classes + c];
    }
  }
  const gKernel = new Float64Array(size * classes);
  let penalty = 0;
  for (let c = 0; c < classes; c++) {
    if (cosine) {
      // d(k / r)/dk with r = sqrt(|k|^2 + eps): g / r - k (k . g) / r^3.
      const r = inverseNorms[c];
      let dot = 0;
      for (let j = 0; j < size; j++) dot += head.kernel[j * classes + c] * gW[j * classes + c];
      for (let j = 0; j < size; j++) {
        const k = head.kernel[j * classes + c];
        gKernel[j * classes + c] = gW[j * classes + c] * r - k * dot * r * r * r;
      }
    } else {
      for (let j = 0; j < size; j++) gKernel[j * classes + c] = gW[j * classes + c];
    }
    for (let j = 0; j < size; j++) {
      const k = head.kernel[j * classes + c];
      penalty += k * k;
      gKernel[j * classes + c] += weightDecay * k;
    }
  }
  loss += 0.5 * weightDecay * penalty;
  if (cosine) return { loss, kernel: gKernel };
  const gBias = new Float64Array(classes);
  for (let i = 0; i < count; i++) for (let c = 0; c < classes; c++) gBias[c] += gLogits[i * classes + c];
  return { loss, kernel: gKernel, bias: gBias };
}

/** Feature rows in float64, L2-normalised for the cosine head (they are constants while fitting). */
function rowsOf(set: FeatureSet, normalise: boolean): Float64Array {
  const { count, size, values } = set;
  const x = new Float64Array(count * size);
  for (let i = 0; i < count; i++) {
    let squared = 0;
    for (let j = 0; j < size; j++) squared += values[i * size + j] ** 2;
    const inverse = normalise ? 1 / Math.sqrt(squared + NORM_EPSILON) : 1;
    for (let j = 0; j < size; j++) x[i * size + j] = values[i * size + j] * inverse;
  }
  return x;
}

/** Adam moments and the update of nn/adam.ts, on one float64 array. */
class AdamArray {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(readonly values: Float64Array) {
    this.m = new Float64Array(values.length);
    this.v = new Float64Array(values.length);
  }

  apply(gradient: Float64Array, step: number, learningRate: number): void {
    const { beta1, beta2, epsilon } = DEFAULT_ADAM;
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    const eps = epsilon * Math.sqrt(correction2);
    for (let i = 0; i < this.values.length; i++) {
      const g = gradient[i];
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * g * g;
      this.values[i] -= (stepSize * this.m[i]) / (Math.sqrt(this.v[i]) + eps);
    }
  }
}

/** Full-batch Adam on a head, one step at a time (a test episode's adaptation observes each). */
export class HeadFitter {
  private readonly kernel: Float64Array;
  private readonly bias: Float64Array | undefined;
  private readonly kernelAdam: AdamArray;
  private readonly biasAdam: AdamArray | null;
  private readonly rows: Float64Array;
  /** Steps taken. */
  taken = 0;
  /** The loss before the last update: NaN before the first step, and once the loss stopped being finite. */
  loss = Number.NaN;

  constructor(
    private readonly shape: HeadShape,
    initial: HeadValues,
    private readonly set: FeatureSet,
    private readonly classes: number,
    private readonly fitting: Omit<HeadFitting, 'steps'>,
  ) {
    if (initial.kernel.length !== set.size * classes) {
      throw new Error(`The head has ${initial.kernel.length} weights, expected ${set.size} features x ${classes} classes.`);
    }
    this.kernel = Float64Array.from(initial.kernel);
    this.bias = shape.kind === 'linear' ? Float64Array.from(initial.bias ?? new Float32Array(classes)) : undefined;
    this.kernelAdam = new AdamArray(this.kernel);
    this.biasAdam = this.bias ? new AdamArray(this.bias) : null;
    this.rows = rowsOf(set, shape.kind === 'cosine');
  }

  /** One Adam step; false (and the head unchanged) when the loss is not finite. */
  step(): boolean {
    const g = lossAndGradientOnRows(this.shape, { kernel: this.kernel, bias: this.bias }, this.rows, this.set, this.classes, this.fitting.weightDecay);
    this.loss = g.loss;
    if (!Number.isFinite(g.loss)) return false;
    this.taken++;
    this.kernelAdam.apply(g.kernel, this.taken, this.fitting.learningRate);
    if (this.biasAdam) this.biasAdam.apply(g.bias!, this.taken, this.fitting.learningRate);
    return true;
  }

  head(): HeadValues {
    return { kernel: Float32Array.from(this.kernel), bias: this.bias ? Float32Array.from(this.bias) : undefined };
  }
}

/**
 * `fitting.steps` full-batch Adam steps on the loss above from `initial` (not modified). Returns the
 * fitted head and its loss before the last update (NaN if it diverged; the caller decides).
 */
export function fitHeadValues(
  shape: HeadShape,
  initial: HeadValues,
  set: FeatureSet,
  classes: number,
  fitting: HeadFitting,
): { head: HeadValues; loss: number } {
  const fitter = new HeadFitter(shape, initial, set, classes, fitting);
  while (fitter.taken < fitting.steps && fitter.step());
  return { head: fitter.head(), loss: fitter.loss };
}
