// The loss chart's y-axis, chosen from the values it shows (pure; TrainingCharts.tsx draws it): a
// log scale when a blow-up would flatten the rest of the curve, round ticks that never go below 0
// (a loss or an MSE cannot be negative), compact labels and an axis wide enough for them.
import { formatTick } from './format';
import { logTicks, ticksFromZero } from './ticks';

export interface LossAxis {
  log: boolean;
  domain: [number, number];
  ticks: number[];
  labels: string[];
  /** Pixels for the tick labels and the rotated axis title. */
  width: number;
}

/**
 * A curve's largest value this many times its median flattens everything else on a linear axis
 * (the median's points sit within 1% of its height): a blow-up, such as a diverged run's 4.9e16
 * after losses near 4. Healthy curves stay far below it (losses falling from 3.8 to 0.01 have a
 * max/median of about 5), and a curve that is large all along (1e9 to 1e10) is not "spanning".
 */
export const SPAN_FOR_LOG = 100;

/** Whether the values' spikes span orders of magnitude above their typical level (see SPAN_FOR_LOG). */
export function spansOrdersOfMagnitude(values: readonly number[]): boolean {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  if (positive.length < 2) return false;
  // The lower median: with two points (a healthy first step, a blown-up second) it is the healthy one.
  const median = positive[(positive.length - 1) >> 1];
  return positive[positive.length - 1] >= SPAN_FOR_LOG * median;
}

/** Pixels a label column needs: about 7 px a character at the chart's font, plus the axis title. */
export function axisWidth(labels: readonly string[]): number {
  const longest = Math.max(1, ...labels.map((l) => l.length));
  return Math.max(56, 26 + 7 * longest);
}

/**
 * The axis of non-negative `values` (losses, MSEs with their intervals' upper ends), on a log scale
 * when `log` is asked and some values are positive, else linear from 0.
 */
export function lossAxis(values: readonly number[], log: boolean): LossAxis {
  const finite = values.filter(Number.isFinite);
  const positive = finite.filter((v) => v > 0);
  let ticks: number[];
  if (log && positive.length > 0) {
    ticks = logTicks(Math.min(...positive), Math.max(...positive));
  } else {
    log = false;
    ticks = ticksFromZero(Math.max(0, ...finite));
  }
  const labels = ticks.map(formatTick);
  return { log, domain: [ticks[0], ticks[ticks.length - 1]], ticks, labels, width: axisWidth(labels) };
}
