// Sum and Mean over leading axes (e.g. axes [0, 1, 2] of an NHWC batch: the per-channel sums of
// batch norm and of the gradients of every op that broadcast a [C] vector over the batch). The
// stock wasm and cpu kernels first transpose the whole tensor so the reduced axes come last; a
// column sum over the untouched memory reads it once. Sums are accumulated in float64.
import * as tf from '@tensorflow/tfjs';
import { callStock, replaceKernel, type BackendHandle } from './backend-calls';
import { float32Memory, sizeOf } from './tensor-memory';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/** Number of leading axes reduced, or -1 when `axes` is not a leading prefix. */
function leadingPrefix(axes: number[]): number {
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((a, i) => a === i) ? sorted.length : -1;
}

export function registerLeadingAxisReductions(backendName: string): void {
  for (const kernelName of ['Sum', 'Mean'] as const) {
    replaceKernel(kernelName, backendName, (stock) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const k = leadingPrefix(axes);
      // Reductions over all axes or over trailing axes are already fast in the stock kernels.
      if (x.dtype !== 'float32' || k <= 0 || k >= x.shape.length) return callStock(stock, args, kernelName);
      const rows = sizeOf(x.shape.slice(0, k));
      const columns = sizeOf(x.shape.slice(k));
      const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
      const memory = float32Memory(args.backend as BackendHandle, backendName);
      const out = memory.allocate(outShape);
      columnSums(memory.view(x), rows, columns, memory.view(out), kernelName === 'Mean' ? 1 / rows : 1);
      return out;
    });
  }
}

/** out[c] = scale * sum_r x[r * columns + c]. */
export function columnSums(x: Float32Array, rows: number, columns: number, out: Float32Array, scale: number): void {
  const acc = new Float64Array(columns);
  for (let r = 0, base = 0; r < rows; r++, base += columns) {
    for (let c = 0; c < columns; c++) acc[c] += x[base + c];
  }
  for (let c = 0; c < columns; c++) out[c] = acc[c] * scale;
}
