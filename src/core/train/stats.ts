// Summary statistics of per-episode accuracies: the field's protocol reports the mean and the 95%
// confidence interval 1.96 * std / sqrt(episodes); a paired comparison of two methods on
// identical episodes reports the mean difference with its own interval.

export interface AccuracySummary {
  /** Mean accuracy in [0, 1]. */
  mean: number;
  /** Half-width of the 95% confidence interval, in the same units as mean. */
  ci95: number;
  /** Sample standard deviation (n - 1) of the per-episode accuracies. */
  std: number;
  episodes: number;
}

export function summarise(values: ArrayLike<number>): AccuracySummary {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci95: NaN, std: NaN, episodes: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
  return { mean, ci95: (1.96 * std) / Math.sqrt(n), std, episodes: n };
}

/** Mean of (a - b) over paired episodes, with its 95% interval. Both must be the same episodes. */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): AccuracySummary {
  if (a.length !== b.length) {
    throw new Error(`A paired comparison needs the same episodes for both runs; got ${a.length} and ${b.length}.`);
  }
  const diff = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) diff[i] = a[i] - b[i];
  return summarise(diff);
}

/** "98.21% ± 0.35%" */
export function formatAccuracy(s: AccuracySummary, digits = 2): string {
  return `${(100 * s.mean).toFixed(digits)}% ± ${(100 * s.ci95).toFixed(digits)}%`;
}
