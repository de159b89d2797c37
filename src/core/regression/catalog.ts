// The sine-wave regression methods as the UI and the CLI describe them, without TensorFlow.js:
// names, papers, defaults and each hyperparameter's hint and range (registry.ts adds `create`).
import type { HyperparameterInfo, MethodInfo } from '../methods/catalog';
import type { RegressionFineTuneConfig } from './finetuneRegression';
import type { RegressionMamlConfig } from './mamlRegression';
import type { RegressionMetaLstmConfig } from './metalstmRegression';

export interface RegressionMethodInfo extends MethodInfo {
  /** Tasks per training step when the user does not say (the paper: 25 for MAML). */
  metaBatch: number;
}

/** The paper's sine settings: one inner step of 0.01, Adam 0.001 (meta-batch 25: the spec's). */
export const REGRESSION_MAML_DEFAULTS: Omit<RegressionMamlConfig, 'secondOrder' | 'seed'> = {
  innerSteps: 1,
  innerLearningRate: 0.01,
  learningRate: 1e-3,
};

/** Adam 0.001 as for MAML; fine-tuning with MAML's alpha = 0.01, so both adapt alike at test. */
export const REGRESSION_FINETUNE_DEFAULTS: Omit<RegressionFineTuneConfig, 'seed'> = {
  learningRate: 1e-3,
  adaptLearningRate: 0.01,
};

/** The paper's LSTM sizes and clipping; T = 5 as for images; Adam 0.001 as for MAML on sines. */
export const REGRESSION_METALSTM_DEFAULTS: Omit<RegressionMetaLstmConfig, 'seed'> = {
  updates: 5,
  learningRate: 1e-3,
  gradientClip: 0.25,
  hiddenSize: 20,
};

const learningRate: HyperparameterInfo = { hint: 'Adam step size on the meta-parameters (paper: 0.001).', min: 1e-6, max: 1 };

function mamlInfo(secondOrder: boolean): RegressionMethodInfo {
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
  };
}

export const REGRESSION_CATALOG: Record<string, RegressionMethodInfo> = {
  maml: mamlInfo(true),
  fomaml: mamlInfo(false),
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
  },
};
