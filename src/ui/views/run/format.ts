// Number and time formats the views share: durations, accuracies with their CI, MSEs.
import type { AccuracySummary } from '../../../core/train/stats';

/** "45 s", "12 min", "3 h 20 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.max(0, Math.ceil(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** "86.43% ± 0.71%" for accuracy, "0.412 ± 0.031" for MSE. */
export function formatSummary(summary: AccuracySummary, metric: 'accuracy' | 'mse'): string {
  if (metric === 'mse') return `${summary.mean.toFixed(3)} ± ${summary.ci95.toFixed(3)}`;
  return `${(100 * summary.mean).toFixed(2)}% ± ${(100 * summary.ci95).toFixed(2)}%`;
}

/** A paired difference: "+3.10 ± 1.20 points" (accuracy) or "-0.120 ± 0.040" (MSE). */
export function formatDifference(summary: AccuracySummary, metric: 'accuracy' | 'mse'): string {
  const sign = summary.mean >= 0 ? '+' : '−';
  if (metric === 'mse') return `${sign}${Math.abs(summary.mean).toFixed(3)} ± ${summary.ci95.toFixed(3)}`;
  return `${sign}${Math.abs(100 * summary.mean).toFixed(2)} ± ${(100 * summary.ci95).toFixed(2)} points`;
}

/** Whether a paired difference's 95% interval excludes zero. */
export function isSignificant(summary: AccuracySummary): boolean {
  return Math.abs(summary.mean) > summary.ci95;
}
