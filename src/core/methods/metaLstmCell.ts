// The coordinate-wise LSTM meta-learner of Ravi & Larochelle (2017, "Optimization as a Model for
// Few-Shot Learning") as pure functions of named tensors: the input preprocessing, the weights and
// their initialisation, and one update step. Every learner parameter is one "coordinate"; all
// coordinates share the same small weights and are processed as one batch.
//
// One step, per coordinate, given the learner's gradient g_t and loss L_t at parameters c_{t-1}:
//   x_t          = (preprocess(L_t), preprocess(g_t))                     4 inputs
//   h_t, m_t     = LSTM(x_t, h_{t-1}, m_{t-1})                            first layer, `hidden` units
//   f_t          = sigmoid(W_f [h_t, c_{t-1}, f_{t-1}] + b_f)             forget gate
//   i_t          = sigmoid(W_i [h_t, c_{t-1}, i_{t-1}] + b_i)             input gate ("learning rate")
//   c_t          = f_t * c_{t-1} - i_t * g_t                              the learner's next parameters
// so with f = 1 and i = alpha a step is plain SGD. As in the authors' code
// (twitter-research/meta-learning-lstm, model/lstm/lstm-helper.lua), f_{t-1} and i_{t-1} enter the
// gates as their pre-activations (the values before the sigmoid), starting from 0.
//
// Layout, chosen for speed on wasm: coordinates run along the LAST axis (the learner's parameters
// are a row [1, n], the LSTM state is [hidden, n]), so that stacking features copies contiguous
// rows and each gate is one matrix product [h, 5 + h] x [5 + h, n] with weights rearranged once
// per run (deriveStepWeights) rather than sliced again at every step.
import * as tf from '@tensorflow/tfjs';
import type { NamedTensors } from '../nn/params';
import type { Rng } from '../rng';

/** The preprocessing constant p (Andrychowicz et al. 2016; Ravi & Larochelle use p = 10). */
export const PREPROCESS_P = 10;

/**
 * Features fed to the first LSTM layer: the preprocessed loss (2, the same for every coordinate),
 * then the coordinate's preprocessed gradient (2). The LSTM kernel's rows follow this order, then
 * the hidden state.
 */
export const META_INPUT_FEATURES = 4;

/** Weight names of the meta-learner. */
export const LSTM_KERNEL = 'lstm/kernel';
export const LSTM_BIAS = 'lstm/bias';
export const FORGET_KERNEL = 'cell/forget/kernel';
export const FORGET_BIAS = 'cell/forget/bias';
export const INPUT_KERNEL = 'cell/input/kernel';
export const INPUT_BIAS = 'cell/input/bias';

/**
 * Everything one step carries to the next, one column per learner coordinate. A type alias (not
 * an interface) so that tf.tidy accepts it as a tensor container.
 */
export type MetaLearnerState = {
  /** First LSTM layer's output h and memory cell m: [hidden, n]. */
  hidden: tf.Tensor2D;
  memory: tf.Tensor2D;
  /** The learner's parameters, i.e. the meta-learner's cell state c: [1, n]. */
  parameters: tf.Tensor2D;
  /** Pre-activations of the last forget and input gates: [1, n]. */
  forgetLogit: tf.Tensor2D;
  inputLogit: tf.Tensor2D;
};

export const STATE_KEYS = ['hidden', 'memory', 'parameters', 'forgetLogit', 'inputLogit'] as const;
export type StateKey = (typeof STATE_KEYS)[number];

/**
 * The preprocessing of Andrychowicz et al. (2016) used by the paper, for each entry x:
 * (log(|x|) / p, sign(x)) if |x| >= e^-p, else (-1, e^p * x). Input of any shape; output [2, size]
 * (row 0 the first feature, row 1 the second). It puts gradients and losses of very different
 * magnitudes on one scale while keeping the sign.
 */
export function preprocess(x: tf.Tensor, p = PREPROCESS_P): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(x, [1, -1]);
    const magnitude = tf.abs(flat);
    const large = tf.greaterEqual(magnitude, Math.exp(-p));
    // log(0) = -Infinity appears only in the branch that tf.where does not select.
    const logMagnitude = tf.where(large, tf.div(tf.log(magnitude), p), tf.fill(flat.shape, -1));
    const signOrScaled = tf.where(large, tf.sign(flat), tf.mul(flat, Math.exp(p)));
    return tf.concat([logMagnitude, signOrScaled], 0) as tf.Tensor2D;
  });
}

