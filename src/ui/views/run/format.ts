// Number and time formats the views share: durations, and results with their CI as their metric
// writes them (the task family's, core/experiment/taskFamily.ts).
import { metricNamed } from '../../../core/experiment/datasets';
import type { MetricName } from '../../../core/experiment/taskFamily';
import type { AccuracySummary } from '../../../core/train/stats';

/** "45 s", "12 min", "3 h 20 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.max(0, Math.ceil(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** "86.43% ± 0.71%" for accuracy, "0.412 ± 0.031" for MSE: always the metric's digits, so results line up. */
export function formatSummary(summary: AccuracySummary, metric: MetricName): string {
  const m = metricNamed(metric);
  return m.format(summary, m.digits);
}

/** A paired difference: "+3.10 ± 1.20 points" (accuracy) or "−0.120 ± 0.040" (MSE). */
export function formatDifference(summary: AccuracySummary, metric: MetricName): string {
  return metricNamed(metric).formatDifference(summary);
}

/** Whether a paired difference's 95% interval excludes zero. */
export function isSignificant(summary: AccuracySummary): boolean {
  return Math.abs(summary.mean) > summary.ci95;
}
