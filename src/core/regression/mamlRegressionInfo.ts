// MAML and first-order MAML on sine waves as the page and the CLI describe them, without
// TensorFlow.js: settings, defaults, hints and what the "About" panel says on sine waves (the rest
// of its text is the image method's). The implementation and the two specs are in mamlRegression.ts.
import { FOMAML_INFO, MAML_INFO } from '../methods/mamlInfo';
import type { HyperparameterInfo } from '../methods/methodInfo';
import { META_LEARNING_RATE, type RegressionMethodInfo } from './regressionMethodInfo';

export type RegressionMamlHyperparameters = {
  /** SGD steps per task in meta-training (paper: 1). */
  innerSteps: number;
  /** alpha, the inner SGD step size in training and at test (paper: 0.01). */
  innerLearningRate: number;
  /** Adam step size on the meta-parameters (paper: 0.001). */
  learningRate: number;
};

/** The paper's sine settings: one inner step of 0.01, Adam 0.001 (meta-batch 25: the spec's). */
export const REGRESSION_MAML_DEFAULTS: RegressionMamlHyperparameters = {
  innerSteps: 1,
  innerLearningRate: 0.01,
  learningRate: 1e-3,
};

const HYPERPARAMETERS: Record<keyof RegressionMamlHyperparameters, HyperparameterInfo> = {
  innerSteps: { label: 'Inner steps', hint: 'SGD steps on the support points per task in meta-training (paper: 1).', min: 0, max: 50 },
  innerLearningRate: { label: 'Inner learning rate (α)', hint: 'Step size alpha of the inner SGD steps, in training and at test (paper: 0.01).', min: 0, max: 10 },
  learningRate: { ...META_LEARNING_RATE, label: 'Outer learning rate (β)' },
};

export const REGRESSION_MAML_INFO: RegressionMethodInfo<RegressionMamlHyperparameters> = {
  name: 'maml',
  title: 'MAML',
  paper: 'Finn, Abbeel & Levine 2017',
  defaults: { ...REGRESSION_MAML_DEFAULTS },
  metaBatch: 25,
  hyperparameters: HYPERPARAMETERS,
  explanation: {
    ...MAML_INFO.explanation,
    regression:
      "On sine waves (the paper's toy problem): an MLP 1-40-40-1 meta-trained with one inner SGD step of α = 0.01 on K points per task, 25 tasks per meta-step. " +
      'After one step on 5 or 10 points it fits a new wave, where a network pre-trained on all tasks does not.',
  },
};

export const REGRESSION_FOMAML_INFO: RegressionMethodInfo<RegressionMamlHyperparameters> = {
  name: 'fomaml',
  title: 'First-order MAML',
  paper: 'Finn, Abbeel & Levine 2017',
  defaults: { ...REGRESSION_MAML_DEFAULTS },
  metaBatch: 25,
  hyperparameters: HYPERPARAMETERS,
  explanation: {
    ...FOMAML_INFO.explanation,
    regression:
      'On sine waves: the same MLP and inner step as MAML, with the first-order meta-gradient. Train both on the same seed to see what the dropped term costs here.',
  },
};
