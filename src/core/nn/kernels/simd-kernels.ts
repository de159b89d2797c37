// Hand-written WebAssembly SIMD loops for the memory-bound parts of a Conv-4 step (per-channel
// sums, and batch norm + ReLU + 2x2 max-pool forward and backward). The module imports the tfjs
// wasm backend's own memory, so kernels read and write tensors where they already are. Each
// exported function takes byte addresses and sizes; channels are processed 4 at a time, so the
// channel count must be a multiple of 4. Per-channel vectors (coefficients, accumulators) are
// passed as addresses of float32 arrays of that channel count.
import { CodeEmitter, WasmModuleBuilder, type Local } from './wasm-assembler';

export interface SimdKernels {
  /** acc[c] = sum over rows of x[r, c] (acc overwritten). */
  columnSums(x: number, rows: number, rowBytes: number, acc: number): void;
  /** accSum[c] = sum (x - shift), accSq[c] = sum (x - shift)^2 over rows (both overwritten). */
  shiftedMoments(x: number, rows: number, rowBytes: number, shift: number, accSum: number, accSq: number): void;
  /**
   * out[b, oy, ox, c] = max(0, max over the 2x2 window of (a[c] * z + k[c])) for a [batch, 2 oh
   * (+1), 2 ow (+1), C] input; image, row and pixel strides in bytes.
   */
  affineReluPool(
    z: number, out: number, batch: number, outHeight: number, outWidth: number,
    imageBytes: number, rowBytes: number, pixelBytes: number, a: number, k: number,
  ): void;
  /**
   * With g = dOut routed to the first maximum of each window when that maximum is positive:
   * accG[c] = sum g, accGX[c] = sum g * (z - mean[c]) (both overwritten).
   */
  affineReluPoolGradSums(
    z: number, dOut: number, batch: number, outHeight: number, outWidth: number,
    imageBytes: number, rowBytes: number, pixelBytes: number, a: number, k: number,
    mean: number, accG: number, accGX: number,
  ): void;
  /**
   * dz = c0[c] + c1[c] * z + (a[c] * g where routed) over the window-covered positions (the last
   * row/column of odd sizes is left to the caller). dz has the layout of z.
   */
  affineReluPoolGradInput(
    z: number, dOut: number, dz: number, batch: number, outHeight: number, outWidth: number,
    imageBytes: number, rowBytes: number, pixelBytes: number, a: number, k: number,
    c0: number, c1: number,
  ): void;
}

/** Builds and instantiates the kernels on `memory` (the tfjs wasm heap). */
export function instantiateSimdKernels(memory: WebAssembly.Memory): SimdKernels {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const builder = new WasmModuleBuilder(shared);
  addColumnSums(builder);
  addShiftedMoments(builder);
  addAffineReluPool(builder);
  addAffineReluPoolGradSums(builder);
  addAffineReluPoolGradInput(builder);
  const module = new WebAssembly.Module(builder.toBytes());
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as SimdKernels;
}

/** True when this JavaScript engine runs WebAssembly SIMD. */
export function simdSupported(): boolean {
  try {
    const builder = new WasmModuleBuilder(false);
    addColumnSums(builder);
    return WebAssembly.validate(builder.toBytes());
  } catch {
    return false;
  }
}

/** Zeroes `count` bytes (a multiple of 16) from address `ptr`. */
function zeroVectors(code: CodeEmitter, ptr: Local, bytes: Local): void {
  const c = code.local('i32');
  code.forRange(c, { const: 0 }, bytes, 16, () => {
    code.local_get(ptr).local_get(c).i32_add().v128_const_zero().v128_store();
  });
}

function addColumnSums(builder: WasmModuleBuilder): void {
  builder.addFunction('columnSums', ['i32', 'i32', 'i32', 'i32'], (code, x, rows, rowBytes, acc) => {
    zeroVectors(code, acc, rowBytes);
    const r = code.local('i32');
    const c = code.local('i32');
    const row = code.local('i32');
    code.local_get(x).local_set(row);
    code.forRange(r, { const: 0 }, rows, 1, () => {
      code.forRange(c, { const: 0 }, rowBytes, 16, () => {
        // acc[c] += x[row + c]
        code.local_get(acc).local_get(c).i32_add();
        code.local_get(acc).local_get(c).i32_add().v128_load();
        code.local_get(row).local_get(c).i32_add().v128_load();
        code.f32x4_add().v128_store();
      });
      code.local_get(row).local_get(rowBytes).i32_add().local_set(row);
    });
  });
}

