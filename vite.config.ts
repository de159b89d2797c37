// Vite build of the playground and the vitest configuration for the unit tests.
import { availableParallelism } from 'node:os';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { offlinePrecache } from './vite/offlinePrecache.js';

/**
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which tfjs's
 * multi-threaded wasm backend needs. The dev and preview servers send these headers; a static host
 * must send the same two headers for threads (without them the app runs on one wasm thread).
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset paths, so the static build works from any sub-path of any host.
  base: './',
  plugins: [react(), offlinePrecache()],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: {
    format: 'es',
    // tfjs's threaded wasm build starts its helper workers from the source text of a function in
    // its bundle; minifying renames what that text refers to ("ReferenceError: e is not defined",
    // TFJS-NOTES.md), so the worker bundles (where tfjs lives) are left unminified.
    plugins: () => [{ name: 'few-shot-lab:unminified-worker', outputOptions: (options) => ({ ...options, minify: false }) }],
  },
  build: {
    target: 'es2022',
    // The page's bundle is minified; the worker's is not (see worker.plugins).
    minify: true,
  },
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}'],
    // Component tests (tests/unit/ui) choose jsdom with a `@vitest-environment jsdom` comment.
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    // tfjs on wasm is single-threaded in Node; training tests take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One process per file keeps each file's tfjs engine (and its registered kernels) apart.
    pool: 'forks',
    // As many files at once as there are cores: tfjs on wasm uses one thread per process, and
    // vitest's default (cores - 1) ran the files one after another on a 2-core machine (312 s
    // against 195 s for the whole unit suite). No test depends on time, so sharing is safe.
    maxWorkers: availableParallelism(),
  },
});
