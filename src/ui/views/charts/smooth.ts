// Smoothing of noisy training curves for display: a debiased exponential moving average, the same
// rule as TensorBoard's smoothing slider. Pure, so it is tested on its own (tests/unit/ui/charts.smooth.test.tsx).

/** The largest weight used: at 1 the average would never move. */
export const MAX_SMOOTHING = 0.999;

/**
 * Exponential moving average with debiasing: s_t = a_t / (1 - w^t), a_t = w a_{t-1} + (1 - w) y_t,
 * a_0 = 0. Without the debiasing the first points would be pulled towards 0; with it the first
 * smoothed value equals the first value. Weight 0 returns the values unchanged; non-finite values
 * (a diverged loss) are passed through as they are and do not enter the average. A constant series
 * is returned unchanged (no floating-point wobble).
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  const w = Number.isFinite(weight) ? Math.min(Math.max(weight, 0), MAX_SMOOTHING) : 0;
  if (w === 0 || values.length === 0) return values.slice();
  const first = values[0];
  if (values.every((v) => v === first)) return values.slice();
  const out = new Array<number>(values.length);
  let last = 0;
  let accumulated = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    accumulated++;
    out[i] = last / (1 - Math.pow(w, accumulated));
  }
  return out;
}
