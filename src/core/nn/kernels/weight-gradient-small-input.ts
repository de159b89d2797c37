// The weight gradient of a stride-1 convolution whose input has very few channels (Conv-4's first
// layer: grayscale images), on wasm. Through the backend's Conv2D the problem becomes a
// convolution with a 28x28 "filter" of 100 input and 64 output channels over a 3x3 output: about
// 1.8 GFLOP/s, 40-50 ms per step for 90 MFLOP, and it does not spread over threads. Here one SIMD
// loop per image streams the output gradient once and keeps the 3x3 tap sums in registers.
import * as tf from '@tensorflow/tfjs';
import type { BackendHandle } from './backend-calls';
import { instantiateWeightGradTaps, simdSupported, type WeightGradTapsKernel } from './simd-kernels';
import { float32Memory, wasmHeap } from './tensor-memory';

/** Input channel counts up to this use the tap loop; wider inputs are a matrix product for Conv2D. */
const MAX_INPUT_CHANNELS = 4;
/** Accumulators held in registers (one per filter tap). */
const MAX_TAPS = 12;

const kernelCache = new WeakMap<WebAssembly.Memory, Map<string, WeightGradTapsKernel>>();

function tapsKernel(memory: WebAssembly.Memory, geometry: Parameters<typeof instantiateWeightGradTaps>[1]): WeightGradTapsKernel {
  let perMemory = kernelCache.get(memory);
  if (!perMemory) kernelCache.set(memory, (perMemory = new Map()));
  const key = JSON.stringify(geometry);
  let kernel = perMemory.get(key);
  if (!kernel) perMemory.set(key, (kernel = instantiateWeightGradTaps(memory, geometry)));
  return kernel;
}

interface WasmInternals {
  wasm: { _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
}

/** True when `weightGradientSmallInput` handles this case. */
export function smallInputApplies(backendName: string, backend: BackendHandle, x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[]): boolean {
  const [fh, fw, inChannels, outChannels] = filterShape;
  return (
    backendName === 'wasm' &&
    inChannels <= MAX_INPUT_CHANNELS &&
    fh * fw <= MAX_TAPS &&
    outChannels % 4 === 0 &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    wasmHeap(backend) !== undefined &&
    simdSupported()
  );
}

/** dW [fh, fw, Ci, Co] of a stride-1 NHWC convolution with the given top/left padding. */
export function weightGradientSmallInput(
  backend: BackendHandle,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: number[],
  padTop: number,
  padLeft: number,
): tf.TensorInfo {
  const [fh, fw, inChannels, outChannels] = filterShape;
  const [batch, height, width] = x.shape;
  const [, outHeight, outWidth] = dy.shape;
  const paddedHeight = outHeight + fh - 1;
  const paddedWidth = outWidth + fw - 1;
  const memory = float32Memory(backend, 'wasm');
  const heap = wasmHeap(backend)!;
  const internals = backend as unknown as WasmInternals;
  const taps = fh * fw;
  const padded = memory.allocate([batch, paddedHeight, paddedWidth, inChannels]);
  const dW = memory.allocate(filterShape);
  const acc = internals.wasm._malloc(taps * outChannels * 4);
  try {
    // Zero-padded copy of x, so every tap of every output pixel reads inside the image.
    const xv = memory.view(x);
    const pv = memory.view(padded);
    pv.fill(0);
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < height; y++) {
        const py = y + padTop;
        if (py < 0 || py >= paddedHeight) continue;
        for (let xx = 0; xx < width; xx++) {
          const px = xx + padLeft;
          if (px < 0 || px >= paddedWidth) continue;
          const src = ((b * height + y) * width + xx) * inChannels;
          const dst = ((b * paddedHeight + py) * paddedWidth + px) * inChannels;
          for (let c = 0; c < inChannels; c++) pv[dst + c] = xv[src + c];
        }
      }
    }
    const kernel = tapsKernel(heap, {
      filterHeight: fh,
      filterWidth: fw,
      xRowBytes: paddedWidth * inChannels * 4,
      xPixelBytes: inChannels * 4,
      dzPixelBytes: outChannels * 4,
    });
    const sums = new Float64Array(taps * inChannels * outChannels);
    const paddedAddress = internals.dataIdMap.get(padded.dataId).memoryOffset;
    const dyAddress = internals.dataIdMap.get(dy.dataId).memoryOffset;
    const paddedImageBytes = paddedHeight * paddedWidth * inChannels * 4;
    const dyImageBytes = outHeight * outWidth * outChannels * 4;
    for (let ci = 0; ci < inChannels; ci++) {
      for (let b = 0; b < batch; b++) {
        // Float32 sums over one image, added up in float64.
        const accView = new Float32Array(heap.buffer, acc, taps * outChannels);
        accView.fill(0);
        kernel.weightGradTaps(paddedAddress + b * paddedImageBytes + ci * 4, dyAddress + b * dyImageBytes, outHeight, outWidth, acc);
        for (let t = 0; t < taps; t++) {
          const dst = (t * inChannels + ci) * outChannels;
          for (let co = 0; co < outChannels; co++) sums[dst + co] += accView[t * outChannels + co];
        }
      }
    }
    memory.view(dW).set(sums);
  } finally {
    internals.wasm._free(acc);
    backend.disposeData(padded.dataId);
  }
  return dW;
}
