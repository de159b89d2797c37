// Number formatting shared by the chart, episode and sine views, so every summary a screen reader
// reads and every axis tick says numbers the same way.

/**
 * Three significant digits without trailing zeros: 0.412, 2.31, 0.00012, 1240, 981012; a diverged
 * loss's millions and beyond as 4.86e16 (a count of digits nobody reads). "NaN" when diverged.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6) return formatExponent(v, 3);
  if (abs >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** `digits` significant digits in the short exponent form axes use: 9.8e5, 1e-3, -2.5e7. */
function formatExponent(v: number, digits: number): string {
  const [mantissa, exponent] = Number(v.toPrecision(digits)).toExponential().split('e');
  return `${mantissa}e${Number(exponent)}`;
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

/**
 * Axis tick labels, at most about six characters so they fit the axis: small quantities such as
 * learning rates as 0.001 -> "1e-3", 0.00075 -> "7.5e-4"; from ten thousand on, 250000 -> "2.5e5".
 */
export function formatTick(v: number): string {
  if (v !== 0 && Math.abs(v) < 0.01) return formatExponent(v, 2);
  if (Math.abs(v) >= 1e4 && Number.isFinite(v)) return formatExponent(v, 3);
  return formatNumber(v);
}
