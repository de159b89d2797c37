// The Web Worker entry: wires WorkerSession (session.ts) to postMessage, with the browser's
// backend chooser and image decoder. The .wasm binaries are bundled and served by the app itself
// (Vite emits them next to this script), never fetched from a CDN.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { browserBackends } from './backendChoice';
import { decodeImageInBrowser } from './decodeImage';
import type { Request, WorkerEvent } from './protocol';
import { WorkerSession } from './session';

const scope = self as unknown as {
  postMessage(message: WorkerEvent): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  close(): void;
};

const session = new WorkerSession({
  post: (event) => scope.postMessage(event),
  backends: browserBackends({
    wasmPaths: {
      'tfjs-backend-wasm.wasm': new URL(wasmUrl, import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimdUrl, import.meta.url).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreadedSimdUrl, import.meta.url).href,
    },
    // Threads need cross-origin isolation (SharedArrayBuffer); tfjs falls back to one otherwise.
    threads: Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)),
  }),
  decode: decodeImageInBrowser,
  terminate: () => {
    // A crash as the page sees one: an uncaught error, then the worker is gone.
    setTimeout(() => scope.close(), 0);
    throw new Error('Worker crashed (fault test).');
  },
});

scope.onmessage = (event) => void session.handle(event.data);
