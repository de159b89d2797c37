// Thinning long curves before they are drawn: an SVG path of tens of thousands of points makes the
// main thread stutter, and a 600-pixel-wide chart cannot show more than a few hundred anyway.
// Pure, tested in tests/unit/ui/charts.downsample.test.tsx.

/** Points per drawn series. */
export const MAX_POINTS_PER_SERIES = 500;

/**
 * At most `limit` items of `items`, always keeping the first and the last (the newest step of a
 * live run). With `y`, the Largest-Triangle-Three-Buckets rule picks in each bucket the point that
 * best keeps the curve's shape (spikes survive); without it, evenly spaced items are kept.
 * Returns a copy when nothing needs to be dropped.
 */
export function downsample<T>(
  items: readonly T[],
  limit: number = MAX_POINTS_PER_SERIES,
  x?: (item: T) => number,
  y?: (item: T) => number,
): T[] {
  const n = items.length;
  const max = Math.floor(limit);
  if (!(max > 0)) return [];
  if (n <= max) return items.slice();
  if (max === 1) return [items[n - 1]];
  if (max === 2 || !y) return evenly(items, max);
  const px = x ? (i: number) => x(items[i]) : (i: number) => i;
  const py = (i: number) => y(items[i]);

  const out: T[] = [items[0]];
  const bucket = (n - 2) / (max - 2);
  let a = 0;
  for (let b = 0; b < max - 2; b++) {
    // The average of the next bucket (or the last point) is the triangle's third corner.
    const nextStart = Math.floor((b + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * bucket) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      const vy = py(i);
      if (!Number.isFinite(vy)) continue;
      avgX += px(i);
      avgY += vy;
      count++;
    }
    if (count === 0) {
      avgX = px(n - 1);
      avgY = py(n - 1);
    } else {
      avgX /= count;
      avgY /= count;
    }
    const start = Math.floor(b * bucket) + 1;
    const end = Math.min(Math.floor((b + 1) * bucket) + 1, n - 1);
    const ax = px(a);
    const ay = py(a);
    let chosen = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const vy = py(i);
      // A non-finite value (a diverged loss) is kept: hiding it would hide the divergence.
      if (!Number.isFinite(vy)) {
        chosen = i;
        break;
      }
      const area = Math.abs((ax - avgX) * (vy - ay) - (ax - px(i)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        chosen = i;
      }
    }
    out.push(items[chosen]);
    a = chosen;
  }
  out.push(items[n - 1]);
  return out;
}

/** `count` (>= 2) evenly spaced items including the first and the last. */
function evenly<T>(items: readonly T[], count: number): T[] {
  const n = items.length;
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.round((i * (n - 1)) / (count - 1))]);
  return out;
}
