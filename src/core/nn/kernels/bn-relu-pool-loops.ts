// The heavy loops of the fused batch norm + ReLU + 2x2 max-pool op, in two implementations with
// one interface: plain JavaScript over Float32Arrays (cpu backend, and the reference the tests
// hold the SIMD version to) and WebAssembly SIMD over the wasm backend's heap. Both take the
// per-channel affine form y = a[c] * z + k[c] of batch norm; the per-channel algebra lives in
// batch-norm-relu-pool.ts.
import * as tf from '@tensorflow/tfjs';
import type { BackendHandle } from './backend-calls';
import type { SimdKernels } from './simd-kernels';
import { sizeOf } from './tensor-memory';

/** Shape of the conv output z: [batch, height, width, channels], NHWC. */
export interface PoolGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
}

export interface BnReluPoolLoops {
  /** Per-channel sum of (z - shift) and of its square, accumulated in float64. */
  shiftedMoments(z: tf.TensorInfo, shift: Float32Array, sum: Float64Array, sumSq: Float64Array): void;
  /** pooled = max(0, max over each 2x2 window of a * z + k). */
  forward(z: tf.TensorInfo, a: Float32Array, k: Float32Array, pooled: tf.TensorInfo): void;
  /**
   * With g = dPooled routed to each window's first maximum when it is positive: per channel
   * sumG = sum g and sumGX = sum g * (z - mean).
   */
  gradSums(
    z: tf.TensorInfo, dPooled: tf.TensorInfo, a: Float32Array, k: Float32Array, mean: Float32Array,
    sumG: Float64Array, sumGX: Float64Array,
  ): void;
  /** dz = c0 + c1 * z + (a * g at routed positions), everywhere (also the rows/columns no window covers). */
  gradInput(
    z: tf.TensorInfo, dPooled: tf.TensorInfo, a: Float32Array, k: Float32Array,
    c0: Float32Array, c1: Float32Array, dz: tf.TensorInfo,
  ): void;
}

export function geometryOf(z: tf.TensorInfo): PoolGeometry {
  const [batch, height, width, channels] = z.shape;
  return { batch, height, width, channels };
}

/** dz = c0 + c1 * z on the last row (odd height) and last column (odd width) of every image. */
function uncoveredEdges(zv: Float32Array, dzv: Float32Array, g: PoolGeometry, c0: Float32Array, c1: Float32Array): void {
  const { batch, height, width, channels: C } = g;
  const write = (index: number) => {
    for (let c = 0; c < C; c++) dzv[index + c] = c0[c] + c1[c] * zv[index + c];
  };
  for (let b = 0; b < batch; b++) {
    const image = b * height * width * C;
    if (height % 2 === 1) for (let x = 0; x < width; x++) write(image + ((height - 1) * width + x) * C);
    if (width % 2 === 1) for (let y = 0; y < height - (height % 2); y++) write(image + (y * width + width - 1) * C);
  }
}

/** The JavaScript loops; `view` gives a tensor's Float32Array. */
export function javascriptLoops(view: (info: tf.TensorInfo) => Float32Array): BnReluPoolLoops {
  /** Visits each window: f(offsets of its 4 values in row-major order, pooled index) per channel. */
  const forWindows = (g: PoolGeometry, f: (p: number[], pooledBase: number) => void) => {
    const { batch, height, width, channels: C } = g;
    const oh = Math.floor(height / 2);
    const ow = Math.floor(width / 2);
    const p = [0, 0, 0, 0];
    let pooled = 0;
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, pooled += C) {
          p[0] = ((b * height + 2 * oy) * width + 2 * ox) * C;
          p[1] = p[0] + C;
          p[2] = p[0] + width * C;
          p[3] = p[2] + C;
          f(p, pooled);
        }
      }
    }
  };
  /** Index (0..3) of the first maximum of a * z + k over the window, and that maximum. */
  const firstMax = (zv: Float32Array, p: number[], c: number, a: number, k: number): [number, number] => {
    // Rounded like the SIMD code: a float32 product, then a float32 sum.
    let best = Math.fround(Math.fround(a * zv[p[0] + c]) + k);
    let at = 0;
    for (let i = 1; i < 4; i++) {
      const y = Math.fround(Math.fround(a * zv[p[i] + c]) + k);
      if (y > best) {
        best = y;
        at = i;
      }
    }
    return [at, best];
  };
  return {
    shiftedMoments(z, shift, sum, sumSq) {
      const zv = view(z);
      const C = z.shape[3];
      for (let i = 0; i < zv.length; i += C) {
        for (let c = 0; c < C; c++) {
          const d = zv[i + c] - shift[c];
          sum[c] += d;
          sumSq[c] += d * d;
        }
      }
    },
    forward(z, a, k, pooled) {
      const zv = view(z);
      const out = view(pooled);
      const C = z.shape[3];
      forWindows(geometryOf(z), (p, base) => {
        for (let c = 0; c < C; c++) out[base + c] = Math.max(0, firstMax(zv, p, c, a[c], k[c])[1]);
      });
    },
    gradSums(z, dPooled, a, k, mean, sumG, sumGX) {
      const zv = view(z);
      const dv = view(dPooled);
      const C = z.shape[3];
      forWindows(geometryOf(z), (p, base) => {
        for (let c = 0; c < C; c++) {
          const [at, best] = firstMax(zv, p, c, a[c], k[c]);
          if (!(best > 0)) continue;
          const g = dv[base + c];
          sumG[c] += g;
          sumGX[c] += g * (zv[p[at] + c] - mean[c]);
        }
      });
    },
    gradInput(z, dPooled, a, k, c0, c1, dz) {
      const zv = view(z);
      const dv = view(dPooled);
      const out = view(dz);
      const C = z.shape[3];
      forWindows(geometryOf(z), (p, base) => {
        for (let c = 0; c < C; c++) {
          const [at, best] = firstMax(zv, p, c, a[c], k[c]);
          for (let i = 0; i < 4; i++) out[p[i] + c] = c0[c] + c1[c] * zv[p[i] + c];
          if (best > 0) out[p[at] + c] += a[c] * dv[base + c];
        }
      });
      uncoveredEdges(zv, out, geometryOf(z), c0, c1);
    },
  };
}

