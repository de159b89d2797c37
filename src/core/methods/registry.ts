// The registry of few-shot methods: a new method is one file plus one entry here (and its
// description in catalog.ts). Callers (the training loop, evaluation, the CLI, the worker) look
// methods up by name and never branch on which one runs.
import { METHOD_CATALOG, resolveHyperparameters, type Hyperparameters } from './catalog';
import { SettingsError } from '../settingProblems';
import type { FewShotMethod, MethodContext, MethodSpec } from './method';
import { FINETUNE_SPEC } from './finetune';
import { FOMAML_SPEC, MAML_SPEC } from './maml';
import { METALSTM_SPEC } from './metalstm';
import { ProtoNet } from './protonet';

export { resolveHyperparameters, type HyperparameterInfo, type Hyperparameters } from './catalog';
export type { MethodContext, MethodSpec } from './method';

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
  if (!spec) throw new SettingsError([{ code: 'unknown-method', field: 'method', message: `Unknown method "${name}". Available: ${methodNames().join(', ')}.` }]);
  return spec;
}

export function createMethod(name: string, context: MethodContext, hyper: Hyperparameters, seed: number): FewShotMethod {
  const spec = getMethodSpec(name);
  return spec.create(context, resolveHyperparameters(spec, hyper), seed);
}
