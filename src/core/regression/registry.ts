// The methods of the sine-wave regression family, looked up by the same names as their image
// counterparts (maml, fomaml, finetune, metalstm). Prototypical Networks classify by distance to
// class prototypes and have no regression form, so they are not here.
import type { Hyperparameters } from '../methods/catalog';
import { SettingsError } from '../settingProblems';
import { resolveHyperparameters } from '../methods/catalog';
import { REGRESSION_CATALOG, type RegressionMethodInfo } from './catalog';
import { RegressionFineTune } from './finetuneRegression';
import { RegressionMaml } from './mamlRegression';
import { RegressionMetaLstm } from './metalstmRegression';
import type { RegressionMethod } from './regressionMethod';

export interface RegressionMethodSpec extends RegressionMethodInfo {
  create(hyper: Hyperparameters, seed: number): RegressionMethod;
}

export const REGRESSION_METHODS: Record<string, RegressionMethodSpec> = {
  maml: { ...REGRESSION_CATALOG.maml, create: (hyper, seed) => mamlRegression(true, hyper, seed) },
  fomaml: { ...REGRESSION_CATALOG.fomaml, create: (hyper, seed) => mamlRegression(false, hyper, seed) },
  finetune: {
    ...REGRESSION_CATALOG.finetune,
    create: (hyper, seed) =>
      new RegressionFineTune({ seed, learningRate: Number(hyper.learningRate), adaptLearningRate: Number(hyper.adaptLearningRate) }),
  },
  metalstm: {
    ...REGRESSION_CATALOG.metalstm,
    create: (hyper, seed) =>
      new RegressionMetaLstm({
        seed,
        updates: Number(hyper.updates),
        learningRate: Number(hyper.learningRate),
        gradientClip: Number(hyper.gradientClip),
        hiddenSize: Number(hyper.hiddenSize),
      }),
  },
};

function mamlRegression(secondOrder: boolean, hyper: Hyperparameters, seed: number): RegressionMethod {
  return new RegressionMaml({
    secondOrder,
    seed,
    innerSteps: Number(hyper.innerSteps),
    innerLearningRate: Number(hyper.innerLearningRate),
    learningRate: Number(hyper.learningRate),
  });
}

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