/**
 * The meta-learner's per-coordinate input rows for one step, [5, n]: a row of ones (for the
 * biases), the preprocessed loss (2 rows, the same value in every column) and the preprocessed
 * gradient (2 rows).
 */
export function metaLearnerInputs(gradient: tf.Tensor2D, loss: tf.Scalar, p = PREPROCESS_P): tf.Tensor2D {
  return tf.tidy(() => {
    const n = gradient.size;
    const lossRows = tf.mul(preprocess(loss, p), tf.ones([1, n])); // [2, 1] -> [2, n]
    return tf.concat([tf.ones([1, n]), lossRows, preprocess(gradient, p)], 0) as tf.Tensor2D;
  });
}

/** Rows of metaLearnerInputs. */
export const INPUT_ROWS = 1 + META_INPUT_FEATURES;

/**
 * Fresh meta-learner weights, as the authors initialise them: every weight uniform in
 * [-0.01, 0.01], then the forget-gate bias in [4, 5] (f starts near 1: parameters are kept) and the
 * input-gate bias in [-5, -4] (i starts near 0.01: small gradient steps), so that the learner starts
 * out close to plain gradient descent. Shapes as in the paper's notation:
 * - lstm/kernel [4 + hidden, 4 * hidden]: rows loss (2), gradient (2), hidden state; column blocks
 *   for the input, forget, candidate and output gates; lstm/bias [4 * hidden];
 * - cell/forget/kernel and cell/input/kernel [hidden + 2, 1]: rows h_t, c_{t-1}, previous gate;
 *   cell/forget/bias and cell/input/bias [1].
 */
export function initMetaLearner(hiddenSize: number, rng: Rng): NamedTensors {
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1) {
    throw new Error(`The meta-learner's hidden size must be a whole number of at least 1, got ${hiddenSize}.`);
  }
  const uniform = (shape: number[], low: number, high: number): tf.Tensor => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = rng.uniform(low, high);
    return tf.tensor(values, shape, 'float32');
  };
  return {
    [LSTM_KERNEL]: uniform([META_INPUT_FEATURES + hiddenSize, 4 * hiddenSize], -0.01, 0.01),
    [LSTM_BIAS]: uniform([4 * hiddenSize], -0.01, 0.01),
    [FORGET_KERNEL]: uniform([hiddenSize + 2, 1], -0.01, 0.01),
    [FORGET_BIAS]: uniform([1], 4, 5),
    [INPUT_KERNEL]: uniform([hiddenSize + 2, 1], -0.01, 0.01),
    [INPUT_BIAS]: uniform([1], -5, -4),
  };
}

/** The hidden size the weights were made for. */
export function hiddenSizeOf(meta: NamedTensors): number {
  const kernel = meta[LSTM_KERNEL];
  if (!kernel || kernel.rank !== 2) throw new Error(`Meta-learner weights need a 2-D "${LSTM_KERNEL}".`);
  return kernel.shape[1]! / 4;
}

/** The state before the first update: the learner at `parameters` [1, n], everything else 0. */
export function initialState(parameters: tf.Tensor2D, hiddenSize: number): MetaLearnerState {
  const n = parameters.shape[1];
  return {
    hidden: tf.zeros([hiddenSize, n]),
    memory: tf.zeros([hiddenSize, n]),
    parameters,
    forgetLogit: tf.zeros([1, n]),
    inputLogit: tf.zeros([1, n]),
  };
}

/** The meta-learner's cell update: c_t = f_t * c_{t-1} - i_t * grad_t (elementwise). */
export function cellUpdate(forget: tf.Tensor, previous: tf.Tensor, input: tf.Tensor, gradient: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(forget, previous), tf.mul(input, gradient));
}

/**
 * a [m, k] x b [k, p] with a gradient built from plain matrix products of explicitly transposed
 * operands. tfjs's own MatMul gradient uses the transposeA / transposeB flags, which the wasm
 * backend runs several times slower than a transpose followed by a plain product (measured with
 * 28k coordinates: about 90 ms against 11 ms). First derivatives only.
 */
