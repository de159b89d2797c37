// Starts the compute worker as a module worker; Vite bundles entry.ts (and the .wasm files it
// imports) as a separate chunk found relative to the page, so it works from any sub-path.
import { ComputeClient } from './client';

export function createComputeWorker(): Worker {
  return new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'few-shot-lab-compute' });
}

export function createComputeClient(): ComputeClient {
  return new ComputeClient({ createWorker: createComputeWorker });
}
