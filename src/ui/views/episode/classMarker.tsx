// How an episode class is marked wherever it appears (support headings, the embedding scatter and
// its legend): a colour and a shape, so classes differ by more than colour alone.

const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#882255', '#117733', '#332288', '#999933'];
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangleDown', 'plus', 'star'] as const;
export type MarkerShape = (typeof SHAPES)[number];

export function classColor(label: number): string {
  return PALETTE[((label % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export function classShape(label: number): MarkerShape {
  return SHAPES[((label % SHAPES.length) + SHAPES.length) % SHAPES.length];
}

/** An SVG path of the shape centred on (0, 0), about 2r across. */
export function markerPath(shape: MarkerShape, r: number): string {
  const f = (v: number) => Number(v.toFixed(2));
  switch (shape) {
    case 'circle':
      return `M${f(-r)},0a${f(r)},${f(r)} 0 1,0 ${f(2 * r)},0a${f(r)},${f(r)} 0 1,0 ${f(-2 * r)},0Z`;
    case 'square': {
      const s = r * 0.9;
      return `M${f(-s)},${f(-s)}H${f(s)}V${f(s)}H${f(-s)}Z`;
    }
    case 'triangle':
      return `M0,${f(-r * 1.15)}L${f(r * 1.05)},${f(r * 0.75)}H${f(-r * 1.05)}Z`;
    case 'triangleDown':
      return `M0,${f(r * 1.15)}L${f(r * 1.05)},${f(-r * 0.75)}H${f(-r * 1.05)}Z`;
    case 'diamond':
      return `M0,${f(-r * 1.2)}L${f(r)},0L0,${f(r * 1.2)}L${f(-r)},0Z`;
    case 'plus': {
      const a = r * 1.1;
      const b = r * 0.38;
      return `M${f(-b)},${f(-a)}H${f(b)}V${f(-b)}H${f(a)}V${f(b)}H${f(b)}V${f(a)}H${f(-b)}V${f(b)}H${f(-a)}V${f(-b)}H${f(-b)}Z`;
    }
    case 'star': {
      let d = '';
      for (let i = 0; i < 10; i++) {
        const radius = i % 2 === 0 ? r * 1.25 : r * 0.55;
        const angle = -Math.PI / 2 + (i * Math.PI) / 5;
        d += `${i === 0 ? 'M' : 'L'}${f(radius * Math.cos(angle))},${f(radius * Math.sin(angle))}`;
      }
      return `${d}Z`;
    }
  }
}

/** A small inline marker for headings and legends (decorative: the text next to it names the class). */
export function ClassMarker({ label, size = 12 }: { label: number; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="-7 -7 14 14" aria-hidden="true" className="episode-viewer__marker">
      <path d={markerPath(classShape(label), 5)} fill={classColor(label)} />
    </svg>
  );
}