function addShiftedMoments(builder: WasmModuleBuilder): void {
  builder.addFunction(
    'shiftedMoments',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    (code, x, rows, rowBytes, shift, accSum, accSq) => {
      zeroVectors(code, accSum, rowBytes);
      zeroVectors(code, accSq, rowBytes);
      const r = code.local('i32');
      const c = code.local('i32');
      const row = code.local('i32');
      const d = code.local('v128');
      code.local_get(x).local_set(row);
      code.forRange(r, { const: 0 }, rows, 1, () => {
        code.forRange(c, { const: 0 }, rowBytes, 16, () => {
          code.local_get(row).local_get(c).i32_add().v128_load();
          code.local_get(shift).local_get(c).i32_add().v128_load();
          code.f32x4_sub().local_set(d);
          code.local_get(accSum).local_get(c).i32_add();
          code.local_get(accSum).local_get(c).i32_add().v128_load();
          code.local_get(d).f32x4_add().v128_store();
          code.local_get(accSq).local_get(c).i32_add();
          code.local_get(accSq).local_get(c).i32_add().v128_load();
          code.local_get(d).local_get(d).f32x4_mul().f32x4_add().v128_store();
        });
        code.local_get(row).local_get(rowBytes).i32_add().local_set(row);
      });
    },
  );
}

/**
 * Loops over pooling windows: for each image, output row and output column, and each group of 4
 * channels, calls `body(q, c)` with q = address of the window's top-left value and c = channel
 * byte offset; `after` runs once per window column step.
 */
function forEachWindow(
  code: CodeEmitter,
  z: Local,
  batch: Local,
  outHeight: Local,
  outWidth: Local,
  imageBytes: Local,
  rowBytes: Local,
  pixelBytes: Local,
  body: (q: Local, c: Local) => void,
): void {
  const b = code.local('i32');
  const oy = code.local('i32');
  const ox = code.local('i32');
  const c = code.local('i32');
  const image = code.local('i32');
  const pixel = code.local('i32');
  const q = code.local('i32');
  const twoRows = code.local('i32');
  const twoPixels = code.local('i32');
  code.local_get(rowBytes).local_get(rowBytes).i32_add().local_set(twoRows);
  code.local_get(pixelBytes).local_get(pixelBytes).i32_add().local_set(twoPixels);
  code.forRange(b, { const: 0 }, batch, 1, () => {
    // image = z + b * imageBytes
    code.local_get(z).local_get(b).local_get(imageBytes).i32_mul().i32_add().local_set(image);
    code.forRange(oy, { const: 0 }, outHeight, 1, () => {
      code.local_get(image).local_get(oy).local_get(twoRows).i32_mul().i32_add().local_set(pixel);
      code.forRange(ox, { const: 0 }, outWidth, 1, () => {
        code.forRange(c, { const: 0 }, pixelBytes, 16, () => {
          code.local_get(pixel).local_get(c).i32_add().local_set(q);
          body(q, c);
        });
        code.local_get(pixel).local_get(twoPixels).i32_add().local_set(pixel);
      });
    });
  });
}

/** Pushes a * load(address) + k for the 4 window positions into locals y[0..3]. */
function windowAffine(
  code: CodeEmitter,
  q: Local,
  rowBytes: Local,
  pixelBytes: Local,
  a: Local,
  k: Local,
  zs: Local[],
  ys: Local[],
): void {
  const offsets: Array<Local[]> = [[], [pixelBytes], [rowBytes], [rowBytes, pixelBytes]];
  offsets.forEach((parts, i) => {
    code.local_get(q);
    for (const p of parts) code.local_get(p).i32_add();
    code.v128_load().local_tee(zs[i]);
    code.local_get(a).f32x4_mul().local_get(k).f32x4_add().local_set(ys[i]);
  });
}

/**
 * From y[0..3] and their maximum m: masks e[i] of the first position holding the maximum
 * (row-major order, like the cpu backend's MaxPoolGrad).
 */
function firstMaxMasks(code: CodeEmitter, ys: Local[], m: Local, es: Local[]): void {
  code.local_get(ys[0]).local_get(m).f32x4_eq().local_set(es[0]);
  code.local_get(ys[1]).local_get(m).f32x4_eq().local_get(es[0]).v128_andnot().local_set(es[1]);
  code.local_get(ys[2]).local_get(m).f32x4_eq().local_get(es[0]).local_get(es[1]).v128_or().v128_andnot().local_set(es[2]);
  code.local_get(es[0]).local_get(es[1]).v128_or().local_get(es[2]).v128_or().v128_not().local_set(es[3]);
}

