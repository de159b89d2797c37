// The episode's query embeddings and class prototypes on their first two principal components,
// drawn as plain SVG: queries coloured and shaped by true class, prototypes as large outlined
// markers of the same class style, axes labelled with the share of variance each explains.
import { useId } from 'react';
import { niceTicks } from '../charts/ticks';
import { ClassMarker, classColor, classShape, markerPath } from './classMarker';

export interface ProjectionScatterProps {
  projection: {
    queries: Array<[number, number]>;
    prototypes: Array<[number, number]>;
    explainedVariance: [number, number];
  };
  /** True episode label of each query. */
  queryLabels: number[];
  predicted: number[];
  classNames: string[];
}

const W = 420;
const H = 320;
const PAD = { left: 52, right: 14, top: 12, bottom: 46 };

/** "42%" (or "4.2%" below 10%). */
export function formatVariance(fraction: number): string {
  const pct = 100 * fraction;
  return `${pct >= 10 ? Math.round(pct) : pct.toFixed(1)}%`;
}

function extent(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [-1, 1];
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = 0.06 * (hi - lo);
  return [lo - pad, hi + pad];
}

export function ProjectionScatter({ projection, queryLabels, predicted, classNames }: ProjectionScatterProps) {
  const id = useId();
  const { queries, prototypes, explainedVariance } = projection;
  const all = [...queries, ...prototypes];
  const [x0, x1] = extent(all.map((p) => p[0]));
  const [y0, y1] = extent(all.map((p) => p[1]));
  const sx = (v: number) => PAD.left + ((v - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (v: number) => H - PAD.bottom - ((v - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const name = (label: number) => classNames[label] ?? `class ${label + 1}`;
  const xLabel = `PC 1 (${formatVariance(explainedVariance[0])} of variance)`;
  const yLabel = `PC 2 (${formatVariance(explainedVariance[1])} of variance)`;
  const title = 'Query embeddings and class prototypes, first two principal components';
  const fmt = (v: number) => String(Number(v.toPrecision(3)));

  return (
    <figure className="episode-viewer__figure figure-box" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="episode-viewer__figure-title figure-box__title">
        {title}
      </figcaption>
      <svg
        className="episode-viewer__scatter"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Scatter plot of ${queries.length} query embeddings and ${prototypes.length} class prototypes, coloured and shaped by true class; x axis ${xLabel}, y axis ${yLabel}`}
      >
        <g className="episode-viewer__axis">
          <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
          <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} />
          {niceTicks(x0, x1).map((t) => (
            <g key={`x${t}`}>
              <line x1={sx(t)} x2={sx(t)} y1={H - PAD.bottom} y2={H - PAD.bottom + 4} />
              <text x={sx(t)} y={H - PAD.bottom + 15} textAnchor="middle">
                {fmt(t)}
              </text>
            </g>
          ))}
          {niceTicks(y0, y1).map((t) => (
            <g key={`y${t}`}>
              <line x1={PAD.left - 4} x2={PAD.left} y1={sy(t)} y2={sy(t)} />
              <text x={PAD.left - 7} y={sy(t) + 3.5} textAnchor="end">
                {fmt(t)}
              </text>
            </g>
          ))}
          <text className="episode-viewer__axis-label" x={(PAD.left + W - PAD.right) / 2} y={H - 8} textAnchor="middle">
            {xLabel}
          </text>
          <text
            className="episode-viewer__axis-label"
            transform={`translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            {yLabel}
          </text>
        </g>
        {queries.map(([x, y], i) => {
          const label = queryLabels[i];
          const wrong = predicted[i] !== undefined && predicted[i] !== label;
          return (
            <path
              key={`q${i}`}
              transform={`translate(${sx(x).toFixed(1)} ${sy(y).toFixed(1)})`}
              d={markerPath(classShape(label), 4)}
              fill={classColor(label)}
              fillOpacity={0.8}
              className={wrong ? 'episode-viewer__point--wrong' : undefined}
            >
              <title>{`query ${i + 1}: true ${name(label)}, predicted ${name(predicted[i])}`}</title>
            </path>
          );
        })}
        {prototypes.map(([x, y], k) => (
          <path
            key={`p${k}`}
            transform={`translate(${sx(x).toFixed(1)} ${sy(y).toFixed(1)})`}
            d={markerPath(classShape(k), 9)}
            fill={classColor(k)}
            className="episode-viewer__prototype"
          >
            <title>{`prototype of ${name(k)}`}</title>
          </path>
        ))}
      </svg>
      <ul className="episode-viewer__legend" aria-label="Classes in the scatter plot">
        {prototypes.map((_, k) => (
          <li key={k}>
            <ClassMarker label={k} /> {name(k)}
          </li>
        ))}
      </ul>
      <p className="episode-viewer__figure-note">
        Small markers are queries (wrongly classified ones ringed), large outlined markers are class prototypes (the mean
        embedding of each class's support images). PC 1 and PC 2 explain {formatVariance(explainedVariance[0])} and{' '}
        {formatVariance(explainedVariance[1])} of the variance ({formatVariance(explainedVariance[0] + explainedVariance[1])}{' '}
        together), so distances here only approximate the distances the method uses.
      </p>
    </figure>
  );
}
