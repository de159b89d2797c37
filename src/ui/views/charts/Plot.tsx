// A small SVG line chart for the live training curves: grid, two axes with given ticks (linear or
// log y), lines, validation points with error bars and a hover read-out. Why not recharts here:
// recharts 3 keeps each chart in a redux store and re-lays out every axis, line and tooltip on each
// data change, 50-100 ms of main-thread work per draw of the two charts on a 2-core machine, so a
// training run (new points a few times a second) kept the page in long tasks. Drawing a few paths
// directly costs about a millisecond. Presentational; the caller chooses domains and ticks.
import { useId, useState, type PointerEvent } from 'react';

export interface PlotPoint {
  x: number;
  y: number;
}

export interface PlotLine {
  key: string;
  /** Named lines are listed in the hover read-out. */
  name?: string;
  points: readonly PlotPoint[];
  color: string;
  width: number;
  opacity: number;
  dash?: string;
}

export interface PlotErrorBars {
  key: string;
  color: string;
  /** y ± [below, above]. */
  points: ReadonlyArray<PlotPoint & { below: number; above: number }>;
  radius: number;
}

export interface PlotAxis {
  domain: readonly [number, number];
  ticks: readonly number[];
  format(v: number): string;
  label: string;
  log?: boolean;
}

export interface PlotProps {
  width: number;
  height: number;
  /** Pixels left of the plot for the y tick labels and title. */
  yWidth: number;
  x: PlotAxis;
  y: PlotAxis;
  lines: readonly PlotLine[];
  errorBars?: readonly PlotErrorBars[];
  /** The hover read-out's value format. */
  formatValue(v: number): string;
}

const MARGIN = { top: 8, right: 24, bottom: 36 };

/** The nearest point to x in points sorted by x. */
function nearest(points: readonly PlotPoint[], x: number): PlotPoint | undefined {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return undefined;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? points[lo] : points[hi];
}

export function Plot({ width, height, yWidth, x, y, lines, errorBars = [], formatValue }: PlotProps) {
  const clip = useId();
  const [hoverX, setHoverX] = useState<number | null>(null);
  const left = yWidth;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const [x0, x1] = x.domain;
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (right - left);
  const ty = (v: number) => (y.log ? Math.log10(v) : v);
  const [y0, y1] = [ty(y.domain[0]), ty(y.domain[1])];
  const sy = (v: number) => bottom - ((ty(v) - y0) / (y1 - y0 || 1)) * (bottom - top);
  // A non-finite value (or one a log axis cannot show) breaks the line instead of bending it.
  const path = (points: readonly PlotPoint[]) => {
    let d = '';
    let pen = false;
    for (const p of points) {
      const py = sy(p.y);
      if (!Number.isFinite(py)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)},${py.toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - box.left;
    setHoverX(px < left || px > right ? null : x0 + ((px - left) / (right - left)) * (x1 - x0));
  };
  const readout =
    hoverX === null
      ? []
      : lines.flatMap((l) => {
          const p = l.name ? nearest(l.points, hoverX) : undefined;
          return p ? [{ key: l.key, name: l.name!, color: l.color, p }] : [];
        });
  return (
    <div className="plot">
      <svg className="plot__surface" width={width} height={height} onPointerMove={onMove} onPointerLeave={() => setHoverX(null)}>
        <defs>
          <clipPath id={clip}>
            <rect x={left} y={top} width={Math.max(0, right - left)} height={Math.max(0, bottom - top)} />
          </clipPath>
        </defs>
        <g className="plot__grid" stroke="currentColor" strokeOpacity={0.15} strokeDasharray="3 3">
          {x.ticks.map((t) => (
            <line key={`x${t}`} x1={sx(t)} x2={sx(t)} y1={top} y2={bottom} />
          ))}
          {y.ticks.map((t) => (
            <line key={`y${t}`} x1={left} x2={right} y1={sy(t)} y2={sy(t)} />
          ))}
        </g>
        <g className="plot__axis" stroke="currentColor" strokeOpacity={0.5}>
          <line x1={left} x2={right} y1={bottom} y2={bottom} />
          <line x1={left} x2={left} y1={top} y2={bottom} />
        </g>
        <g fontSize={12} fill="currentColor">
          {x.ticks.map((t) => (
            <text key={t} className="plot__tick plot__tick--x" x={sx(t)} y={bottom + 14} textAnchor="middle">
              {x.format(t)}
            </text>
          ))}
          {y.ticks.map((t) => (
            <text key={t} className="plot__tick plot__tick--y" x={left - 6} y={sy(t) + 4} textAnchor="end">
              {y.format(t)}
            </text>
          ))}
          <text x={(left + right) / 2} y={height - 4} textAnchor="middle">
            {x.label}
          </text>
          <text transform={`translate(12 ${(top + bottom) / 2}) rotate(-90)`} textAnchor="middle">
            {y.label}
          </text>
        </g>
        <g clipPath={`url(#${clip})`} fill="none">
          {lines.map((l) => (
            <path key={l.key} className="plot__line" d={path(l.points)} stroke={l.color} strokeWidth={l.width} strokeOpacity={l.opacity} strokeDasharray={l.dash} />
          ))}
          {/* A line of one point (a run's first step) is drawn as a dot: a path needs two. */}
          {lines
            .filter((l) => l.points.length === 1 && Number.isFinite(sy(l.points[0].y)))
            .map((l) => (
              <circle key={`${l.key}-dot`} cx={sx(l.points[0].x)} cy={sy(l.points[0].y)} r={l.width + 1.5} fill={l.color} fillOpacity={l.opacity} />
            ))}
          {errorBars.map((b) => (
            <g key={b.key} className="plot__error-bars" stroke={b.color}>
              {b.points.map((p) => {
                const cx = sx(p.x);
                const hi = sy(p.y + p.above);
                const lo = sy(p.y - p.below);
                return (
                  <g key={p.x} className="plot__error-bar" strokeWidth={1.5}>
                    {Number.isFinite(hi) && Number.isFinite(lo) && <path d={`M${cx - 3},${hi}H${cx + 3}M${cx},${hi}V${lo}M${cx - 3},${lo}H${cx + 3}`} />}
                    <circle className="training-charts__validation-dot" cx={cx} cy={sy(p.y)} r={b.radius} strokeWidth={2} />
                  </g>
                );
              })}
            </g>
          ))}
        </g>
        {hoverX !== null && readout.length > 0 && <line className="plot__cursor" x1={sx(readout[0].p.x)} x2={sx(readout[0].p.x)} y1={top} y2={bottom} stroke="currentColor" strokeOpacity={0.4} />}
      </svg>
      {hoverX !== null && readout.length > 0 && (
        <div className="plot__readout" style={{ left: Math.min(sx(readout[0].p.x) + 8, width - 160) }}>
          <div>Step {x.format(readout[0].p.x)}</div>
          {readout.map((r) => (
            <div key={r.key} style={{ color: r.color }}>
              {r.name}: {formatValue(r.p.y)}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
