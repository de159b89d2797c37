// The sine plot's data: one sine task, its support points, and a regression method's predictions
// over the whole input range after 0, 1, ..., maxSteps adaptation steps on those points (the
// method's own fit, as evaluation uses it). Reads the model, trains nothing; the session runs it
// between two training steps (betweenSteps.ts).
import { outputsAfterSteps, type RegressionMethod } from './regressionMethod';
import { sineValue, sinusoidGrid, sinusoidTaskAt, type RegressionSettings } from './sinusoid';
import type { SineFit } from '../experiment/results';

/** Points where the target and the fits are given: enough for a smooth curve over [-5, 5]. */
export const SINE_GRID_POINTS = 100;
/** Most adaptation steps a plot may ask for (the image methods' test-time steps go to 200 too). */
export const MAX_FIT_STEPS = 200;

/** Throws a message saying what to change when `maxSteps` cannot be plotted. */
export function checkFitSteps(maxSteps: number): void {
  if (!Number.isInteger(maxSteps) || maxSteps < 0 || maxSteps > MAX_FIT_STEPS) {
    throw new Error(`The number of adaptation steps to plot must be a whole number from 0 to ${MAX_FIT_STEPS}, got ${maxSteps}.`);
  }
}

/**
 * The task `seed` picks: task 0 of the sequence evaluation draws with that seed and the run's
 * test settings (K support points), so it is one of the tasks an evaluation with this seed scores.
 */
export async function fitSine(
  method: RegressionMethod,
  settings: RegressionSettings,
  seed: number,
  maxSteps: number,
): Promise<SineFit> {
  checkFitSteps(maxSteps);
  const task = sinusoidTaskAt(settings, seed, 0);
  const grid = sinusoidGrid(SINE_GRID_POINTS);
  const steps = Array.from({ length: maxSteps + 1 }, (_, s) => s);
  const outputs = await outputsAfterSteps(method, task.support, grid, steps);
  return {
    seed,
    amplitude: task.amplitude,
    phase: task.phase,
    grid: Array.from(grid),
    target: Array.from(grid, (x) => sineValue(task.amplitude, task.phase, x)),
    support: { x: Array.from(task.support.x), y: Array.from(task.support.y) },
    fits: outputs.map((y, s) => ({ steps: s, y: Array.from(y) })),
  };
}