interface WasmModuleInternals {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

interface WasmBackendInternals {
  wasm: WasmModuleInternals;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
}

/** Rows summed per SIMD call before the float32 partial sums are added up in float64. */
const ROWS_PER_CHUNK = 128;

/** The WebAssembly SIMD loops, on the heap of the wasm backend `backend`. */
export function simdLoops(backend: BackendHandle, memory: WebAssembly.Memory, kernels: SimdKernels): BnReluPoolLoops {
  const b = backend as unknown as WasmBackendInternals;
  const address = (info: tf.TensorInfo) => b.dataIdMap.get(info.dataId).memoryOffset;
  /**
   * Runs `f` with `count` scratch float32 vectors of `channels` values on the heap, the first
   * ones filled from `inputs`; returns views of all of them taken after `f`.
   */
  const withScratch = (channels: number, inputs: Float32Array[], count: number, f: (ptrs: number[]) => void): Float32Array[] => {
    const bytes = channels * 4;
    const base = b.wasm._malloc(bytes * count);
    try {
      const ptrs = Array.from({ length: count }, (_, i) => base + i * bytes);
      inputs.forEach((values, i) => new Float32Array(memory.buffer, ptrs[i], channels).set(values));
      f(ptrs);
      return ptrs.map((p) => new Float32Array(memory.buffer, p, channels).slice());
    } finally {
      b.wasm._free(base);
    }
  };
  const strides = (g: PoolGeometry) => {
    const pixelBytes = g.channels * 4;
    const rowBytes = g.width * pixelBytes;
    return { pixelBytes, rowBytes, imageBytes: g.height * rowBytes, oh: Math.floor(g.height / 2), ow: Math.floor(g.width / 2) };
  };
  return {
    shiftedMoments(z, shift, sum, sumSq) {
      const C = z.shape[3];
      const rows = sizeOf(z.shape) / C;
      withScratch(C, [shift], 3, ([shiftPtr, sPtr, qPtr]) => {
        const s = new Float32Array(memory.buffer, sPtr, C);
        const q = new Float32Array(memory.buffer, qPtr, C);
        const start = address(z);
        for (let r = 0; r < rows; r += ROWS_PER_CHUNK) {
          const n = Math.min(ROWS_PER_CHUNK, rows - r);
          kernels.shiftedMoments(start + r * C * 4, n, C * 4, shiftPtr, sPtr, qPtr);
          for (let c = 0; c < C; c++) {
            sum[c] += s[c];
            sumSq[c] += q[c];
          }
        }
      });
    },
    forward(z, a, k, pooled) {
      const g = geometryOf(z);
      const s = strides(g);
      withScratch(g.channels, [a, k], 2, ([aPtr, kPtr]) => {
        kernels.affineReluPool(address(z), address(pooled), g.batch, s.oh, s.ow, s.imageBytes, s.rowBytes, s.pixelBytes, aPtr, kPtr);
      });
    },
    gradSums(z, dPooled, a, k, mean, sumG, sumGX) {
      const g = geometryOf(z);
      const s = strides(g);
      const C = g.channels;
      const pooledImageBytes = s.oh * s.ow * s.pixelBytes;
      withScratch(C, [a, k, mean], 5, ([aPtr, kPtr, meanPtr, gPtr, gxPtr]) => {
        const accG = new Float32Array(memory.buffer, gPtr, C);
        const accGX = new Float32Array(memory.buffer, gxPtr, C);
        // One image per call, so the float32 partial sums stay short.
        for (let image = 0; image < g.batch; image++) {
          kernels.affineReluPoolGradSums(
            address(z) + image * s.imageBytes, address(dPooled) + image * pooledImageBytes, 1, s.oh, s.ow,
            s.imageBytes, s.rowBytes, s.pixelBytes, aPtr, kPtr, meanPtr, gPtr, gxPtr,
          );
          for (let c = 0; c < C; c++) {
            sumG[c] += accG[c];
            sumGX[c] += accGX[c];
          }
        }
      });
    },
    gradInput(z, dPooled, a, k, c0, c1, dz) {
      const g = geometryOf(z);
      const s = strides(g);
      withScratch(g.channels, [a, k, c0, c1], 4, ([aPtr, kPtr, c0Ptr, c1Ptr]) => {
        kernels.affineReluPoolGradInput(
          address(z), address(dPooled), address(dz), g.batch, s.oh, s.ow,
          s.imageBytes, s.rowBytes, s.pixelBytes, aPtr, kPtr, c0Ptr, c1Ptr,
        );
      });
      if (g.height % 2 === 1 || g.width % 2 === 1) {
        const n = sizeOf(z.shape);
        uncoveredEdges(
          new Float32Array(memory.buffer, address(z), n), new Float32Array(memory.buffer, address(dz), n), g, c0, c1,
        );
      }
    },
  };
}
