// Turning a stroke's control points into a polyline: straight strokes keep their corners, smooth
// strokes pass through every control point on a Catmull-Rom spline (a pen moving through the
// points without stopping), closed strokes (loops) wrap around to their first point.

/** A point in whatever coordinates the caller uses (unit box for designs, pixels for drawing). */
export interface Point {
  x: number;
  y: number;
}

/** How many straight pieces approximate one spline span; enough for spans of ~10 px at 28x28. */
const PIECES_PER_SPAN = 8;

/**
 * The polyline of a stroke through `points`. Smooth strokes are sampled from a uniform
 * Catmull-Rom spline; straight strokes are returned as they are. Closed strokes end where they
 * started.
 */
export function strokePolyline(points: readonly Point[], smooth: boolean, closed: boolean): Point[] {
  if (points.length < 2) return points.map((p) => ({ x: p.x, y: p.y }));
  if (!smooth) {
    const line = points.map((p) => ({ x: p.x, y: p.y }));
    if (closed) line.push({ x: points[0].x, y: points[0].y });
    return line;
  }
  const n = points.length;
  // The neighbour before the first and after the last point: wrap for loops, otherwise mirror
  // the end point so the curve leaves each end along its first/last chord.
  const at = (i: number): Point => {
    if (closed) return points[((i % n) + n) % n];
    if (i < 0) return { x: 2 * points[0].x - points[1].x, y: 2 * points[0].y - points[1].y };
    if (i >= n) return { x: 2 * points[n - 1].x - points[n - 2].x, y: 2 * points[n - 1].y - points[n - 2].y };
    return points[i];
  };
  const spans = closed ? n : n - 1;
  const out: Point[] = [{ x: points[0].x, y: points[0].y }];
  for (let s = 0; s < spans; s++) {
    const p0 = at(s - 1);
    const p1 = at(s);
    const p2 = at(s + 1);
    const p3 = at(s + 2);
    for (let k = 1; k <= PIECES_PER_SPAN; k++) {
      const t = k / PIECES_PER_SPAN;
      const t2 = t * t;
      const t3 = t2 * t;
      // Catmull-Rom basis (tension 0.5).
      const a = -0.5 * t3 + t2 - 0.5 * t;
      const b = 1.5 * t3 - 2.5 * t2 + 1;
      const c = -1.5 * t3 + 2 * t2 + 0.5 * t;
      const d = 0.5 * t3 - 0.5 * t2;
      out.push({
        x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
        y: a * p0.y + b * p1.y + c * p2.y + d * p3.y,
      });
    }
  }
  return out;
}

/**
 * The part of a polyline between fractions `start` and `end` of its length (0..1), so that a
 * drawer can stop a little short of, or start a little after, where the template says.
 */
export function trimPolyline(line: readonly Point[], start: number, end: number): Point[] {
  if (line.length < 2 || (start <= 0 && end >= 1)) return line.slice();
  const lengths = [0];
  for (let i = 1; i < line.length; i++) {
    lengths.push(lengths[i - 1] + Math.hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y));
  }
  const total = lengths[lengths.length - 1];
  if (total === 0) return line.slice();
  const from = Math.max(0, start) * total;
  const to = Math.min(1, end) * total;
  const pointAt = (dist: number): Point => {
    let i = 1;
    while (i < line.length - 1 && lengths[i] < dist) i++;
    const span = lengths[i] - lengths[i - 1];
    const f = span > 0 ? (dist - lengths[i - 1]) / span : 0;
    return {
      x: line[i - 1].x + f * (line[i].x - line[i - 1].x),
      y: line[i - 1].y + f * (line[i].y - line[i - 1].y),
    };
  };
  const out: Point[] = [pointAt(from)];
  for (let i = 1; i < line.length - 1; i++) {
    if (lengths[i] > from && lengths[i] < to) out.push({ x: line[i].x, y: line[i].y });
  }
  out.push(pointAt(to));
  return out;
}
