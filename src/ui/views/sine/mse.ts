// How far each of the model's fits to a sine task is from the target curve: the mean squared error
// over the grid the worker evaluated both on. Pure, tested in tests/unit/ui/sinePlot.mse.test.tsx.
import type { SineFit } from '../../../worker/protocol';

/** Mean of (a_i - b_i)^2. NaN for empty input; throws when the lengths differ. */
export function meanSquaredError(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`Cannot compare ${a.length} values with ${b.length}.`);
  if (a.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/** The MSE against the target on the grid of every fit, in the fits' order. */
export function fitErrors(fit: Pick<SineFit, 'target' | 'fits'>): Array<{ steps: number; mse: number }> {
  return fit.fits.map((f) => ({ steps: f.steps, mse: meanSquaredError(f.y, fit.target) }));
}
