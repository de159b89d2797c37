// The registry of few-shot methods: a new method is one file plus one entry here. Callers (the
// training loop, evaluation, the CLI, the worker, the UI) look methods up by name and never
// branch on which one runs.
import type { Conv4Config } from '../nn/conv4';
import type { FewShotMethod } from './method';
import { FINETUNE_SPEC } from './finetune';
import { FOMAML_SPEC, MAML_SPEC } from './maml';
import { METALSTM_SPEC } from './metalstm';
import { PROTONET_DEFAULTS, ProtoNet } from './protonet';

/** Hyperparameters are flat name -> number/string, so they fit in a URL and a CLI flag. */
export type Hyperparameters = Record<string, number | string>;

export interface HyperparameterInfo {
  /** One-line hint shown next to the control. */
  hint: string;
  /** Allowed values for string-valued settings. */
  choices?: readonly string[];
  min?: number;
  max?: number;
}

/** What a method may need to know about the experiment when it is created. */
export interface MethodContext {
  backbone: Conv4Config;
  /** Number of meta-train classes (a pre-training classifier head needs it). */
  trainClassCount: number;
  /**
   * Dataset class indices of the meta-train classes, in a fixed order: a method that pre-trains
   * an ordinary classifier maps episode.classIndices to head rows with it. Optional for callers
   * that only run episodic methods.
   */
  trainClasses?: readonly number[];
}

export interface MethodSpec {
  name: string;
  /** Human name, e.g. "Prototypical Networks". */
  title: string;
  /** The paper, e.g. "Snell, Swersky & Zemel 2017". */
  paper: string;
  defaults: Hyperparameters;
  /** Conv-4 filters this method uses by default (64 if absent). */
  filters?: number;
  /** Episodes per training step when the user does not say (the meta-batch); 1 if absent. */
  metaBatch?: number;
  hyperparameters: Record<string, HyperparameterInfo>;
  create(context: MethodContext, hyper: Hyperparameters, seed: number): FewShotMethod;
}

const protonet: MethodSpec = {
  name: 'protonet',
  title: 'Prototypical Networks',
  paper: 'Snell, Swersky & Zemel 2017',
  defaults: { ...PROTONET_DEFAULTS },
  hyperparameters: {
    learningRate: { hint: 'Adam step size (paper: 0.001).', min: 1e-6, max: 1 },
    lrDecayEvery: { hint: 'Multiply the step size by lrDecayFactor every this many steps (paper: 2000).', min: 0 },
    lrDecayFactor: { hint: 'Factor applied at each decay (paper: 0.5).', min: 0, max: 1 },
    batchNormAtTest: {
      hint: 'Batch-norm statistics at test time: running (from training, non-transductive) or batch (the test batch itself, transductive).',
      choices: ['running', 'batch'],
    },
    batchNormMomentum: { hint: 'Weight of each new batch in the running statistics.', min: 0, max: 1 },
  },
  create: ({ backbone }, hyper, seed) =>
    new ProtoNet({
      backbone,
      seed,
      learningRate: Number(hyper.learningRate),
      lrDecayEvery: Number(hyper.lrDecayEvery),
      lrDecayFactor: Number(hyper.lrDecayFactor),
      batchNormAtTest: hyper.batchNormAtTest === 'batch' ? 'batch' : 'running',
      batchNormMomentum: Number(hyper.batchNormMomentum),
    }),
};

export const METHODS: Record<string, MethodSpec> = {
  protonet,
  maml: MAML_SPEC,
  fomaml: FOMAML_SPEC,
  finetune: FINETUNE_SPEC,
  metalstm: METALSTM_SPEC,
};

export function methodNames(): string[] {
  return Object.keys(METHODS);
}

export function getMethodSpec(name: string): MethodSpec {
  const spec = METHODS[name];
  if (!spec) throw new Error(`Unknown method "${name}". Available: ${methodNames().join(', ')}.`);
  return spec;
}

/**
 * Merges user settings over the method's defaults, checking each name, type, choice and range;
 * throws with every problem listed.
 */
export function resolveHyperparameters(spec: Pick<MethodSpec, 'title' | 'defaults' | 'hyperparameters'>, given: Hyperparameters = {}): Hyperparameters {
  const out: Hyperparameters = { ...spec.defaults };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const info = spec.hyperparameters[name];
    if (!info || !(name in spec.defaults)) {
      problems.push(`${spec.title} has no setting "${name}" (it has: ${Object.keys(spec.defaults).join(', ')}).`);
      continue;
    }
    if (info.choices) {
      if (!info.choices.includes(String(value))) {
        problems.push(`${name} must be one of ${info.choices.join(', ')}, got "${value}".`);
        continue;
      }
      out[name] = String(value);
      continue;
    }
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) {
      problems.push(`${name} must be a number, got "${value}".`);
    } else if ((info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max)) {
      problems.push(`${name} must be between ${info.min ?? '-inf'} and ${info.max ?? 'inf'}, got ${n}.`);
    } else {
      out[name] = n;
    }
  }
  if (problems.length > 0) throw new Error(problems.join(' '));
  return out;
}

export function createMethod(name: string, context: MethodContext, hyper: Hyperparameters, seed: number): FewShotMethod {
  const spec = getMethodSpec(name);
  return spec.create(context, resolveHyperparameters(spec, hyper), seed);
}