function maxOfFour(code: CodeEmitter, ys: Local[], m: Local): void {
  code.local_get(ys[0]).local_get(ys[1]).f32x4_max();
  code.local_get(ys[2]).local_get(ys[3]).f32x4_max();
  code.f32x4_max().local_set(m);
}

function vectorLocals(code: CodeEmitter, n: number): Local[] {
  return Array.from({ length: n }, () => code.local('v128'));
}

function addAffineReluPool(builder: WasmModuleBuilder): void {
  builder.addFunction(
    'affineReluPool',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    (code, z, out, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, aPtr, kPtr) => {
      const a = code.local('v128');
      const k = code.local('v128');
      const m = code.local('v128');
      const zs = vectorLocals(code, 4);
      const ys = vectorLocals(code, 4);
      const o = code.local('i32');
      code.local_get(out).local_set(o);
      forEachWindow(code, z, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, (q, c) => {
        code.local_get(aPtr).local_get(c).i32_add().v128_load().local_set(a);
        code.local_get(kPtr).local_get(c).i32_add().v128_load().local_set(k);
        windowAffine(code, q, rowBytes, pixelBytes, a, k, zs, ys);
        maxOfFour(code, ys, m);
        code.local_get(o);
        code.local_get(m).v128_const_zero().f32x4_max();
        code.v128_store();
        code.local_get(o).i32_const(16).i32_add().local_set(o);
      });
    },
  );
}

function addAffineReluPoolGradSums(builder: WasmModuleBuilder): void {
  builder.addFunction(
    'affineReluPoolGradSums',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    (code, z, dOut, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, aPtr, kPtr, meanPtr, accG, accGX) => {
      zeroVectors(code, accG, pixelBytes);
      zeroVectors(code, accGX, pixelBytes);
      const a = code.local('v128');
      const k = code.local('v128');
      const m = code.local('v128');
      const g = code.local('v128');
      const zs = vectorLocals(code, 4);
      const ys = vectorLocals(code, 4);
      const es = vectorLocals(code, 4);
      const d = code.local('i32');
      code.local_get(dOut).local_set(d);
      forEachWindow(code, z, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, (q, c) => {
        code.local_get(aPtr).local_get(c).i32_add().v128_load().local_set(a);
        code.local_get(kPtr).local_get(c).i32_add().v128_load().local_set(k);
        windowAffine(code, q, rowBytes, pixelBytes, a, k, zs, ys);
        maxOfFour(code, ys, m);
        firstMaxMasks(code, ys, m, es);
        // g = dOut where the maximum is positive (ReLU passes it), else 0.
        code.local_get(d).v128_load();
        code.local_get(m).v128_const_zero().f32x4_gt().v128_and().local_set(g);
        // accG[c] += g
        code.local_get(accG).local_get(c).i32_add();
        code.local_get(accG).local_get(c).i32_add().v128_load().local_get(g).f32x4_add();
        code.v128_store();
        // accGX[c] += g * (z at the maximum - mean[c])
        code.local_get(accGX).local_get(c).i32_add();
        code.local_get(accGX).local_get(c).i32_add().v128_load();
        code.local_get(zs[0]);
        code.local_get(zs[1]);
        code.local_get(zs[2]).local_get(zs[3]).local_get(es[2]).v128_bitselect();
        code.local_get(es[1]).v128_bitselect();
        code.local_get(es[0]).v128_bitselect();
        code.local_get(meanPtr).local_get(c).i32_add().v128_load().f32x4_sub();
        code.local_get(g).f32x4_mul().f32x4_add();
        code.v128_store();
        code.local_get(d).i32_const(16).i32_add().local_set(d);
      });
    },
  );
}

