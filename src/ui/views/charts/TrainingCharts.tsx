// Training curves of the current run with earlier runs overlaid: loss, accuracy (with validation
// accuracy and its 95% interval) and the learning rate, each against the training step, with a
// smoothing slider and a text summary of the latest numbers for screen-reader users. The loss axis
// turns logarithmic by itself when a blow-up spans orders of magnitude (lossAxis.ts).
// Presentational: props in, the smoothing change out. Drawn with Plot.tsx, not recharts: see there.
import { useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { metricNamed } from '../../../core/experiment/datasets';
import type { MetricName } from '../../../core/experiment/taskFamily';
import type { ProgressPoint, ValidationPointMessage } from '../../../worker/protocol';
import { downsample, MAX_POINTS_PER_SERIES } from './downsample';
import { formatNumber, formatPercent, formatTick } from './format';
import { lossAxis, spansOrdersOfMagnitude } from './lossAxis';
import { smoothEma } from './smooth';
import { Plot, type PlotAxis, type PlotErrorBars, type PlotLine } from './Plot';
import { niceTicks, ticksFromZero } from './ticks';
import { useWidth } from './useWidth';
import './charts.css';

export interface TrainingChartRun {
  id: string;
  name: string;
  /** A CSS colour the run's lines are drawn in. */
  color: string;
  points: ProgressPoint[];
  validation: ValidationPointMessage[];
  /** The run being trained or looked at: drawn solid, with its raw points behind. */
  current: boolean;
}

export interface TrainingChartsProps {
  runs: TrainingChartRun[];
  /** 0..0.99: weight of the exponential moving average (TensorBoard-style, debiased). */
  smoothing: number;
  onSmoothingChange(v: number): void;
  /** What validation measures: accuracy (classification) or MSE (regression). */
  metric: MetricName;
  /** Width in CSS pixels of each chart; measured from the container when absent. */
  width?: number;
}

interface XY {
  /** The step. */
  x: number;
  y: number;
}

interface ValidationXY {
  step: number;
  mean: number;
  /** Half-width of the 95% interval, or [below, above] for a log axis. */
  ci: number | [number, number];
}

interface Series {
  run: TrainingChartRun;
  loss: XY[];
  lossRaw: XY[];
  accuracy: XY[];
  accuracyRaw: XY[];
  learningRate: XY[];
  validation: ValidationXY[];
}

const CHART_HEIGHT = 170;
/** Horizontal padding + border of a chart's figure (charts.css). */
const FIGURE_INSET = 18;
/** Gap between charts side by side (charts.css, .training-charts__charts). */
const GRID_GAP = 12;
/** Charts go side by side when each can still be this wide (a laptop's main column). */
const MIN_SIDE_BY_SIDE = 320;
const ACCURACY_TICKS = [0, 0.25, 0.5, 0.75, 1];
const ACCURACY_WIDTH = 64;
const tickPercent = (v: number) => formatPercent(v, 0);
const stepOf = (p: XY) => p.x;
const valueOf = (p: XY) => p.y;

/** A run's curves, smoothed over every point, then thinned for drawing. */
function seriesOf(run: TrainingChartRun, smoothing: number, metric: MetricName, logLoss: boolean): Series {
  const thin = (xy: XY[]) => downsample(xy, MAX_POINTS_PER_SERIES, stepOf, valueOf);
  const points = run.points;
  const lossValues = points.map((p) => p.loss);
  const smoothedLoss = smoothEma(lossValues, smoothing);
  const keepLoss = (v: number) => !logLoss || v > 0 || !Number.isFinite(v);
  const loss: XY[] = [];
  const lossRaw: XY[] = [];
  for (let i = 0; i < points.length; i++) {
    if (keepLoss(smoothedLoss[i])) loss.push({ x: points[i].step, y: smoothedLoss[i] });
    if (keepLoss(lossValues[i])) lossRaw.push({ x: points[i].step, y: lossValues[i] });
  }
  const withAccuracy = points.filter((p) => p.accuracy !== undefined);
  const accuracyValues = withAccuracy.map((p) => p.accuracy as number);
  const smoothedAccuracy = smoothEma(accuracyValues, smoothing);
  const validation = run.validation
    .filter((v) => v.metric === metric && Number.isFinite(v.summary.mean))
    .filter((v) => metric === 'accuracy' || !logLoss || v.summary.mean > 0)
    .map((v): ValidationXY => {
      const { mean, ci95 } = v.summary;
      const half = Number.isFinite(ci95) ? ci95 : 0;
      // An MSE's interval stops at 0 (it cannot be negative), on a log axis just above it.
      const ci: ValidationXY['ci'] = metric === 'mse' ? [Math.min(half, logLoss ? mean * 0.999 : mean), half] : half;
      return { step: v.step, mean, ci };
    });
  return {
    run,
    loss: thin(loss),
    lossRaw: run.current && smoothing > 0 ? thin(lossRaw) : [],
    accuracy: thin(withAccuracy.map((p, i) => ({ x: p.step, y: smoothedAccuracy[i] }))),
    accuracyRaw: run.current && smoothing > 0 ? thin(withAccuracy.map((p, i) => ({ x: p.step, y: accuracyValues[i] }))) : [],
    learningRate: thin(points.map((p) => ({ x: p.step, y: p.learningRate }))),
    validation: downsample(validation, MAX_POINTS_PER_SERIES),
  };
}

function learningRateChanges(points: ProgressPoint[]): boolean {
  return points.some((p) => p.learningRate !== points[0].learningRate);
}

function validationText(v: ValidationPointMessage): string {
  const { mean, ci95 } = v.summary;
  return v.metric === 'accuracy'
    ? `validation ${formatPercent(mean)} ± ${formatPercent(ci95)} at step ${v.step}`
    : `validation MSE ${formatNumber(mean)} ± ${formatNumber(ci95)} at step ${v.step}`;
}

/** "Step 120: loss 0.412, accuracy 86.7%; validation 81.2% ± 2.1% at step 100" (raw, not smoothed). */
export function latestSummary(run: Pick<TrainingChartRun, 'points' | 'validation'>, metric: MetricName): string {
  const last = run.points[run.points.length - 1];
  const validation = run.validation.filter((v) => v.metric === metric);
  const lastValidation = validation[validation.length - 1];
  const parts: string[] = [];
  if (last) {
    let text = `Step ${last.step}: loss ${formatNumber(last.loss)}`;
    if (last.accuracy !== undefined) text += `, accuracy ${formatPercent(last.accuracy)}`;
    parts.push(text);
  }
  if (lastValidation) parts.push(validationText(lastValidation));
  return parts.length ? parts.join('; ') : 'No training steps yet';
}

function runNames(runs: TrainingChartRun[]): string {
  const current = runs.filter((r) => r.current).map((r) => `${r.name} (current)`);
  const earlier = runs.filter((r) => !r.current).map((r) => r.name);
  return [...current, ...(earlier.length ? [`earlier: ${earlier.join(', ')}`] : [])].join('; ');
}

function stepAxis(maxStep: number): PlotAxis {
  const end = Math.max(1, maxStep);
  return { domain: [0, end], ticks: niceTicks(0, end), format: formatNumber, label: 'Training step' };
}

function ChartFigure(props: { title: string; description: string; summary: string; children: ReactNode }) {
  const id = useId();
  return (
    <figure className="training-charts__chart figure-box" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="training-charts__chart-title figure-box__title">
        {props.title}
      </figcaption>
      <div role="img" aria-label={`${props.title}: ${props.description}`} className="training-charts__plot">
        {props.children}
      </div>
      <p className="training-charts__chart-summary">{props.summary}</p>
    </figure>
  );
}

export function TrainingCharts({ runs, smoothing, onSmoothingChange, metric, width }: TrainingChartsProps) {
  const id = useId();
  // null: automatic, log when the loss spans orders of magnitude; a tick of the box decides.
  const [logChoice, setLogChoice] = useState<boolean | null>(null);
  const autoLog = useMemo(() => spansOrdersOfMagnitude(runs.flatMap((r) => r.points.map((p) => p.loss))), [runs]);
  const logLoss = logChoice ?? autoLog;
  const [ref, measuredWidth] = useWidth(width, 560 + FIGURE_INSET);
  // Loss and accuracy side by side where there is room, so both sit on a laptop's first screen. A
  // measured width is the section's; each chart sits inside its figure's padding and border.
  const columns = width === undefined && measuredWidth >= 2 * (MIN_SIDE_BY_SIDE + FIGURE_INSET) + GRID_GAP ? 2 : 1;
  const chartWidth = width ?? Math.max(200, Math.floor((measuredWidth - GRID_GAP * (columns - 1)) / columns) - FIGURE_INSET);
  // The current run is drawn last, on top of the overlays.
  const ordered = useMemo(() => [...runs.filter((r) => !r.current), ...runs.filter((r) => r.current)], [runs]);
  // Runs whose curves did not change since the last render (earlier runs, usually) are not
  // smoothed and thinned again: the cache is keyed on the points array.
  const cache = useRef(new WeakMap<ProgressPoint[], { key: string; validation: ValidationPointMessage[]; series: Series }>());
  const series = useMemo(
    () =>
      ordered.map((run) => {
        const key = `${smoothing}|${metric}|${logLoss}|${run.current}`;
        const hit = cache.current.get(run.points);
        if (hit && hit.key === key && hit.validation === run.validation) return { ...hit.series, run };
        const computed = seriesOf(run, smoothing, metric, logLoss);
        cache.current.set(run.points, { key, validation: run.validation, series: computed });
        return computed;
      }),
    [ordered, smoothing, metric, logLoss],
  );
  const lossY = useMemo(() => {
    const values = series.flatMap((s) => [
      ...s.loss.map(valueOf),
      ...s.lossRaw.map(valueOf),
      ...(metric === 'mse' ? s.validation.map((v) => v.mean + (Array.isArray(v.ci) ? v.ci[1] : v.ci)) : []),
    ]);
    return lossAxis(values, logLoss);
  }, [series, logLoss, metric]);
  const primary = runs.find((r) => r.current) ?? runs[runs.length - 1];
  const anyPoints = runs.some((r) => r.points.length > 0);
  const hasAccuracy =
    metric === 'accuracy' &&
    runs.some((r) => r.points.some((p) => p.accuracy !== undefined) || r.validation.some((v) => v.metric === 'accuracy'));
  const lrVaries = runs.some((r) => learningRateChanges(r.points));
  const names = runNames(runs);
  const maxStep = Math.max(0, ...runs.map((r) => r.points.at(-1)?.step ?? 0), ...runs.map((r) => r.validation.at(-1)?.step ?? 0));
  const xAxis = stepAxis(maxStep);
  const lossLabel = metric === 'accuracy' ? 'Loss (cross-entropy)' : 'Loss (MSE)';

  const lines = (key: 'loss' | 'accuracy' | 'learningRate', rawKey?: 'lossRaw' | 'accuracyRaw'): PlotLine[] =>
    series.flatMap((s) => {
      const raw = rawKey ? s[rawKey] : [];
      const line: PlotLine = {
        key: s.run.id,
        name: s.run.name,
        points: s[key],
        color: s.run.color,
        width: s.run.current ? 2 : 1,
        opacity: s.run.current ? 1 : 0.7,
      };
      return raw.length > 0 ? [{ key: `${s.run.id}-raw`, points: raw, color: s.run.color, width: 1, opacity: 0.25 }, line] : [line];
    });

  const withValidation = series.filter((s) => s.validation.length > 0);
  const validationLines: PlotLine[] = withValidation.map((s) => ({
    key: `${s.run.id}-validation`,
    name: `${s.run.name} validation`,
    points: s.validation.map((v) => ({ x: v.step, y: v.mean })),
    color: s.run.color,
    width: s.run.current ? 1.5 : 1,
    opacity: 1,
    dash: '4 3',
  }));
  const validationBars: PlotErrorBars[] = withValidation.map((s) => ({
    key: `${s.run.id}-validation`,
    color: s.run.color,
    radius: s.run.current ? 4 : 3,
    points: s.validation.map((v) => {
      const [below, above] = Array.isArray(v.ci) ? v.ci : [v.ci, v.ci];
      return { x: v.step, y: v.mean, below, above };
    }),
  }));
  const lrValues = series.flatMap((s) => s.learningRate.map(valueOf));
  const lrTicks = ticksFromZero(Math.max(0, ...lrValues.filter(Number.isFinite)));

  const last = primary?.points[primary.points.length - 1];
  const lastVal = primary?.validation.filter((v) => v.metric === metric).at(-1);
  const lr = primary?.points[0]?.learningRate;
  const otherLrs = runs
    .filter((r) => r !== primary && r.points.length > 0 && r.points[0].learningRate !== lr)
    .map((r) => `${r.name} ${formatNumber(r.points[0].learningRate)}`);

  return (
    <section className="training-charts" aria-labelledby={`${id}-heading`} ref={ref}>
      <div className="training-charts__header">
        <h2 id={`${id}-heading`} className="training-charts__heading">
          Training curves
        </h2>
        <span className="training-charts__control">
          <label htmlFor={`${id}-smoothing`}>Smoothing</label>
          <input
            id={`${id}-smoothing`}
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            aria-valuetext={smoothing === 0 ? 'off' : smoothing.toFixed(2)}
            onChange={(e) => onSmoothingChange(Number(e.currentTarget.value))}
          />
          <output htmlFor={`${id}-smoothing`} className="training-charts__value">
            {smoothing.toFixed(2)}
          </output>
        </span>
        <label className="training-charts__control">
          <input type="checkbox" checked={logLoss} onChange={(e) => setLogChoice(e.currentTarget.checked)} />
          Log-scale loss
        </label>
        {logChoice === null && autoLog && <span className="training-charts__note">on by itself: the loss spans orders of magnitude</span>}
      </div>

      {primary && (
        <p className="training-charts__summary">{latestSummary(primary, metric)}</p>
      )}

      {runs.length > 0 && (
        <ul className="training-charts__legend" aria-label="Runs">
          {[...runs].sort((a, b) => Number(b.current) - Number(a.current)).map((r) => (
            <li key={r.id} className="training-charts__legend-item">
              <svg width="24" height="10" aria-hidden="true" className="training-charts__swatch">
                <line x1="0" y1="5" x2="24" y2="5" stroke={r.color} strokeWidth={r.current ? 3 : 1.5} />
              </svg>
              <span className="training-charts__legend-name">{r.name}</span>{' '}
              <span className="training-charts__legend-note">
                {r.current ? '(current)' : '(earlier run)'}
                {r !== primary && ` — ${latestSummary(r, metric)}`}
              </span>
            </li>
          ))}
        </ul>
      )}

      {anyPoints && (
        <p className="training-charts__key">
          Thick line: {smoothing > 0 ? 'smoothed training values' : 'training values'}
          {smoothing > 0 && ' (faint line behind: raw values of the current run)'}
          {runs.some((r) => r.validation.some((v) => v.metric === metric)) &&
            `; dashed with error bars: validation ${metricNamed(metric).shortLabel}, mean ± 95% confidence interval`}
          .
        </p>
      )}

      {!anyPoints ? (
        <p className="training-charts__empty">No training steps yet: the curves appear after the first step.</p>
      ) : (
        <>
        <div className="training-charts__charts" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
          <ChartFigure
            title="Training loss per step"
            description={`${lossLabel.toLowerCase()} against training step${smoothing > 0 ? `, smoothed (${smoothing.toFixed(2)})` : ''}${logLoss ? ', log scale' : ''}${metric === 'mse' ? ', with validation MSE and its 95% confidence interval' : ''}; ${names}`}
            summary={
              last
                ? `Latest: step ${last.step}, loss ${formatNumber(last.loss)}` +
                  (metric === 'mse' && lastVal ? `; ${validationText(lastVal)}` : '') +
                  '.'
                : 'No steps yet.'
            }
          >
            <Plot
              width={chartWidth}
              height={CHART_HEIGHT}
              yWidth={lossY.width}
              x={xAxis}
              y={{ domain: lossY.domain, ticks: lossY.ticks, format: formatTick, label: lossLabel, log: lossY.log }}
              lines={[...lines('loss', 'lossRaw'), ...(metric === 'mse' ? validationLines : [])]}
              errorBars={metric === 'mse' ? validationBars : []}
              formatValue={formatNumber}
            />
          </ChartFigure>

          {hasAccuracy && (
            <ChartFigure
              title="Accuracy per step"
              description={`training accuracy (per cent) against training step${smoothing > 0 ? `, smoothed (${smoothing.toFixed(2)})` : ''}, with validation accuracy as dashed points with 95% confidence intervals; ${names}`}
              summary={
                (last?.accuracy !== undefined
                  ? `Latest: step ${last.step}, training accuracy ${formatPercent(last.accuracy)}`
                  : 'No training accuracy yet') + (lastVal ? `; ${validationText(lastVal)}.` : '; no validation yet.')
              }
            >
              <Plot
                width={chartWidth}
                height={CHART_HEIGHT}
                yWidth={ACCURACY_WIDTH}
                x={xAxis}
                y={{ domain: [0, 1], ticks: ACCURACY_TICKS, format: tickPercent, label: 'Accuracy (%)' }}
                lines={[...lines('accuracy', 'accuracyRaw'), ...validationLines]}
                errorBars={validationBars}
                formatValue={formatPercent}
              />
            </ChartFigure>
          )}

          {lrVaries && (
            <ChartFigure
              title="Learning rate per step"
              description={`learning rate (step size) against training step; ${names}`}
              summary={last ? `Latest: step ${last.step}, learning rate ${formatNumber(last.learningRate)}.` : 'No steps yet.'}
            >
              <Plot
                width={chartWidth}
                height={Math.round(CHART_HEIGHT * 0.75)}
                yWidth={ACCURACY_WIDTH}
                x={xAxis}
                y={{ domain: [0, lrTicks[lrTicks.length - 1]], ticks: lrTicks, format: formatTick, label: 'Learning rate' }}
                lines={lines('learningRate')}
                formatValue={formatNumber}
              />
            </ChartFigure>
          )}
        </div>
        {!lrVaries && lr !== undefined && (
          <p className="training-charts__lr-constant">
            Learning rate constant at {formatNumber(lr)}
            {otherLrs.length > 0 && ` (earlier runs: ${otherLrs.join(', ')})`}
          </p>
        )}
        </>
      )}
    </section>
  );
}
