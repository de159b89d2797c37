// Principal component analysis onto two axes, in plain TypeScript (no tfjs): the episode viewer
// plots an episode's query embeddings and class prototypes (a few dozen points of 64 to a few
// thousand dimensions) in their first two principal components. Power iteration with the data
// matrix itself (v <- X^T X v), never forming the d x d covariance, so a 1600-dimensional embedding
// costs O(n d) per iteration rather than O(d^2) memory; the second axis is found the same way,
// kept orthogonal to the first.
import { Rng } from '../rng';

export interface Projection2D {
  /** Each point's coordinates along the two axes (centred on the points' mean). */
  coordinates: Array<[number, number]>;
  /** Fraction of the total variance along each axis (0 when the points do not vary). */
  explainedVariance: [number, number];
  /** The two unit axes in the input space (all zeros for an axis with no variance). */
  axes: [Float64Array, Float64Array];
}

const MAX_ITERATIONS = 1000;
/** Convergence: the axis moves by less than this in every coordinate; also the relative size of nothing. */
const TOLERANCE = 1e-10;

/**
 * The first two principal components of `count` points of `size` values each, row-major in
 * `values`. Deterministic: a fixed start vector, and each axis's sign chosen so its largest
 * entry is positive (so a plot does not flip between two calls on similar data).
 */
export function principalComponents2D(values: ArrayLike<number>, count: number, size: number): Projection2D {
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(size) || size < 1 || values.length !== count * size) {
    throw new Error(`PCA needs count x size values: got ${values.length} values for ${count} points of ${size}.`);
  }
  const centred = centre(values, count, size);
  let total = 0;
  for (const v of centred) total += v * v;
  const first = topAxis(centred, count, size, total, []);
  const second = topAxis(centred, count, size, total, first.energy > 0 ? [first.axis] : []);
  const axes: [Float64Array, Float64Array] = [first.axis, second.axis];
  const coordinates = Array.from({ length: count }, (_, i): [number, number] => [dot(centred, i * size, axes[0]), dot(centred, i * size, axes[1])]);
  const fraction = (energy: number) => (total > 0 ? Math.min(1, energy / total) : 0);
  return { coordinates, explainedVariance: [fraction(first.energy), fraction(second.energy)], axes };
}

function centre(values: ArrayLike<number>, count: number, size: number): Float64Array {
  const mean = new Float64Array(size);
  for (let i = 0; i < count; i++) for (let j = 0; j < size; j++) mean[j] += values[i * size + j];
  for (let j = 0; j < size; j++) mean[j] /= Math.max(count, 1);
  const out = new Float64Array(count * size);
  for (let i = 0; i < count; i++) for (let j = 0; j < size; j++) out[i * size + j] = values[i * size + j] - mean[j];
  return out;
}

function dot(rows: Float64Array, offset: number, v: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < v.length; j++) sum += rows[offset + j] * v[j];
  return sum;
}

/** Removes from v its parts along the (unit) vectors in `against`. */
function orthogonalise(v: Float64Array, against: readonly Float64Array[]): void {
  for (const a of against) {
    const along = dot(v, 0, a);
    for (let j = 0; j < v.length; j++) v[j] -= along * a[j];
  }
}

function norm(v: Float64Array): number {
  return Math.sqrt(dot(v, 0, v));
}

/**
 * The direction of largest variance orthogonal to `against`, and the sum of squares of the
 * points' coordinates along it (its share of `total`, the total sum of squares, is its explained
 * variance).
 */
function topAxis(centred: Float64Array, count: number, size: number, total: number, against: readonly Float64Array[]): { axis: Float64Array; energy: number } {
  const none = { axis: new Float64Array(size), energy: 0 };
  const rng = new Rng(1).derive('pca-start');
  let v = Float64Array.from({ length: size }, () => rng.uniform(-1, 1));
  orthogonalise(v, against);
  const start = norm(v);
  if (start === 0 || total === 0) return none;
  v = v.map((x) => x / start);
  const scores = new Float64Array(count);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    // next = X^T (X v): X^T X is positive semi-definite, so v never flips sign while converging.
    for (let i = 0; i < count; i++) scores[i] = dot(centred, i * size, v);
    const next = new Float64Array(size);
    for (let i = 0; i < count; i++) for (let j = 0; j < size; j++) next[j] += scores[i] * centred[i * size + j];
    orthogonalise(next, against); // rounding drifts back towards the axes already found
    const length = norm(next);
    // Nothing left orthogonal to `against` (fewer distinct directions than axes asked for).
    if (length <= TOLERANCE * total) return none;
    let change = 0;
    for (let j = 0; j < size; j++) {
      const x = next[j] / length;
      change = Math.max(change, Math.abs(x - v[j]));
      v[j] = x;
    }
    if (change < TOLERANCE) break;
  }
  let largest = 0;
  for (let j = 1; j < size; j++) if (Math.abs(v[j]) > Math.abs(v[largest])) largest = j;
  if (v[largest] < 0) v = v.map((x) => -x);
  let energy = 0;
  for (let i = 0; i < count; i++) energy += dot(centred, i * size, v) ** 2;
  return { axis: v, energy };
}
