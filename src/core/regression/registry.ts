// The methods of the sine-wave regression family, looked up by the same names as their image
// counterparts (maml, fomaml, finetune, metalstm). Prototypical Networks classify by distance to
// class prototypes and have no regression form, so they are not here.
import type { HyperparameterInfo, Hyperparameters } from '../methods/registry';
import { resolveHyperparameters } from '../methods/registry';
import { REGRESSION_FINETUNE_DEFAULTS, RegressionFineTune } from './finetuneRegression';
import { REGRESSION_MAML_DEFAULTS, RegressionMaml } from './mamlRegression';
import { REGRESSION_METALSTM_DEFAULTS, RegressionMetaLstm } from './metalstmRegression';
import type { RegressionMethod } from './regressionMethod';

export interface RegressionMethodSpec {
  name: string;
  title: string;
  paper: string;
  defaults: Hyperparameters;
  /** Tasks per training step when the user does not say (the paper: 25 for MAML). */
  metaBatch: number;
  hyperparameters: Record<string, HyperparameterInfo>;
  create(hyper: Hyperparameters, seed: number): RegressionMethod;
}

const learningRate: HyperparameterInfo = { hint: 'Adam step size on the meta-parameters (paper: 0.001).', min: 1e-6, max: 1 };

function mamlSpec(secondOrder: boolean): RegressionMethodSpec {
  return {
    name: secondOrder ? 'maml' : 'fomaml',
    title: secondOrder ? 'MAML' : 'First-order MAML',
    paper: 'Finn, Abbeel & Levine 2017',
    defaults: { ...REGRESSION_MAML_DEFAULTS },
    metaBatch: 25,
    hyperparameters: {
      innerSteps: { hint: 'SGD steps on the support points per task in meta-training (paper: 1).', min: 0, max: 50 },
      innerLearningRate: { hint: 'Step size alpha of the inner SGD steps, in training and at test (paper: 0.01).', min: 0, max: 10 },
      learningRate,
    },
    create: (hyper, seed) =>
      new RegressionMaml({
        secondOrder,
        seed,
        innerSteps: Number(hyper.innerSteps),
        innerLearningRate: Number(hyper.innerLearningRate),
        learningRate: Number(hyper.learningRate),
      }),
  };
}

export const REGRESSION_METHODS: Record<string, RegressionMethodSpec> = {
  maml: mamlSpec(true),
  fomaml: mamlSpec(false),
  finetune: {
    name: 'finetune',
    title: 'Fine-tuning baseline (pre-trained on all tasks)',
    paper: 'Finn, Abbeel & Levine 2017 ("pretrained" baseline)',
    defaults: { ...REGRESSION_FINETUNE_DEFAULTS },
    metaBatch: 25,
    hyperparameters: {
      learningRate: { hint: 'Adam step size of the joint pre-training over all training tasks.', min: 1e-6, max: 1 },
      adaptLearningRate: { hint: 'SGD step size when fine-tuning on a task\'s support points (MAML\'s alpha: 0.01).', min: 0, max: 10 },
    },
    create: (hyper, seed) =>
      new RegressionFineTune({ seed, learningRate: Number(hyper.learningRate), adaptLearningRate: Number(hyper.adaptLearningRate) }),
  },
  metalstm: {
    name: 'metalstm',
    title: 'LSTM meta-learner',
    paper: 'Ravi & Larochelle 2017',
    defaults: { ...REGRESSION_METALSTM_DEFAULTS },
    // Its tasks run one at a time (about 65 ms each with T = 5 on wasm), unlike MAML's batched ones.
    metaBatch: 5,
    hyperparameters: {
      updates: { hint: 'T: meta-learner updates on the support points in meta-training.', min: 0, max: 50 },
      learningRate,
      gradientClip: { hint: 'Largest global norm of the meta-gradient (paper: 0.25; 0 turns clipping off).', min: 0 },
      hiddenSize: { hint: "Units of the meta-learner's LSTM (paper: 20).", min: 1, max: 200 },
    },
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

export function regressionMethodNames(): string[] {
  return Object.keys(REGRESSION_METHODS);
}

export function getRegressionMethodSpec(name: string): RegressionMethodSpec {
  const spec = REGRESSION_METHODS[name];
  if (!spec) {
    const why = name === 'protonet' ? ' Prototypical Networks classify; they have no regression form.' : '';
    throw new Error(`"${name}" cannot run sine-wave regression.${why} Regression methods: ${regressionMethodNames().join(', ')}.`);
  }
  return spec;
}

export function createRegressionMethod(name: string, hyper: Hyperparameters, seed: number): RegressionMethod {
  const spec = getRegressionMethodSpec(name);
  return spec.create(resolveHyperparameters(spec, hyper), seed);
}
