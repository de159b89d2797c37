// The compute worker run inside this Node process: a Worker-shaped object whose messages go to a
// WorkerSession (src/worker/session.ts) and back, so a ComputeClient drives it exactly as the page
// drives its Web Worker. `npm run bench:browser` uses it to time the page's own requests in Node.
import { ComputeClient } from '../worker/client';
import type { Request, WorkerEvent } from '../worker/protocol';
import { WorkerSession } from '../worker/session';
import { decodeImage } from './decodeImage';
import { nodeSessionBackends } from './sessionBackends';

/** A ComputeClient over an in-process session on wasm with `threads` threads (then cpu). */
export function inProcessClient(threads = 1): ComputeClient {
  return new ComputeClient({
    createWorker: () => {
      const worker = {
        onmessage: null as ((e: MessageEvent<WorkerEvent>) => void) | null,
        onerror: null,
        postMessage: (request: Request) => {
          void session.handle(request);
        },
        terminate: () => undefined,
      };
      // Events are delivered in a later task, as a Web Worker's are.
      const session = new WorkerSession({
        post: (event) => setTimeout(() => worker.onmessage?.({ data: event } as MessageEvent<WorkerEvent>)),
        backends: nodeSessionBackends(threads),
        decode: decodeImage,
      });
      return worker as unknown as Worker;
    },
  });
}