export const matMulFast = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, y] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(y)), tf.matMul(tf.transpose(x), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** Names of the step weights that deriveStepWeights makes from the meta-learner's weights. */
export const STEP_WEIGHT_NAMES = ['gate/input', 'gate/forget', 'gate/candidate', 'gate/output', 'cell/forget', 'cell/input'] as const;

/**
 * The meta-learner's weights rearranged for one step (the same for every step, so made once per
 * run and differentiated through once; tests/unit/metalstm.test.ts checks the chain):
 * - per LSTM gate a matrix [h, 5 + h] acting on [1; loss (2); gradient (2); h_{t-1}]:
 *   the bias, then the transposed column block of the kernel (gates: input, forget, candidate, output);
 * - per meta-cell gate a row [1, h + 4] acting on [1; h_t; c_{t-1}; f_{t-1}; i_{t-1}]: the forget
 *   gate sees f_{t-1}, the input gate i_{t-1}.
 */
export function deriveStepWeights(meta: NamedTensors): NamedTensors {
  const h = hiddenSizeOf(meta);
  const kernel = meta[LSTM_KERNEL];
  const bias = meta[LSTM_BIAS];
  const out: NamedTensors = {};
  for (let g = 0; g < 4; g++) {
    const columns = tf.slice(kernel, [0, g * h], [META_INPUT_FEATURES + h, h]);
    out[STEP_WEIGHT_NAMES[g]] = tf.concat([tf.reshape(tf.slice(bias, [g * h], [h]), [h, 1]), tf.transpose(columns)], 1);
  }
  const cellRow = (k: tf.Tensor, b: tf.Tensor, forget: boolean): tf.Tensor => {
    const row = tf.reshape(k, [1, h + 2]);
    const hiddenAndParameters = tf.slice(row, [0, 0], [1, h + 1]);
    const previous = tf.slice(row, [0, h + 1], [1, 1]);
    const zero = tf.zeros([1, 1]);
    return tf.concat([tf.reshape(b, [1, 1]), hiddenAndParameters, forget ? previous : zero, forget ? zero : previous], 1);
  };
  out['cell/forget'] = cellRow(meta[FORGET_KERNEL], meta[FORGET_BIAS], true);
  out['cell/input'] = cellRow(meta[INPUT_KERNEL], meta[INPUT_BIAS], false);
  return out;
}

/** tanh(x) = 2 sigmoid(2x) - 1: on wasm tfjs's Tanh runs about ten times slower than Sigmoid. */
function tanhViaSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}

/**
 * One update of every coordinate, given the step weights (deriveStepWeights), the step's input
 * rows [5, n] (metaLearnerInputs) and the raw gradient [1, n]. Differentiable with respect to the
 * step weights and the previous state; the caller decides whether `inputs` and `gradient` are
 * constants (they are, in meta-training: see metalstm.ts).
 *
 * Each gate is its own product with the stacked rows rather than one product split four ways:
 * tfjs's wasm Slice copies its whole input before taking the part, so splitting [4h, n] would
 * cost four full copies.
 */
export function metaLearnerStep(
  weights: NamedTensors,
  state: MetaLearnerState,
  inputs: tf.Tensor2D,
  gradient: tf.Tensor2D,
): MetaLearnerState {
  const n = state.hidden.shape[1];
  const rows = tf.concat([inputs, state.hidden], 0) as tf.Tensor2D; // [5 + h, n]
  const gate = (g: number) => matMulFast(weights[STEP_WEIGHT_NAMES[g]] as tf.Tensor2D, rows); // [h, n]
  const memory = tf.add(tf.mul(tf.sigmoid(gate(1)), state.memory), tf.mul(tf.sigmoid(gate(0)), tanhViaSigmoid(gate(2)))) as tf.Tensor2D;
  const hidden = tf.mul(tf.sigmoid(gate(3)), tanhViaSigmoid(memory)) as tf.Tensor2D;
  const cellRows = tf.concat([tf.ones([1, n]), hidden, state.parameters, state.forgetLogit, state.inputLogit], 0) as tf.Tensor2D;
  const forgetLogit = matMulFast(weights['cell/forget'] as tf.Tensor2D, cellRows); // [1, n]
  const inputLogit = matMulFast(weights['cell/input'] as tf.Tensor2D, cellRows);
  const parameters = cellUpdate(tf.sigmoid(forgetLogit), state.parameters, tf.sigmoid(inputLogit), gradient) as tf.Tensor2D;
  return { hidden, memory, parameters, forgetLogit, inputLogit };
}

export function disposeState(state: MetaLearnerState, keepParameters = false): void {
  for (const key of STATE_KEYS) if (!(keepParameters && key === 'parameters')) state[key].dispose();
}
