// A BackendProvider for running the compute worker's session (src/worker/session.ts) in Node:
// wasm first (with `threads` threads), then cpu. The browser's provider (src/worker/backendChoice.ts)
// adds WebGPU and WebGL in front. Used by the unit tests and by `npm run bench:browser`, which times
// the same session code in Node beside the browser's worker.
import { initBackend } from '../core/backend';
import type { BackendName, ChosenBackend } from '../worker/protocol';
import type { BackendProvider } from '../worker/session';
import { registerThreadedWasmForNode } from './threadedWasm';

const ORDER: BackendName[] = ['wasm', 'cpu'];

export function nodeSessionBackends(threads = 1): BackendProvider {
  const use = async (backend: BackendName, reason: string): Promise<ChosenBackend> => {
    const options = backend === 'wasm' ? { threads, nodeThreadedWasm: registerThreadedWasmForNode } : {};
    const r = await initBackend(backend as 'wasm' | 'cpu', options);
    return { backend, info: r.info, reason };
  };
  return {
    choose: (preference) =>
      preference === 'auto' ? use('wasm', 'Node: wasm is the fastest backend available') : use(preference, `${preference} was asked for`),
    fallbackAfter: async (failed) => {
      const next = ORDER[ORDER.indexOf(failed) + 1];
      return next ? use(next, `${failed} failed`) : null;
    },
  };
}
