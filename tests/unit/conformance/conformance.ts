// Shared pieces of the conformance suite (imageMethods.test.ts, regressionMethods.test.ts): which
// hyperparameters are learning rates and their absurd values, comparisons of predictions, losses
// computed from what a method predicts, and checks on saved states. Only plain arrays and the
// spec's description (defaults, hyperparameters) are read here, so a family's registry can change
// shape without this file following it.
import type { SavedTensors } from '../../../src/core/nn/params';

/** What the suite reads of a method's spec (image and regression specs alike). */
export interface SpecDescription {
  defaults: Record<string, number | string>;
  hyperparameters: Record<string, { min?: number; max?: number; choices?: readonly string[] }>;
}

/** The seed every method is created with unless a check needs a second, different one. */
export const SEED = 1;
export const OTHER_SEED = 2;

/** Predictions this close count as the same (float32 arithmetic replayed on the same backend). */
export const SAME = 1e-5;
/** Predictions further apart than this count as different (a wrong or missing state would show). */
export const DIFFERENT = 1e-3;

/** The numeric hyperparameters whose name says they are a learning rate (learningRate, innerLearningRate, ...). */
export function learningRateKeys(spec: SpecDescription): string[] {
  return Object.keys(spec.defaults).filter((key) => /learningrate/i.test(key) && typeof spec.defaults[key] === 'number');
}

/**
 * Every learning rate at the top of the range the spec allows, or 1e12 where the spec sets no top
 * (the registry's range check, resolveHyperparameters, accepts both).
 */
export function absurdLearningRates(spec: SpecDescription): Record<string, number> {
  return Object.fromEntries(learningRateKeys(spec).map((key) => [key, spec.hyperparameters[key]?.max ?? 1e12]));
}

/** Largest absolute difference of two equally long arrays (Infinity when the lengths differ). */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d; // NaN counts as the largest difference
  }
  return worst;
}

/** Mean cross-entropy of class probabilities (count x way, row-major) against labels 0..way-1. */
export function crossEntropy(probabilities: Float32Array, labels: Int32Array, way: number): number {
  if (probabilities.length !== labels.length * way) throw new Error(`Expected ${labels.length} x ${way} probabilities, got ${probabilities.length}.`);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(probabilities[i * way + labels[i]]);
  return sum / labels.length;
}

export function meanSquaredError(outputs: Float32Array, targets: Float32Array): number {
  if (outputs.length !== targets.length) throw new Error(`Expected ${targets.length} outputs, got ${outputs.length}.`);
  let sum = 0;
  for (let i = 0; i < outputs.length; i++) sum += (outputs[i] - targets[i]) ** 2;
  return sum / outputs.length;
}

/** The MSE of the best constant prediction (the targets' mean): what a fit must beat to have learnt anything. */
export function varianceOf(values: Float32Array): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
}

/** Names of the saved tensors holding a NaN or an infinity (empty when the state is healthy). */
export function nonFiniteTensors(saved: SavedTensors): string[] {
  return Object.entries(saved)
    .filter(([, s]) => !s.values.every(Number.isFinite))
    .map(([name]) => name);
}

/** The hyperparameter a problem's field names ("hyper.<name>"), or null when it names none. */
export function hyperparameterOfField(field: string | undefined): string | null {
  const match = /^hyper\.(.+)$/.exec(field ?? '');
  return match ? match[1] : null;
}

/** 0, 1 and `steps` (each once): the adaptation steps the leak check looks at the learner after. */
export function lookPoints(steps: number): number[] {
  return [...new Set([0, Math.min(1, steps), steps])];
}
