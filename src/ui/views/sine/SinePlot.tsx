// The sine-regression view: one task's target curve, its K support points and the model's fit after
// 0, 1, ... adaptation steps (the user picks which step counts to draw), with the MSE of each fit
// against the target in text. Presentational: props in, "New task" out.
import { useId, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { SineFit } from '../../../worker/protocol';
import { downsample } from '../charts/downsample';
import { formatNumber, formatTick, plural } from '../charts/format';
import { niceTicks } from '../charts/ticks';
import { useWidth } from '../charts/useWidth';
import { fitErrors } from './mse';
import './sine.css';

export interface SinePlotProps {
  fit: SineFit | null;
  loading: boolean;
  error?: string;
  onNewTask(): void;
  /** Width of the chart in CSS pixels; measured when absent. */
  width?: number;
}

const FIT_COLORS = ['#D55E00', '#E69F00', '#009E73', '#0072B2', '#CC79A7', '#56B4E9', '#882255', '#117733'];
const TARGET_COLOR = 'currentColor';
/** Horizontal padding + border of the figure (sine.css). */
const FIGURE_INSET = 18;

/** Steps drawn until the user chooses: the first, the second and the last fit. */
export function defaultSteps(available: number[]): number[] {
  if (available.length <= 3) return available.slice();
  return [available[0], available[1], available[available.length - 1]];
}

function fitColor(index: number): string {
  return FIT_COLORS[index % FIT_COLORS.length];
}

/** "amplitude 3.21, phase 1.10 rad; K = 10 support points; MSE on the curve after 0 steps 2.31, after 10 steps 0.12" */
export function sineSummary(fit: SineFit, steps: number[]): string {
  const errors = fitErrors(fit);
  const shown = errors.filter((e) => steps.includes(e.steps));
  const mse = shown.length
    ? `; MSE on the curve ${shown.map((e) => `after ${plural(e.steps, 'step')} ${formatNumber(e.mse)}`).join(', ')}`
    : '';
  return `amplitude ${fit.amplitude.toFixed(2)}, phase ${fit.phase.toFixed(2)} rad; K = ${fit.support.x.length} support points${mse}`;
}

export function SinePlot({ fit, loading, error, onNewTask, width }: SinePlotProps) {
  const id = useId();
  const [chosen, setChosen] = useState<number[] | null>(null);
  const [ref, measuredWidth] = useWidth(width, 520 + FIGURE_INSET);
  // A measured width is the section's; the chart sits inside its figure's padding and border.
  const chartWidth = width ?? Math.max(200, measuredWidth - FIGURE_INSET);
  const available = useMemo(() => fit?.fits.map((f) => f.steps) ?? [], [fit]);
  const shownSteps = chosen ? available.filter((s) => chosen.includes(s)) : defaultSteps(available);

  const toggle = (steps: number, on: boolean) => {
    const current = new Set(shownSteps);
    if (on) current.add(steps);
    else current.delete(steps);
    setChosen(available.filter((s) => current.has(s)));
  };

  return (
    <section className="sine-plot" aria-labelledby={`${id}-heading`} aria-busy={loading} ref={ref}>
      <div className="sine-plot__header">
        <h3 id={`${id}-heading`} className="sine-plot__heading">
          Sine task
        </h3>
        <button type="button" className="sine-plot__button" onClick={() => onNewTask()} disabled={loading}>
          New task
        </button>
      </div>
      {loading && (
        <p className="sine-plot__status" role="status">
          Fitting a task…
        </p>
      )}
      {error && (
        <p className="sine-plot__error" role="alert">
          Could not fit a task: {error}
        </p>
      )}
      {!fit && !loading && !error && <p className="sine-plot__empty">No task yet. Press “New task” to fit one.</p>}
      {fit && (
        <SineBody
          fit={fit}
          available={available}
          shownSteps={shownSteps}
          onToggle={toggle}
          width={chartWidth}
          stale={loading}
          idPrefix={id}
        />
      )}
    </section>
  );
}

function SineBody(props: {
  fit: SineFit;
  available: number[];
  shownSteps: number[];
  onToggle(steps: number, on: boolean): void;
  width: number;
  stale: boolean;
  idPrefix: string;
}) {
  const { fit, available, shownSteps, onToggle, width, stale, idPrefix } = props;
  const errors = useMemo(() => fitErrors(fit), [fit]);
  const xy = useMemo(() => {
    const curve = (ys: number[]) =>
      downsample(
        fit.grid.map((x, i) => ({ x, y: ys[i] })),
        500,
        (p) => p.x,
        (p) => p.y,
      );
    return {
      target: curve(fit.target),
      fits: new Map(fit.fits.map((f) => [f.steps, curve(f.y)])),
      support: fit.support.x.map((x, i) => ({ x, y: fit.support.y[i] })),
    };
  }, [fit]);
  const k = fit.support.x.length;
  const first = available[0];
  const last = available[available.length - 1];
  const summarySteps = [...new Set([first, ...shownSteps, last])].filter((s) => s !== undefined);
  const xMin = Math.min(...fit.grid);
  const xMax = Math.max(...fit.grid);
  // The y range is the wave's (and its points'), with room around it: a fit far off (a blown-up
  // model outputs 1e30) is cut at the edge and said so, instead of flattening the wave to a line.
  const [yMin, yMax] = useMemo(() => {
    const ys = [...fit.target, ...fit.support.y];
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const pad = Math.max(0.5, 0.5 * (hi - lo));
    return [lo - pad, hi + pad];
  }, [fit]);
  const cut = shownSteps.filter((steps) => fit.fits.find((f) => f.steps === steps)?.y.some((y) => !(y >= yMin && y <= yMax)));
  const title = `Target curve, ${k} support points and the model's fit after adaptation steps`;

  return (
    <div className={`sine-plot__body${stale ? ' sine-plot__body--stale' : ''}`}>
      <p className="sine-plot__summary">{sineSummary(fit, summarySteps)}</p>

      <fieldset className="sine-plot__steps">
        <legend>Show the fit after</legend>
        {available.map((steps) => (
          <label key={steps} className="sine-plot__step">
            <input type="checkbox" checked={shownSteps.includes(steps)} onChange={(e) => onToggle(steps, e.currentTarget.checked)} />
            {plural(steps, 'step')}
          </label>
        ))}
      </fieldset>

      <figure className="sine-plot__figure figure-box" aria-labelledby={`${idPrefix}-title`}>
        <figcaption id={`${idPrefix}-title`} className="sine-plot__figure-title figure-box__title">
          {title}
        </figcaption>
        <div
          role="img"
          aria-label={`${title}: line chart of y against x for the target y = ${fit.amplitude.toFixed(2)} sin(x − ${fit.phase.toFixed(2)}), the support points, and the fit after ${shownSteps.length ? shownSteps.map((s) => plural(s, 'step')).join(', ') : 'no steps (none chosen)'}`}
        >
          <ComposedChart accessibilityLayer={false} width={width} height={260} margin={{ top: 8, right: 16, bottom: 22, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.4} />
            <XAxis
              dataKey="x"
              type="number"
              domain={[xMin, xMax]}
              ticks={niceTicks(xMin, xMax)}
              tickFormatter={(v: number) => formatNumber(v)}
              label={{ value: 'x (input)', position: 'insideBottom', offset: -14 }}
            />
            <YAxis
              type="number"
              domain={[yMin, yMax]}
              allowDataOverflow
              ticks={niceTicks(yMin, yMax)}
              tickFormatter={(v: number) => formatTick(v)}
              width={60}
              label={{ value: 'y (output)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
            />
            <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(x) => `x = ${formatNumber(Number(x))}`} />
            <Line
              data={xy.target}
              dataKey="y"
              name="Target"
              stroke={TARGET_COLOR}
              strokeWidth={2.5}
              dot={false}
              isAnimationActive={false}
            />
            {shownSteps.map((steps) => (
              <Line
                key={steps}
                data={xy.fits.get(steps)}
                dataKey="y"
                name={`Fit after ${plural(steps, 'step')}`}
                stroke={fitColor(available.indexOf(steps))}
                strokeWidth={1.75}
                strokeDasharray={steps === 0 ? '5 4' : undefined}
                dot={false}
                isAnimationActive={false}
              />
            ))}
            <Scatter
              data={xy.support}
              dataKey="y"
              name={`Support points (K = ${k})`}
              fill={TARGET_COLOR}
              shape="circle"
              isAnimationActive={false}
            />
          </ComposedChart>
        </div>
        <ul className="sine-plot__legend" aria-label="Legend">
          <li>
            <svg width="24" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="24" y2="5" stroke={TARGET_COLOR} strokeWidth={2.5} />
            </svg>
            Target
          </li>
          <li>
            <svg width="10" height="10" aria-hidden="true">
              <circle cx="5" cy="5" r="4" fill={TARGET_COLOR} />
            </svg>
            Support points (K = {k})
          </li>
          {shownSteps.map((steps) => (
            <li key={steps}>
              <svg width="24" height="10" aria-hidden="true">
                <line
                  x1="0"
                  y1="5"
                  x2="24"
                  y2="5"
                  stroke={fitColor(available.indexOf(steps))}
                  strokeWidth={2}
                  strokeDasharray={steps === 0 ? '5 4' : undefined}
                />
              </svg>
              Fit after {plural(steps, 'step')}
            </li>
          ))}
        </ul>
      </figure>
      {cut.length > 0 && (
        <p className="sine-plot__note">
          The fit after {cut.map((steps) => plural(steps, 'step')).join(', ')} leaves the plotted range and is cut at its edge (the errors above are measured in full).
        </p>
      )}

      <details className="sine-plot__details">
        <summary>MSE after every step count</summary>
        <table className="sine-plot__table">
          <caption className="sine-plot__empty">MSE of the fit against the target, on {fit.grid.length} points of the curve</caption>
          <thead>
            <tr>
              <th scope="col">Steps</th>
              <th scope="col">MSE</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={e.steps}>
                <th scope="row">{e.steps}</th>
                <td>{formatNumber(e.mse)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
