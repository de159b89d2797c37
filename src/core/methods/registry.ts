// The registry of few-shot image methods: each method's spec ({ ...<NAME>_INFO, create }) is defined
// in its implementation file, and this file lists them in the catalog's order (a test checks the two
// lists agree). Callers (the training loop, evaluation, the CLI, the worker) look methods up by name
// and never branch on which one runs.
import { catalogOf, resolveHyperparameters, type Hyperparameters } from './catalog';
import { defaultConv4, type Conv4Config } from '../nn/conv4';
import { SettingsError } from '../settingProblems';
import type { FewShotMethod, MethodContext, MethodSpec } from './method';
import { FINETUNE_SPEC } from './finetune';
import { FOMAML_SPEC, MAML_SPEC } from './maml';
import { METALSTM_SPEC } from './metalstm';
import { PROTONET_SPEC } from './protonet';

export { resolveHyperparameters, type HyperparameterInfo, type Hyperparameters, type MethodInfo } from './catalog';
export type { MethodContext, MethodSpec } from './method';

/** Every image method with its `create`, in the catalog's order (METHOD_INFOS). */
export const METHOD_SPECS: readonly MethodSpec[] = [PROTONET_SPEC, MAML_SPEC, FOMAML_SPEC, FINETUNE_SPEC, METALSTM_SPEC];

/** The same, by name. */
export const METHODS: Record<string, MethodSpec> = catalogOf(METHOD_SPECS);

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

/** A method made for an experiment, with what was resolved on the way. */
export interface ExperimentMethod {
  method: FewShotMethod;
  spec: MethodSpec;
  /** The defaults with the given values applied, checked. */
  hyperparameters: Hyperparameters;
  /** The Conv-4 it runs on: shaped for the images, with the method's own filter count. */
  backbone: Conv4Config;
}

/**
 * The method an experiment trains on images of `imageShape` ([height, width, channels]): its
 * registry entry, its hyperparameters resolved once, a Conv-4 with the method's filter count, and
 * the meta-training classes (a pre-training head needs them). One place for the worker's run plans,
 * the run backbones of "Your images" and the CLI.
 */
export function methodForExperiment(
  name: string,
  given: Hyperparameters,
  seed: number,
  imageShape: [number, number, number],
  trainClasses: readonly number[],
): ExperimentMethod {
  const spec = getMethodSpec(name);
  const hyperparameters = resolveHyperparameters(spec, given);
  const backbone: Conv4Config = { inputShape: imageShape, ...defaultConv4, filters: spec.filters ?? defaultConv4.filters };
  const method = spec.create({ backbone, trainClassCount: trainClasses.length, trainClasses: [...trainClasses] }, hyperparameters, seed);
  return { method, spec, hyperparameters, backbone };
}
