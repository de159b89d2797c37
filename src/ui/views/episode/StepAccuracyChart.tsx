// Query accuracy of one episode after 0, 1, ... inner adaptation steps (MAML, Meta-LSTM), as a
// small line chart with a text summary of the numbers.
import { useId } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatPercent } from '../charts/format';
import { useWidth } from '../charts/useWidth';

export interface StepAccuracyChartProps {
  /** Query accuracy after 0, 1, ... steps. */
  accuracyByStep: number[];
  width?: number;
}

/** "after 0 steps 20.0%, after 1 step 46.7%, ..." (first, best and last only when there are many). */
export function stepAccuracySummary(accuracyByStep: number[]): string {
  const step = (s: number) => `after ${s} ${s === 1 ? 'step' : 'steps'} ${formatPercent(accuracyByStep[s])}`;
  const n = accuracyByStep.length;
  if (n === 0) return 'No steps.';
  if (n <= 11) return `Query accuracy ${accuracyByStep.map((_, s) => step(s)).join(', ')}.`;
  let best = 0;
  accuracyByStep.forEach((v, s) => {
    if (v > accuracyByStep[best]) best = s;
  });
  const shown = [...new Set([0, best, n - 1])].sort((a, b) => a - b);
  return `Query accuracy ${shown.map(step).join(', ')}${best !== 0 && best !== n - 1 ? ' (best)' : ''}.`;
}

export function StepAccuracyChart({ accuracyByStep, width }: StepAccuracyChartProps) {
  const id = useId();
  const [ref, measuredWidth] = useWidth(width, 360);
  // A measured width is the figure's, padding and border included (episode.css).
  const chartWidth = width ?? Math.max(200, measuredWidth - 18);
  const data = accuracyByStep.map((accuracy, steps) => ({ steps, accuracy }));
  const title = 'Query accuracy after each inner step';
  return (
    <figure className="episode-viewer__figure figure-box" aria-labelledby={`${id}-title`} ref={ref}>
      <figcaption id={`${id}-title`} className="episode-viewer__figure-title figure-box__title">
        {title}
      </figcaption>
      <div role="img" aria-label={`${title}: line chart of query accuracy (per cent) against inner adaptation steps 0 to ${accuracyByStep.length - 1}`}>
        <LineChart
          accessibilityLayer={false}
          width={Math.min(chartWidth, 480)}
          height={180}
          data={data}
          margin={{ top: 8, right: 16, bottom: 22, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.4} />
          <XAxis
            dataKey="steps"
            type="number"
            domain={[0, Math.max(1, accuracyByStep.length - 1)]}
            allowDecimals={false}
            label={{ value: 'Inner steps', position: 'insideBottom', offset: -14 }}
          />
          <YAxis
            type="number"
            domain={[0, 1]}
            ticks={[0, 0.25, 0.5, 0.75, 1]}
            tickFormatter={(v: number) => formatPercent(v, 0)}
            width={56}
            label={{ value: 'Query accuracy (%)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(s) => `After ${s} steps`} />
          <Line
            dataKey="accuracy"
            name="Query accuracy"
            stroke="#0072B2"
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
          />
        </LineChart>
      </div>
      <p className="episode-viewer__figure-note">{stepAccuracySummary(accuracyByStep)}</p>
    </figure>
  );
}
