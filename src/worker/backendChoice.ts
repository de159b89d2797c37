// Picks the tfjs backend in the browser's worker: WebGPU, then WebGL, then WASM, then CPU, as the
// user asked, but never a software-emulated GPU over WASM. On a machine without a GPU, Chromium's
// WebGPU and WebGL run on SwiftShader and train 30 to 60 times slower than WASM (TFJS-NOTES.md):
// a WebGPU adapter that is a fallback adapter or names SwiftShader, and a WebGL renderer naming
// SwiftShader / llvmpipe, are skipped with the reason said. When the GPU's identity is hidden (a
// masked renderer string), a short timed training step on it and on WASM decides.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { conv4Forward, initConv4 } from '../core/nn/conv4';
import { disposeTensors } from '../core/nn/params';
import { Rng } from '../core/rng';
import { BACKEND_ORDER, type BackendName, type BackendPreference } from './protocol';
import type { ChosenBackend } from './protocol';
import type { BackendProvider } from './session';

/** What a GPU backend looks like before initialising it. */
export interface GpuProbe {
  available: boolean;
  /** True when the adapter / renderer is a software emulation. */
  software: boolean;
  /** True when the browser hides what the device is (then a timed step decides). */
  unknown: boolean;
  /** For people: "WebGPU adapter is a software fallback (SwiftShader)". */
  description: string;
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

export async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { available: false, software: false, unknown: false, description: 'this browser offers no WebGPU' };
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { available: false, software: false, unknown: false, description: 'no WebGPU adapter' };
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  if (adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE.test(text)) {
    return { available: true, software: true, unknown: false, description: `WebGPU adapter is a software fallback (${text || 'fallback adapter'})` };
  }
  return { available: true, software: false, unknown: text === '', description: `WebGPU adapter ${text || '(unnamed)'}` };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}

export function probeWebGl(): GpuProbe {
  let gl: WebGL2RenderingContext | WebGLRenderingContext | null = null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGL2RenderingContext | WebGLRenderingContext | null;
  } catch {
    gl = null;
  }
  if (!gl) return { available: false, software: false, unknown: false, description: 'no WebGL' };
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  if (SOFTWARE.test(renderer)) return { available: true, software: true, unknown: false, description: `WebGL renderer is software (${renderer})` };
  return { available: true, software: false, unknown: !ext, description: `WebGL renderer ${renderer}` };
}

/** Milliseconds of one small Conv-4 training-like step (forward and gradient) on the active backend. */
async function timeStep(): Promise<number> {
  const params = initConv4({ inputShape: [28, 28, 1], filters: 32, blocks: 4 }, new Rng(1));
  const x = tf.randomUniform([20, 28, 28, 1]) as tf.Tensor4D;
  const run = async () => {
    const grads = tf.grads((...v: tf.Tensor[]) => {
      const named = Object.fromEntries(Object.keys(params).map((n, i) => [n, v[i]]));
      return tf.sum(conv4Forward(named, x, { batchNorm: 'batch' })) as tf.Scalar;
    })(Object.values(params));
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  };
  await run(); // warm-up: shader compilation, kernel set-up
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  x.dispose();
  disposeTensors(params);
  return ms;
}

export interface BrowserBackendOptions {
  /** URLs of the .wasm binaries, served by the app itself (setWasmPaths). */
  wasmPaths: Record<string, string>;
  /** wasm threads when the page is cross-origin isolated. */
  threads: number;
}

/**
 * tfjs's threaded wasm build sizes Emscripten's thread pool as navigator.hardwareConcurrency / 2
 * (one helper thread on a 2-core machine, so XNNPACK runs on one thread whatever was asked). The
 * count the worker reports is raised to 2 x threads while the module starts, so the pool holds
 * `threads` threads, then restored.
 */
async function initWasm(options: BrowserBackendOptions) {
  const nav = navigator as unknown as Record<string, unknown>;
  const shadowed = Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * options.threads, configurable: true });
  } catch {
    // Not redefinable here: tfjs keeps its own thread count.
  }
  try {
    return await initBackend('wasm', { wasmPaths: options.wasmPaths, threads: options.threads });
  } finally {
    if (!shadowed) delete nav.hardwareConcurrency;
  }
}

export function browserBackends(options: BrowserBackendOptions): BackendProvider {
  const init = async (backend: BackendName) => {
    const r = backend === 'wasm' ? await initWasm(options) : await initBackend(backend);
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    if (backend === 'wasm' && !isolated) return `${r.info}; one thread because the page is not cross-origin isolated (see README: COOP/COEP headers)`;
    return r.info;
  };
  const probe = async (backend: BackendName): Promise<GpuProbe | null> =>
    backend === 'webgpu' ? probeWebGpu() : backend === 'webgl' ? probeWebGl() : null;

  /** Tries the candidates in order; `notes` collects why earlier ones were passed over. */
  async function firstWorking(candidates: readonly BackendName[], notes: string[]): Promise<ChosenBackend | null> {
    for (const backend of candidates) {
      const p = await probe(backend);
      if (p && (!p.available || p.software)) {
        notes.push(p.description);
        continue;
      }
      try {
        const info = await init(backend);
        if (p?.unknown) {
          // The GPU does not say what it is: keep it only if it beats wasm on a real step.
          const gpuMs = await timeStep();
          await init('wasm');
          const wasmMs = await timeStep();
          if (gpuMs > wasmMs) {
            notes.push(`${backend} took ${gpuMs.toFixed(0)} ms for a test step against wasm's ${wasmMs.toFixed(0)} ms`);
            continue;
          }
          await init(backend);
        }
        const why = p ? p.description : notes.length > 0 ? notes.join('; ') : `${backend} is the first backend that works here`;
        return { backend, info, reason: why };
      } catch (error) {
        notes.push(`${backend} failed to start (${(error as Error).message})`);
      }
    }
    return null;
  }

  return {
    async choose(preference: BackendPreference): Promise<ChosenBackend> {
      if (preference !== 'auto') {
        try {
          return { backend: preference, info: await init(preference), reason: `${preference} chosen by you` };
        } catch (error) {
          throw new Error(`The ${preference} backend does not work in this browser (${(error as Error).message}). Choose Auto or another backend.`);
        }
      }
      const notes: string[] = [];
      const chosen = await firstWorking(BACKEND_ORDER, notes);
      if (!chosen) throw new Error(`No tfjs backend works in this browser: ${notes.join('; ')}.`);
      return chosen;
    },
    async fallbackAfter(failed: BackendName): Promise<ChosenBackend | null> {
      const rest = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(failed) + 1);
      const notes = [`${failed} failed`];
      return firstWorking(rest, notes);
    },
  };
}