function addAffineReluPoolGradInput(builder: WasmModuleBuilder): void {
  builder.addFunction(
    'affineReluPoolGradInput',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    (code, z, dOut, dz, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, aPtr, kPtr, c0Ptr, c1Ptr) => {
      const a = code.local('v128');
      const k = code.local('v128');
      const m = code.local('v128');
      const ga = code.local('v128');
      const c0 = code.local('v128');
      const c1 = code.local('v128');
      const zs = vectorLocals(code, 4);
      const ys = vectorLocals(code, 4);
      const es = vectorLocals(code, 4);
      const d = code.local('i32');
      const delta = code.local('i32');
      code.local_get(dOut).local_set(d);
      // dz address = z address + delta
      code.local_get(dz).local_get(z).i32_sub().local_set(delta);
      forEachWindow(code, z, batch, outHeight, outWidth, imageBytes, rowBytes, pixelBytes, (q, c) => {
        code.local_get(aPtr).local_get(c).i32_add().v128_load().local_set(a);
        code.local_get(kPtr).local_get(c).i32_add().v128_load().local_set(k);
        code.local_get(c0Ptr).local_get(c).i32_add().v128_load().local_set(c0);
        code.local_get(c1Ptr).local_get(c).i32_add().v128_load().local_set(c1);
        windowAffine(code, q, rowBytes, pixelBytes, a, k, zs, ys);
        maxOfFour(code, ys, m);
        firstMaxMasks(code, ys, m, es);
        // ga = a * dOut where the maximum is positive, else 0.
        code.local_get(d).v128_load().local_get(a).f32x4_mul();
        code.local_get(m).v128_const_zero().f32x4_gt().v128_and().local_set(ga);
        const offsets: Array<Local[]> = [[], [pixelBytes], [rowBytes], [rowBytes, pixelBytes]];
        offsets.forEach((parts, i) => {
          code.local_get(q).local_get(delta).i32_add();
          for (const p of parts) code.local_get(p).i32_add();
          code.local_get(c0).local_get(c1).local_get(zs[i]).f32x4_mul().f32x4_add();
          code.local_get(ga).local_get(es[i]).v128_and().f32x4_add();
          code.v128_store();
        });
        code.local_get(d).i32_const(16).i32_add().local_set(d);
      });
    },
  );
}

export interface WeightGradTapsKernel {
  /**
   * For one image and one input channel: acc[t, c] += sum over output pixels (y, x) of
   * xPadded[y + i, x + j] * dz[y, x, c], for the taps t = (i, j) of the filter. xImage points at
   * the padded image's channel, dzImage at the image's output gradient; acc is [taps, C].
   */
  weightGradTaps(xImage: number, dzImage: number, outHeight: number, outWidth: number, acc: number): void;
}

/**
 * Builds the tap loop of a weight gradient for small input channel counts (the first conv layer:
 * 1 channel), specialised for one geometry so that tap offsets are immediates and the
 * filterHeight x filterWidth accumulators stay in registers.
 */
export function instantiateWeightGradTaps(
  memory: WebAssembly.Memory,
  geometry: { filterHeight: number; filterWidth: number; xRowBytes: number; xPixelBytes: number; dzPixelBytes: number },
): WeightGradTapsKernel {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const builder = new WasmModuleBuilder(shared);
  const { filterHeight, filterWidth, xRowBytes, xPixelBytes, dzPixelBytes } = geometry;
  const taps: number[] = [];
  for (let i = 0; i < filterHeight; i++) for (let j = 0; j < filterWidth; j++) taps.push(i * xRowBytes + j * xPixelBytes);
  builder.addFunction('weightGradTaps', ['i32', 'i32', 'i32', 'i32', 'i32'], (code, xImage, dzImage, outHeight, outWidth, acc) => {
    const c = code.local('i32');
    const y = code.local('i32');
    const x = code.local('i32');
    const px = code.local('i32');
    const pd = code.local('i32');
    const channelBytes = code.local('i32');
    const accs = vectorLocals(code, taps.length);
    const d = code.local('v128');
    code.i32_const(dzPixelBytes).local_set(channelBytes);
    code.forRange(c, { const: 0 }, channelBytes, 16, () => {
      taps.forEach((_, t) => {
        code.local_get(acc).local_get(c).i32_add().v128_load(t * dzPixelBytes).local_set(accs[t]);
      });
      code.local_get(dzImage).local_get(c).i32_add().local_set(pd);
      code.forRange(y, { const: 0 }, outHeight, 1, () => {
        // px = xImage + y * xRowBytes
        code.local_get(xImage).local_get(y).i32_const(xRowBytes).i32_mul().i32_add().local_set(px);
        code.forRange(x, { const: 0 }, outWidth, 1, () => {
          code.local_get(pd).v128_load().local_set(d);
          taps.forEach((offset, t) => {
            code.local_get(accs[t]);
            code.local_get(px).v128_load32_splat(offset).local_get(d).f32x4_mul();
            code.f32x4_add().local_set(accs[t]);
          });
          code.local_get(px).i32_const(xPixelBytes).i32_add().local_set(px);
          code.local_get(pd).i32_const(dzPixelBytes).i32_add().local_set(pd);
        });
      });
      taps.forEach((_, t) => {
        code.local_get(acc).local_get(c).i32_add().local_get(accs[t]).v128_store(t * dzPixelBytes);
      });
    });
  });
  const module = new WebAssembly.Module(builder.toBytes());
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WeightGradTapsKernel;
}
