// The LSTM meta-learner on sine waves as the page and the CLI describe it, without TensorFlow.js:
// settings, defaults, hints and what the "About" panel says on sine waves (the rest of its text is
// the image method's). The implementation and its spec are in metalstmRegression.ts.
import { METALSTM_INFO } from '../methods/metalstmInfo';
import { META_LEARNING_RATE, type RegressionMethodInfo } from './regressionMethodInfo';

export type RegressionMetaLstmHyperparameters = {
  /** T: meta-learner updates on the support points in meta-training. */
  updates: number;
  /** Adam step size on the meta-learner's weights and theta_0. */
  learningRate: number;
  /** Largest global norm of the meta-gradient (paper: 0.25; 0: no clipping). */
  gradientClip: number;
  /** Units of the meta-learner's LSTM (paper: 20). */
  hiddenSize: number;
};

/** The paper's LSTM sizes and clipping; T = 5 as for images; Adam 0.001 as for MAML on sines. */
export const REGRESSION_METALSTM_DEFAULTS: RegressionMetaLstmHyperparameters = {
  updates: 5,
  learningRate: 1e-3,
  gradientClip: 0.25,
  hiddenSize: 20,
};

export const REGRESSION_METALSTM_INFO: RegressionMethodInfo<RegressionMetaLstmHyperparameters> = {
  name: 'metalstm',
  title: 'LSTM meta-learner',
  paper: 'Ravi & Larochelle 2017',
  defaults: { ...REGRESSION_METALSTM_DEFAULTS },
  // Its tasks run one at a time (about 65 ms each with T = 5 on wasm), unlike MAML's batched ones.
  metaBatch: 5,
  hyperparameters: {
    updates: { label: 'Meta-learner updates (T)', hint: 'T: meta-learner updates on the support points in meta-training.', min: 0, max: 50 },
    learningRate: { ...META_LEARNING_RATE, label: "Meta-learner's learning rate" },
    gradientClip: { label: 'Gradient clipping norm', hint: 'Largest global norm of the meta-gradient (paper: 0.25; 0 turns clipping off).', min: 0 },
    hiddenSize: { label: 'LSTM hidden units', hint: "Units of the meta-learner's LSTM (paper: 20).", min: 1, max: 200 },
  },
  explanation: {
    ...METALSTM_INFO.explanation,
    regression:
      "On sine waves: the same meta-learner makes T = 5 updates to the MLP's parameters from the K points. The paper did not run this task; it is this playground's extension, for comparison with MAML.",
  },
};
