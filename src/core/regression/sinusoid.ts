// The sine-wave regression task family of the MAML paper (Finn et al. 2017, section 5.1): a task
// is y = A sin(x - phi) with amplitude A in [0.1, 5] and phase phi in [0, pi], its points drawn
// uniformly from x in [-5, 5]; K support points to adapt on, Q query points to measure the fit.
// Like the image sampler, task i depends only on (seed, i), so methods evaluated with the same
// seed meet identical tasks. Plain functions: no tensors here.
import { Rng } from '../rng';
import { SettingsError, type SettingProblem } from '../settingProblems';

export const SINUSOID = {
  amplitude: [0.1, 5],
  phase: [0, Math.PI],
  x: [-5, 5],
} as const;

/**
 * The expected mean square of a task's targets: the MSE of predicting 0, what a model that has
 * learnt nothing scores (the health check's reference, train/health.ts). E[A^2] E[sin^2(x - phase)]
 * with A uniform in [a, b]: (b^3 - a^3) / (3 (b - a)) / 2, since sin^2 has period pi and the phase
 * is uniform over one period of it. 4.25 for the paper's ranges.
 */
export function meanSquareOfTargets(): number {
  const [a, b] = SINUSOID.amplitude;
  return (b ** 3 - a ** 3) / (3 * (b - a)) / 2;
}

/** Points of one task: inputs and targets, 1-D. */
export interface Points {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly count: number;
}

export interface RegressionTask {
  readonly amplitude: number;
  readonly phase: number;
  /** K points to adapt on. */
  readonly support: Points;
  /** Q points the adapted model is judged on. */
  readonly query: Points;
}

/** K (support points) and Q (query points) per task. */
export interface RegressionSettings {
  shot: number;
  query: number;
}

export function sineValue(amplitude: number, phase: number, x: number): number {
  return amplitude * Math.sin(x - phase);
}

/** Problems with the settings, in words that say what to change (empty when fine). */
export function regressionSettingsProblems(settings: RegressionSettings): SettingProblem[] {
  const problems: SettingProblem[] = [];
  if (!Number.isInteger(settings.shot) || settings.shot < 1) {
    problems.push({ code: 'out-of-range', field: 'shot', message: `Support points per task (K) must be a whole number of at least 1, got ${settings.shot}.` });
  }
  if (!Number.isInteger(settings.query) || settings.query < 1) {
    problems.push({ code: 'out-of-range', field: 'query', message: `Query points per task must be a whole number of at least 1, got ${settings.query}.` });
  }
  return problems;
}

export function checkRegressionSettings(settings: RegressionSettings): void {
  const problems = regressionSettingsProblems(settings);
  if (problems.length > 0) throw new SettingsError(problems);
}

function samplePoints(rng: Rng, amplitude: number, phase: number, count: number): Points {
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = rng.uniform(SINUSOID.x[0], SINUSOID.x[1]);
    y[i] = sineValue(amplitude, phase, x[i]);
  }
  return { x, y, count };
}

/** Task `index` of the sequence with this seed. */
export function sinusoidTaskAt(settings: RegressionSettings, seed: number, index: number): RegressionTask {
  checkRegressionSettings(settings);
  const rng = new Rng(seed).derive(`sinusoid:${index}`);
  const amplitude = rng.uniform(SINUSOID.amplitude[0], SINUSOID.amplitude[1]);
  const phase = rng.uniform(SINUSOID.phase[0], SINUSOID.phase[1]);
  return {
    amplitude,
    phase,
    support: samplePoints(rng.derive('support'), amplitude, phase, settings.shot),
    query: samplePoints(rng.derive('query'), amplitude, phase, settings.query),
  };
}

/** `count` evenly spaced inputs over the task domain (for plotting a fit). */
export function sinusoidGrid(count: number): Float32Array {
  const [low, high] = SINUSOID.x;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = count === 1 ? (low + high) / 2 : low + ((high - low) * i) / (count - 1);
  return out;
}
