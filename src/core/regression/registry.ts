// The methods of the sine-wave regression family, looked up by the same names as their image
// counterparts (maml, fomaml, finetune, metalstm). Each spec ({ ...<NAME>_INFO, create }) is
// defined in its implementation file; this file lists them in the catalog's order (a test checks
// the two lists agree). Prototypical Networks classify by distance to class prototypes and have no
// regression form, so they are not here.
import { catalogOf, resolveHyperparameters, type Hyperparameters } from '../methods/catalog';
import { SettingsError } from '../settingProblems';
import { REGRESSION_FINETUNE_SPEC } from './finetuneRegression';
import { REGRESSION_FOMAML_SPEC, REGRESSION_MAML_SPEC } from './mamlRegression';
import { REGRESSION_METALSTM_SPEC } from './metalstmRegression';
import type { RegressionMethod, RegressionMethodSpec } from './regressionMethod';

export type { RegressionMethodSpec } from './regressionMethod';

/** Every regression method with its `create`, in the catalog's order (REGRESSION_METHOD_INFOS). */
export const REGRESSION_METHOD_SPECS: readonly RegressionMethodSpec[] = [
  REGRESSION_MAML_SPEC,
  REGRESSION_FOMAML_SPEC,
  REGRESSION_FINETUNE_SPEC,
  REGRESSION_METALSTM_SPEC,
];

/** The same, by name. */
export const REGRESSION_METHODS: Record<string, RegressionMethodSpec> = catalogOf(REGRESSION_METHOD_SPECS);

export function regressionMethodNames(): string[] {
  return Object.keys(REGRESSION_METHODS);
}

export function getRegressionMethodSpec(name: string): RegressionMethodSpec {
  const spec = REGRESSION_METHODS[name];
  if (!spec) {
    const why = name === 'protonet' ? ' Prototypical Networks classify; they have no regression form.' : '';
    throw new SettingsError([
      { code: 'unknown-method', field: 'method', message: `"${name}" cannot run sine-wave regression.${why} Regression methods: ${regressionMethodNames().join(', ')}.` },
    ]);
  }
  return spec;
}

export function createRegressionMethod(name: string, hyper: Hyperparameters, seed: number): RegressionMethod {
  const spec = getRegressionMethodSpec(name);
  return spec.create(resolveHyperparameters(spec, hyper), seed);
}
