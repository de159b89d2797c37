// Pieces the CLI's entries share: logging to stderr, backend start-up, Ctrl-C handling, how --hp
// settings are split between compared methods, a training result as JSON, and the project version.
import { readFileSync } from 'node:fs';
import { initBackend, type InitialisedBackend } from '../core/backend';
import { getMethodSpec, type Hyperparameters } from '../core/methods/registry';
import { registerThreadedWasmForNode } from '../node/threadedWasm';
import type { LoopMetrics, LoopResult } from '../core/train/loop';
import type { ExperimentArgs } from './experimentArgs';

export const log = (line: string) => process.stderr.write(`${line}\n`);

/** The tfjs backend the flags ask for, initialised and announced. */
export async function initCliBackend(args: ExperimentArgs): Promise<InitialisedBackend> {
  const backend = await initBackend(
    args.backend,
    args.backend === 'wasm' ? { threads: args.threads, nodeThreadedWasm: registerThreadedWasmForNode } : {},
  );
  log(`Backend: ${backend.backend} (${backend.info})`);
  return backend;
}

/** Ctrl-C stops after the current step (twice quits at once). */
export function stopOnInterrupt(): () => boolean {
  let stopRequested = false;
  process.once('SIGINT', () => {
    stopRequested = true;
    log('\nStopping after this step (Ctrl-C again to quit at once) ...');
    process.once('SIGINT', () => process.exit(130));
  });
  return () => stopRequested;
}

/**
 * Splits --hp settings between methods: "maml.innerSteps=5" goes to maml only; a plain
 * "learningRate=0.002" goes to every compared method that has that setting.
 */
export function hyperparametersFor(
  method: string,
  methods: string[],
  given: Hyperparameters,
  defaultsOf: (method: string) => Hyperparameters = (m) => getMethodSpec(m).defaults,
): Hyperparameters {
  const out: Hyperparameters = {};
  for (const [key, value] of Object.entries(given)) {
    const dot = key.indexOf('.');
    if (dot > 0) {
      const target = key.slice(0, dot);
      if (!methods.includes(target)) throw new Error(`--hp ${key}: "${target}" is not one of the methods run (${methods.join(', ')}).`);
      if (target === method) out[key.slice(dot + 1)] = value;
      continue;
    }
    const owners = methods.filter((m) => key in defaultsOf(m));
    if (owners.length === 0) {
      throw new Error(`--hp ${key}: none of ${methods.join(', ')} has a setting "${key}".`);
    }
    if (owners.includes(method) || methods.length === 1) out[key] = value;
  }
  return out;
}


/** A training result as written to the results JSON. */
export function trainingJson(training: LoopResult<LoopMetrics, unknown>) {
  return {
    status: training.status,
    message: training.message ?? null,
    stepsDone: training.stepsDone,
    seconds: training.seconds,
    curve: training.curve,
    validation: training.validation,
  };
}

/** The version in package.json, for results files. */
export function projectVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}
