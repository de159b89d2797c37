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

/**
 * Wilson score interval of a proportion (successes of trials), 95% by default. Unlike mean ± 1.96
 * std/√n it stays inside [0, 1] and does not shrink to nothing when every trial succeeds: 25 of 25
 * right gives 86.7% to 100%, not 100% ± 0%. Empty: NaN bounds.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): { low: number; high: number } {
  if (trials <= 0) return { low: NaN, high: NaN };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
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
