// Number formatting shared by the chart, episode and sine views, so every summary a screen reader
// reads and every axis tick says numbers the same way.

/** Three significant digits without trailing zeros: 0.412, 2.31, 0.00012, 1240. "NaN" when diverged. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** A fraction in [0, 1] as a percentage: 0.8667 -> "86.7%". */
export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** "1 step", "10 steps". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Tick labels for small positive quantities such as learning rates: 0.001 -> "1e-3", 0.00075 -> "7.5e-4". */
export function formatTick(v: number): string {
  if (v !== 0 && Math.abs(v) < 0.01) return Number(v.toPrecision(2)).toExponential();
  return formatNumber(v);
}
