// Replacement kernels that make Conv-4 training work and run fast on tfjs 4.22's CPU-side
// backends (wasm, cpu). `registerFastKernels()` is idempotent and may be called before or after
// the backend is initialised.
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormReluPool } from './batch-norm-relu-pool';
import { registerConv2DBackpropFilter } from './conv2d-backprop-filter';
import { registerConv2DBackpropInput } from './conv2d-backprop-input';
import { registerCpuConv2D } from './cpu-conv2d';
import { registerCpuTranspose } from './cpu-transpose';
import { registerSharedIdentity } from './identity';
import { registerMaxPoolGrad } from './max-pool-grad';
import { registerLeadingAxisReductions } from './reduce-leading-axes';
import type { FastKernelBackend } from './backend-calls';

export type { FastKernelBackend } from './backend-calls';
export { installKernelProfiler, type KernelProfiler, type KernelTiming } from './kernel-profiler';

const registered = new Set<string>();

/**
 * Registers the replacement kernels for `backends` (default: wasm and cpu). Safe to call often.
 * A backend whose package is not loaded yet is skipped (its stock kernels, registered when the
 * package loads, would otherwise replace ours): call again after loading it.
 */
export function registerFastKernels(backends: FastKernelBackend[] = ['wasm', 'cpu']): void {
  for (const backendName of backends) {
    if (registered.has(backendName) || !tf.findBackendFactory(backendName)) continue;
    registerConv2DBackpropFilter(backendName);
    registerConv2DBackpropInput(backendName);
    registerMaxPoolGrad(backendName);
    registerBatchNormReluPool(backendName);
    registerLeadingAxisReductions(backendName);
    if (backendName === 'wasm') registerSharedIdentity(backendName);
    if (backendName === 'cpu') {
      registerCpuConv2D();
      registerCpuTranspose();
    }
    registered.add(backendName);
  }
}
