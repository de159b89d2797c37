// The training health check's rules, one set for every method and task family: numbers in, a
// reason out (no tensors; loop.ts applies the rules after each step and each validation, and
// divergence.ts keeps the parameters to go back to). The family says what a model that has learnt
// nothing scores (its baseline: chance, or predicting 0); a run is unhealthy when
// - its loss or validation metric is not a finite number;
// - its loss is over LOSS_FACTOR times the do-nothing loss;
// - its validation MSE is over VALIDATION_FACTOR times the do-nothing MSE;
// - its validation metric has lost over half of what it had gained over doing nothing, by more
//   than both measurements' 95% intervals (accuracy falling back towards chance, MSE rising back).
//
// Why the do-nothing level and not the loss's own early level (the median of its first steps, the
// rule before): measured on wasm (npm run experiment, 300 steps, the page's defaults otherwise),
// sine MAML with an inner step of 10 starts at a loss of 6.8e9 (the inner step overshoots at the
// initial parameters) and image MAML with alpha 10 (5-way 2-shot glyphs, 8 filters) at 11 with a
// median of 59 over its first 10 steps, so a run broken from its first step sets a broken early
// level; and with one sine task per step the first loss can be 0.02 (an amplitude-0.1 wave) before
// an ordinary 13, a 700-fold "jump".
// The do-nothing level is known before the first step, so a blow-up at step 1 or 2 is caught too.

/** A summary of a validation: mean and half-width of its 95% interval. */
export interface MetricSummary {
  mean: number;
  ci95: number;
}

/** What the validation measures and what doing nothing scores on it. */
export interface MetricBaseline {
  /** Its name in messages, e.g. "validation accuracy". */
  name: string;
  lowerIsBetter: boolean;
  /** The score of a model that has learnt nothing: chance accuracy 1/way, the MSE of predicting 0. */
  doNothing: number;
  /** That model in words, e.g. "chance" or "predicting 0 everywhere". */
  doNothingWords: string;
  format(value: number): string;
}

/** What a family's model that has learnt nothing scores, in training and in validation. */
export interface HealthBaseline {
  /** The training loss of doing nothing: log(way) for a cross-entropy, the targets' mean square for an MSE. */
  loss: number;
  /** That model in words, after "the loss of": "guessing among 5 classes", "predicting 0 everywhere". */
  lossWords: string;
  metric?: MetricBaseline;
}

/**
 * A training loss this many times the do-nothing loss has blown up. For an MSE: predictions ten
 * times (RMS) further from the targets than 0 is; for a cross-entropy over 5 classes, 161 nats: the
 * true class given e^-161 on average, confidently wrong everywhere. Measured (300 steps, the page's
 * defaults), the worst healthy step of every method was 6.8 times it on sine waves (one task per
 * step; 2.4 with the default 25) and 5.5 times it on glyphs (fine-tuning, whose loss is over every
 * training class); sine MAML with an inner rate of 10 starts at 1.6e9 times, with an outer rate of
 * 1 it reaches 1.1e16 times at step 2, and image MAML with alpha 10 reaches 156 times at step 14.
 * Sine MAML (5 tasks per step) with inner rate 0.3 peaks at 30 times and recovers; at 1 it starts
 * at 1400 times.
 */
export const LOSS_FACTOR = 100;

/**
 * A validation MSE this many times the do-nothing MSE has blown up. Lower than LOSS_FACTOR because
 * it averages many tasks (one batch's loss swings tenfold between healthy steps; the validation of
 * the default runs stayed between 0.5 and 0.9 times doing nothing).
 */
export const VALIDATION_FACTOR = 10;

/** A level in a message: three significant digits, in exponent form when large or tiny (4.86e+16). */
export function formatLevel(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** Why a step's loss shows divergence, or null when it is healthy. */
export function lossProblem(loss: number, baseline: HealthBaseline): string | null {
  if (!Number.isFinite(loss)) return `the loss became ${loss}`;
  if (baseline.loss > 0 && loss > LOSS_FACTOR * baseline.loss) {
    return `the loss rose to ${formatLevel(loss)}, over ${LOSS_FACTOR} times the loss of ${baseline.lossWords} (${formatLevel(baseline.loss)})`;
  }
  return null;
}

/** How much better than doing nothing a value is: accuracy points above chance, or decades below the do-nothing MSE. */
function gain(value: number, b: MetricBaseline): number {
  // MSEs of a learning run span decades (4.3 to 0.01 on sine waves), so they are compared as ratios;
  // accuracy is bounded, so in points.
  return b.lowerIsBetter ? Math.log10(b.doNothing / Math.max(value, 1e-12)) : value - b.doNothing;
}

/** The end of a summary's 95% interval nearest doing nothing (its worst plausible value). */
function worstEnd(s: MetricSummary, b: MetricBaseline): number {
  return b.lowerIsBetter ? s.mean + s.ci95 : s.mean - s.ci95;
}

/** The end of a summary's 95% interval furthest from doing nothing (its best plausible value). */
function bestEnd(s: MetricSummary, b: MetricBaseline): number {
  return b.lowerIsBetter ? s.mean - s.ci95 : s.mean + s.ci95;
}

/**
 * Why a validation shows divergence, given the best one before it (null when there was none), or
 * null when it is healthy.
 */
export function validationProblem(current: MetricSummary, best: MetricSummary | null, b: MetricBaseline): string | null {
  if (!Number.isFinite(current.mean)) return `the ${b.name} became ${current.mean}`;
  if (b.lowerIsBetter && b.doNothing > 0 && current.mean > VALIDATION_FACTOR * b.doNothing) {
    return `the ${b.name} rose to ${b.format(current.mean)}, over ${VALIDATION_FACTOR} times that of ${b.doNothingWords} (${b.format(b.doNothing)})`;
  }
  if (best === null) return null;
  const ci = (s: MetricSummary) => (Number.isFinite(s.ci95) ? s.ci95 : 0);
  const bestS = { mean: best.mean, ci95: ci(best) };
  const currentS = { mean: current.mean, ci95: ci(current) };
  // Only a best that was surely better than doing nothing can collapse; a run still near doing
  // nothing (its first validations) is noise, not divergence.
  const learnt = gain(worstEnd(bestS, b), b) > 0;
  // Over half of the gain lost: far more than the noise between healthy validations (the default
  // runs' validations moved by under a tenth of their gain between checks, always towards better).
  const halfLost = gain(currentS.mean, b) < gain(bestS.mean, b) / 2;
  // And surely worse than the best: the two 95% intervals do not overlap.
  const surelyWorse = gain(bestEnd(currentS, b), b) < gain(worstEnd(bestS, b), b);
  if (learnt && halfLost && surelyWorse) {
    return (
      `the ${b.name} ${b.lowerIsBetter ? 'rose' : 'fell'} to ${b.format(current.mean)} from its best of ${b.format(best.mean)}, ` +
      `losing over half of its gain over ${b.doNothingWords} (${b.format(b.doNothing)})`
    );
  }
  return null;
}

/** Of two validations, the better one (by mean). */
export function betterOf(a: MetricSummary | null, b: MetricSummary, baseline: MetricBaseline): MetricSummary {
  if (a === null) return b;
  return gain(b.mean, baseline) > gain(a.mean, baseline) ? b : a;
}
