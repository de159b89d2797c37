// The Meta-LSTM (Ravi & Larochelle 2017) as the page and the CLI describe it, without
// TensorFlow.js: settings, defaults (and why they differ from the paper's), hints and teaching
// text. The implementation and its spec are in metalstm.ts.
import type { HyperparameterInfo, MethodInfo, QueryNormalisation } from './methodInfo';

export type MetaLstmHyperparameters = {
  /** T: meta-learner updates on the support set, in meta-training and at test (paper: 12 for 1-shot, 8 for 5-shot). */
  updates: number;
  /** Adam step size on the meta-learner's weights and theta_0 (paper: 1e-3). */
  learningRate: number;
  /** Largest global norm of the meta-gradient; larger ones are scaled down to it (paper: 0.25). 0 turns clipping off. */
  gradientClip: number;
  /** Units of the meta-learner's first LSTM layer (paper: 20). */
  hiddenSize: number;
  batchNormAtTest: QueryNormalisation;
};

/**
 * Defaults: the paper's settings (hidden size 20, clipping 0.25, Adam) except two, scaled to runs
 * of a few hundred meta-steps on a laptop rather than the paper's tens of thousands:
 * - T = 5 updates (the paper: 12 for 1-shot, 8 for 5-shot); time and memory per meta-step grow
 *   linearly with T;
 * - Adam's step size 3e-3 rather than 1e-3: on glyphs (28x28, 32 filters, 5-way 1-shot, T = 5,
 *   one episode of 15 queries per class per step, wasm) 300 meta-steps reached 0.825 +- 0.024
 *   held-out accuracy with 3e-3 and 0.740 +- 0.028 with 1e-3 (untrained: 0.297).
 */
export const METALSTM_DEFAULTS: MetaLstmHyperparameters = {
  updates: 5,
  learningRate: 3e-3,
  gradientClip: 0.25,
  hiddenSize: 20,
  batchNormAtTest: 'support',
};

export const METALSTM_HYPERPARAMETERS: Record<keyof MetaLstmHyperparameters, HyperparameterInfo> = {
  updates: {
    label: 'Meta-learner updates (T)',
    hint: 'T: meta-learner updates on the support set, in training and at test (paper: 12 for 1-shot, 8 for 5-shot). Time and memory grow with it.',
    min: 0,
    max: 100,
  },
  learningRate: {
    label: "Meta-learner's learning rate",
    hint: "Adam step size on the meta-learner's weights and the learner's initial parameters (paper: 0.001 over tens of thousands of steps; 0.003 suits runs of a few hundred).",
    min: 1e-6,
    max: 1,
  },
  gradientClip: { label: 'Gradient clipping norm', hint: 'Largest global norm of the meta-gradient; larger ones are scaled down (paper: 0.25; 0 turns clipping off).', min: 0 },
  hiddenSize: { label: 'LSTM hidden units', hint: "Units of the meta-learner's first LSTM layer, shared by every learner parameter (paper: 20).", min: 1, max: 256 },
  batchNormAtTest: {
    label: 'Batch norm for queries',
    hint: "Batch-norm statistics that normalise the queries, in training and at test: support (the support set's; non-transductive) or batch (the query batch's own; transductive).",
    choices: ['support', 'batch'],
    choiceLabels: { support: "Support set's statistics", batch: "Query batch's own (transductive)" },
  },
};

const title = 'Meta-LSTM';

export const METALSTM_INFO: MethodInfo<MetaLstmHyperparameters> = {
  name: 'metalstm',
  title,
  paper: 'Ravi & Larochelle 2017',
  // The paper's learner size; its defaults were tuned on it, and 64 filters cost four times as much.
  filters: 32,
  defaults: { ...METALSTM_DEFAULTS },
  hyperparameters: METALSTM_HYPERPARAMETERS,
  explanation: {
    title,
    learns: "An optimiser: an LSTM that turns the learner's gradients and loss into parameter updates (in effect per-parameter learning rates and forgetting), together with the learner's initial parameters θ_0.",
    update:
      'θ_t = f_t ⊙ θ_{t−1} − i_t ⊙ ∇_θ L_t,  with i_t = σ(W_i · [h_t, θ_{t−1}, i_{t−1}] + b_i),  f_t = σ(W_f · [h_t, θ_{t−1}, f_{t−1}] + b_f),  ' +
      'h_t = LSTM(preprocessed ∇_θ L_t and L_t)',
    updateSpoken:
      'theta t equals f t times theta t minus 1, element by element, minus i t times the gradient of the loss L t. ' +
      'The input gate i t and the forget gate f t are sigmoids of learned weights applied to an LSTM state h t computed from the gradient and the loss, the previous parameters and the previous gate. ' +
      'With f equal to 1 and i equal to a constant alpha this is plain SGD.',
    worksWellWhen:
      'When a learned update rule beats plain SGD for a small, fixed number of steps on a family of tasks. ' +
      "Caveat: it is costly (time and memory grow with the number of updates T) and sensitive to tuning; its published mini-ImageNet accuracy (43.4% 1-shot, 60.6% 5-shot) is below ProtoNet's and MAML's, and independent reproductions land a few points lower.",
    paper: {
      citation: 'Sachin Ravi and Hugo Larochelle. "Optimization as a Model for Few-Shot Learning." International Conference on Learning Representations (ICLR), 2017.',
      url: 'https://openreview.net/forum?id=rJY0-Kcll',
    },
    defaults:
      "The paper's hidden size 20, gradient clipping 0.25 and a Conv-4 learner with 32 filters, but T = 5 updates instead of 12 (1-shot) or 8 (5-shot) and Adam 0.003 instead of 0.001, for runs of a few hundred meta-steps " +
      '(on glyphs, 300 meta-steps reached 0.825 ± 0.024 with 0.003 and 0.740 ± 0.028 with 0.001). Time and memory per meta-step grow linearly with T.',
  },
};
