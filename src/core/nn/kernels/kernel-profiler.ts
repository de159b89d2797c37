// A per-kernel time profile: wraps every kernel registered for a backend with a timer and adds up
// self time (time inside a kernel minus time in the kernels it calls) per kernel name, shape
// aside. Only meaningful for synchronous backends (wasm, cpu), whose kernels finish before they
// return. Used by the benchmark (`npm run bench -- --profile`) to see where a training step goes.
import * as tf from '@tensorflow/tfjs';

export interface KernelTiming {
  kernel: string;
  calls: number;
  /** Self time in milliseconds (excluding nested kernel calls). */
  selfMs: number;
}

export interface KernelProfiler {
  /** Clears the accumulated times. */
  reset(): void;
  /** Timings so far, largest self time first. */
  report(): KernelTiming[];
  /** Restores the unwrapped kernels. */
  uninstall(): void;
}

/**
 * Wraps every kernel of `backendName` with a timer. With `byShape`, timings are kept apart per
 * input shapes (the kernel name then reads e.g. `Sum 100x28x28x64`).
 */
export function installKernelProfiler(backendName: string, byShape = false): KernelProfiler {
  const totals = new Map<string, { calls: number; selfMs: number }>();
  // Time spent in nested kernels, per open frame, so a kernel's self time can exclude it.
  const nestedStack: number[] = [];
  const originals = tf.getKernelsForBackend(backendName).map((c) => ({ ...c }));
  for (const original of originals) {
    const inner = original.kernelFunc;
    const timed: tf.KernelFunc = (args) => {
      nestedStack.push(0);
      const start = performance.now();
      try {
        return inner(args);
      } finally {
        const elapsed = performance.now() - start;
        const nested = nestedStack.pop()!;
        if (nestedStack.length > 0) nestedStack[nestedStack.length - 1] += elapsed;
        const key = byShape ? `${original.kernelName} ${shapesOf(args.inputs)}` : original.kernelName;
        const entry = totals.get(key) ?? { calls: 0, selfMs: 0 };
        entry.calls++;
        entry.selfMs += elapsed - nested;
        totals.set(key, entry);
      }
    };
    // Keep any marker properties (e.g. the fast-kernel mark) visible on the wrapper.
    Object.assign(timed, inner);
    tf.unregisterKernel(original.kernelName, backendName);
    tf.registerKernel({ ...original, kernelFunc: timed });
  }
  return {
    reset: () => totals.clear(),
    report: () =>
      [...totals.entries()]
        .map(([kernel, t]) => ({ kernel, calls: t.calls, selfMs: t.selfMs }))
        .sort((a, b) => b.selfMs - a.selfMs),
    uninstall: () => {
      for (const original of originals) {
        tf.unregisterKernel(original.kernelName, backendName);
        tf.registerKernel(original);
      }
    },
  };
}

function shapesOf(inputs: tf.NamedTensorInfoMap): string {
  return Object.values(inputs)
    .map((t) => (t ? t.shape.join('x') || 'scalar' : '-'))
    .join(',');
}
