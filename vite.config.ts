// Vite build of the playground and the vitest configuration for the unit tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Relative asset paths, so the static build works from any sub-path of any host.
  base: './',
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // tfjs on wasm is single-threaded in Node; training tests take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One process per file keeps each file's tfjs engine (and its registered kernels) apart.
    pool: 'forks',
  },
});
