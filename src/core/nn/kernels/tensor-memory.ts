// Direct Float32Array access to tensor data inside a kernel, for the wasm backend (views on the
// WebAssembly heap) and the cpu backend (its value arrays). Kernels written as plain loops over
// these views avoid the stock kernels' detours (full transposes before a reduction, copies for an
// identity). This reads backend internals that tfjs 4.22 does not declare public (wasm:
// dataIdMap, wasm.HEAPU8, makeOutput; cpu: data, makeTensorInfo); they are what the backends' own
// kernels use.
import * as tf from '@tensorflow/tfjs';
import type { BackendHandle } from './backend-calls';

interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface CpuBackendInternals {
  data: { get(dataId: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

export interface Float32Memory {
  /**
   * A float32 output of `shape`, with a view on its storage. On wasm the view is invalidated by
   * the next allocation (the heap may grow): allocate everything first, then take views.
   */
  allocate(shape: number[]): tf.TensorInfo;
  /** The values of a float32 tensor (a view, not a copy: do not write to inputs). */
  view(info: tf.TensorInfo): Float32Array;
}

export function float32Memory(backend: BackendHandle, backendName: string): Float32Memory {
  if (backendName === 'wasm') {
    const b = backend as unknown as WasmBackendInternals;
    return {
      allocate: (shape) => b.makeOutput(shape, 'float32'),
      view: (info) =>
        new Float32Array(b.wasm.HEAPU8.buffer, b.dataIdMap.get(info.dataId).memoryOffset, sizeOf(info.shape)),
    };
  }
  if (backendName === 'cpu') {
    const b = backend as unknown as CpuBackendInternals;
    return {
      allocate: (shape) => b.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape))),
      view: (info) => {
        const values = b.data.get(info.dataId).values;
        if (!(values instanceof Float32Array)) throw new Error('Expected float32 tensor data on the cpu backend.');
        return values;
      },
    };
  }
  throw new Error(`No direct memory access for backend '${backendName}'.`);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The WebAssembly.Memory of a wasm backend (single-threaded builds export it, threaded builds import it). */
export function wasmHeap(backend: BackendHandle): WebAssembly.Memory | undefined {
  const module = (backend as unknown as { wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
  return module?.wasmMemory ?? module?.asm?.memory;
}
