// Helpers for replacement kernels: run another kernel of the same backend directly (without the
// engine, so nothing is recorded on a gradient tape and no engine tensors are made), dispose the
// intermediate results, and register a replacement so that registering twice is harmless.
import * as tf from '@tensorflow/tfjs';

/** Backends for which fast kernels exist. */
export type FastKernelBackend = 'wasm' | 'cpu';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The backend object a kernel function receives (wasm's BackendWasm or cpu's MathBackendCPU). */
export type BackendHandle = tf.KernelBackend;

/**
 * Runs kernel `name` of backend `backendName` on TensorInfos. The result belongs to the caller:
 * dispose it with `release` unless it is returned from a kernel.
 */
export function callKernel(
  backend: BackendHandle,
  backendName: string,
  name: string,
  inputs: Record<string, tf.TensorInfo>,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(name, backendName);
  if (!config) throw new Error(`Kernel '${name}' is not registered for backend '${backendName}'.`);
  const out = config.kernelFunc({ inputs, attrs, backend } as KernelArgs);
  if (Array.isArray(out)) throw new Error(`Kernel '${name}' returned several outputs; expected one.`);
  return out;
}

/** Frees intermediate TensorInfos made by callKernel. */
export function release(backend: BackendHandle, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Marks kernel functions written here, so a second registration can recognise them. */
const FAST_KERNEL = Symbol.for('few-shot-lab.fastKernel');

interface MarkedKernelFunc extends tf.KernelFunc {
  [FAST_KERNEL]?: true;
}

export function isFastKernel(name: string, backendName: string): boolean {
  const existing = tf.getKernel(name, backendName);
  return !!existing && (existing.kernelFunc as MarkedKernelFunc)[FAST_KERNEL] === true;
}

/**
 * Registers `kernelFunc` as kernel `name` on `backendName`, replacing whatever was registered
 * (unless it is already one of ours). `makeKernel` receives the stock kernel (or undefined), so
 * the replacement can fall back to it for cases it does not handle. The stock kernel's setupFunc
 * is kept: the replacement may call it, and wasm kernels bind their C functions in setup.
 */
export function replaceKernel(
  name: string,
  backendName: string,
  makeKernel: (stock: tf.KernelConfig | undefined) => tf.KernelFunc,
): void {
  if (isFastKernel(name, backendName)) return;
  const stock = tf.getKernel(name, backendName);
  const kernelFunc = makeKernel(stock) as MarkedKernelFunc;
  kernelFunc[FAST_KERNEL] = true;
  if (stock) tf.unregisterKernel(name, backendName);
  tf.registerKernel({
    kernelName: name,
    backendName,
    kernelFunc,
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
  });
}

/** Runs the stock kernel, or says clearly that the case is not supported. */
export function callStock(
  stock: tf.KernelConfig | undefined,
  args: KernelArgs,
  what: string,
): tf.TensorInfo | tf.TensorInfo[] {
  if (!stock) {
    throw new Error(`${what} is not supported on this backend by the replacement kernels of Few-Shot Lab.`);
  }
  return stock.kernelFunc(args);
}
