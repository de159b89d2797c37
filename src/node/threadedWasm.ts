// Runs tfjs's multi-threaded wasm build in Node (worker_threads), which tfjs 4.22 does not do by
// itself: its thread check answers "no" in Node, and its loader hands Emscripten a Blob URL for the
// worker script, which Node's Worker cannot load. Here the 'wasm' backend is re-registered with a
// factory that points Emscripten at real files: the package's threaded .js/.wasm, and the worker
// script (shipped inside the package as a string) written once to the temp folder.
// Emscripten sizes its thread pool from os.cpus().length / 2; the count is raised for the moment
// the module starts so that `threads` threads are allowed. Use through
// initBackend('wasm', { threads, nodeThreadedWasm: registerThreadedWasmForNode }).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

type EmscriptenModule = Record<string, unknown> & {
  cwrap(name: string, ret: string | null, args: string[]): unknown;
};
type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** Priority tfjs gives its own wasm backend. */
const WASM_PRIORITY = 2;

function packageOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** Writes the worker script to the temp folder (once per content) and returns its path. */
function workerScript(outDir: string): string {
  const { wasmWorkerContents } = require(path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The string holds real newlines where the script had "\n" escapes inside string literals.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'few-shot-lab-wasm');
  const file = path.join(dir, `tfjs-wasm-worker-${digest}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, source);
    renameSync(partial, file);
  }
  return file;
}

export async function registerThreadedWasmForNode(threads: number): Promise<void> {
  const outDir = packageOutDir();
  const mainScript = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as EmscriptenFactory;
  const worker = workerScript(outDir);
  tfWasm.setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // Emscripten reads require('os') from its own CommonJS scope: the same module object.
      const nodeOs = require('os') as { cpus: () => os.CpuInfo[] };
      const cpus = nodeOs.cpus;
      nodeOs.cpus = () => Array.from({ length: 2 * Math.max(threads, cpus().length) }, () => cpus()[0]);
      try {
        const module = await factory({
          locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(outDir, file)),
          mainScriptUrlOrBlob: mainScript,
        });
        // The C entry points tfjs's own loader binds (see BackendWasm).
        module.tfjs = {
          init: module.cwrap('init', null, []),
          initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
          getThreadsCount: module.cwrap('get_threads_count', 'number', []),
          registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
          disposeData: module.cwrap('dispose_data', null, ['number']),
          dispose: module.cwrap('dispose', null, []),
        };
        return new tfWasm.BackendWasm(module as unknown as ConstructorParameters<typeof tfWasm.BackendWasm>[0]);
      } finally {
        nodeOs.cpus = cpus;
      }
    },
    WASM_PRIORITY,
  );
}

/**
 * Ends the wasm backend's worker threads (they keep Node's event loop alive). Call before a
 * program that used threads wants to exit on its own.
 */
export function stopWasmThreads(): void {
  if (tf.findBackend('wasm')) tf.removeBackend('wasm');
}
