// Choosing and initialising a tfjs backend, in Node and in the browser alike: sets the backend,
// waits until it is ready and registers the project's fast kernels (see nn/kernels). Backend
// packages are imported on demand; nothing Node- or DOM-specific is imported here (the Node
// loader of tfjs's multi-threaded wasm build is passed in, see src/node/threadedWasm.ts).
import * as tf from '@tensorflow/tfjs';
import { registerSecondOrderGradients } from './nn/gradients';
import { registerFastKernels } from './nn/kernels';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface BackendOptions {
  /**
   * Browser: where the .wasm binaries are served (a folder URL ending in '/', or a map from
   * binary name to URL), passed to setWasmPaths. Not needed in Node, where the package finds them.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * wasm: threads for XNNPACK's convolutions and matrix products. Browser: applies when the page
   * is cross-origin isolated (tfjs then loads its threaded build). Node: values above 1 load the
   * threaded build through `nodeThreadedWasm` (tfjs does not do this by itself in Node).
   * Default 1 in Node, tfjs's choice in the browser.
   */
  threads?: number;
  /** Node only: registers tfjs's threaded wasm build (src/node/threadedWasm.ts). */
  nodeThreadedWasm?: (threads: number) => Promise<void>;
}

export interface BackendDetails {
  backend: BackendName;
  environment: 'node' | 'browser';
  /** wasm only. */
  simd?: boolean;
  /** wasm only: threads XNNPACK uses. */
  threads?: number;
  /** True when the replacement kernels for Conv-4 training are registered for this backend. */
  fastKernels: boolean;
}

export interface InitialisedBackend {
  backend: BackendName;
  /** One line for people, e.g. "SIMD, 1 thread, fast kernels". */
  info: string;
  details: BackendDetails;
}

const BACKENDS: BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export async function initBackend(name: BackendName, options: BackendOptions = {}): Promise<InitialisedBackend> {
  if (!BACKENDS.includes(name)) {
    throw new Error(`Unknown backend "${name}"; choose one of ${BACKENDS.join(', ')}.`);
  }
  const node = isNode();
  if ((name === 'webgl' || name === 'webgpu') && node) {
    throw new Error(`The ${name} backend needs a browser; in Node use wasm (or cpu).`);
  }
  const threads = options.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new Error(`threads must be a whole number of at least 1, got ${threads}.`);
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    if (threads !== undefined) wasm.setThreadsCount(threads);
    if (node && threads !== undefined && threads > 1) {
      if (!options.nodeThreadedWasm) {
        throw new Error('More than 1 wasm thread in Node needs the nodeThreadedWasm option (src/node/threadedWasm.ts).');
      }
      await options.nodeThreadedWasm(threads);
    }
  } else if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  // Production mode skips tfjs's debug checks and its console advice (in Node it would otherwise
  // recommend tfjs-node, which cannot be installed here).
  tf.enableProdMode();
  let ok = false;
  let failure = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  if (!ok) {
    throw new Error(
      `The ${name} backend could not be initialised${failure ? ` (${failure})` : ''}. ` +
        (name === 'wasm' && !node
          ? 'Check that the .wasm files are served at the configured wasmPaths.'
          : 'Try another backend (wasm works everywhere; cpu is the slow last resort).'),
    );
  }
  await tf.ready();
  registerFastKernels();
  // Gradients that make second derivatives correct (MAML); first derivatives are unchanged, and
  // registering them here keeps every method on the same gradients whichever runs first.
  registerSecondOrderGradients();
  const details: BackendDetails = {
    backend: name,
    environment: node ? 'node' : 'browser',
    fastKernels: name === 'wasm' || name === 'cpu',
  };
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    details.simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    details.threads = wasm.getThreadsCount();
  }
  return { backend: name, info: describe(details), details };
}

function describe(d: BackendDetails): string {
  const parts: string[] = [];
  if (d.simd !== undefined) parts.push(d.simd ? 'SIMD' : 'no SIMD');
  if (d.threads !== undefined) parts.push(`${d.threads} thread${d.threads === 1 ? '' : 's'}`);
  parts.push(d.fastKernels ? 'fast kernels' : 'stock kernels');
  return parts.join(', ');
}
