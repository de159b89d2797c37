// The registry of few-shot methods: a new method is one file plus one entry here (and its
// description in catalog.ts). Callers (the training loop, evaluation, the CLI, the worker) look
// methods up by name and never branch on which one runs.
import type { Conv4Config } from '../nn/conv4';
import { METHOD_CATALOG, resolveHyperparameters, type Hyperparameters, type MethodInfo } from './catalog';
import type { FewShotMethod } from './method';
import { FINETUNE_SPEC } from './finetune';
import { FOMAML_SPEC, MAML_SPEC } from './maml';
import { METALSTM_SPEC } from './metalstm';
import { ProtoNet } from './protonet';

export { resolveHyperparameters, type HyperparameterInfo, type Hyperparameters } from './catalog';

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

export interface MethodSpec extends MethodInfo {
  create(context: MethodContext, hyper: Hyperparameters, seed: number): FewShotMethod;
}

const protonet: MethodSpec = {
  ...METHOD_CATALOG.protonet,
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

export function createMethod(name: string, context: MethodContext, hyper: Hyperparameters, seed: number): FewShotMethod {
  const spec = getMethodSpec(name);
  return spec.create(context, resolveHyperparameters(spec, hyper), seed);
}
