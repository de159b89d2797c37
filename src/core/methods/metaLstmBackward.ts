// The vector-Jacobian product of one meta-learner step (metaLstmCell.ts's metaLearnerStep) written
// out by hand, for the meta-gradient's step-by-step reverse pass (metaLstmUnroll.ts). It gives the
// same numbers, up to float32 rounding, as tf.grads of sum(next_k * adjoint_k) over metaLearnerStep
// (tests/unit/metaLstmBackward.test.ts checks that), but about twice as fast on wasm:
// - no gradient tape: only the four gates are recomputed (the rest of the step is read from the
//   state it produced, which the trace keeps) and only the products the chain needs are formed
//   (tf.grads recomputes the whole step, every sigmoid again inside its gradient, differentiates the
//   concatenations of the input rows, whose splits copy the whole [5 + h, n] block per part on
//   wasm, and forms the gradient of the constant input rows);
// - the input rows are transposed once per step for the four gates' weight gradients (the custom
//   matMul gradient transposes them once per gate);
// - the meta-cell gates' weight gradients are row sums of elementwise products (a [1, n] x [n, h + 4]
//   matrix product is slow on wasm), and their input gradients broadcasts rather than products.
// First derivatives only: the learner's gradient and the input rows are constants, as in
// meta-training (see metalstm.ts).
import * as tf from '@tensorflow/tfjs';
import type { NamedTensors } from '../nn/params';
import { META_INPUT_FEATURES, STEP_WEIGHT_NAMES, type MetaLearnerState, type StateKey } from './metaLstmCell';

/** Adjoints of a step's outputs; a missing key is zero (only `parameters` is given at the last step). */
export type StateAdjoint = Partial<Record<StateKey, tf.Tensor>>;

/** sigmoid'(x) from s = sigmoid(x): s * (1 - s), as the registered Sigmoid gradient forms it. */
function sigmoidSlope(s: tf.Tensor): tf.Tensor {
  return tf.mul(s, tf.sub(1, s));
}

/**
 * One step's reverse pass: given the step weights (deriveStepWeights), the states the step started
 * from and produced, its constant inputs and learner gradient, and the adjoints of its outputs, returns the
 * adjoints of the previous state (every key) and the gradients of the step weights, by name.
 * Runs outside any tape; the caller owns (and disposes) everything returned.
 */
export function metaLearnerStepBackward(
  weights: NamedTensors,
  previous: MetaLearnerState,
  next: MetaLearnerState,
  inputs: tf.Tensor2D,
  gradient: tf.Tensor2D,
  adjoint: StateAdjoint,
): { previousAdjoint: Record<StateKey, tf.Tensor>; weightGradients: NamedTensors } {
  return tf.tidy(() => {
    const h = previous.hidden.shape[0];
    const n = previous.hidden.shape[1];
    const [wInput, wForget, wCandidate, wOutput] = STEP_WEIGHT_NAMES.slice(0, 4).map((name) => weights[name] as tf.Tensor2D);
    const cellForget = weights['cell/forget'] as tf.Tensor2D; // [1, h + 4] on [1; h_t; c_{t-1}; f_{t-1}; i_{t-1}]
    const cellInput = weights['cell/input'] as tf.Tensor2D;

    // The gates again (the same ops as metaLearnerStep, so the same rounding); what the step
    // produced (memory, hidden state, gate pre-activations) is read from `next`.
    const rows = tf.concat([inputs, previous.hidden], 0) as tf.Tensor2D; // [5 + h, n]
    const sInput = tf.sigmoid(tf.matMul(wInput, rows));
    const sForget = tf.sigmoid(tf.matMul(wForget, rows));
    const sCandidate = tf.sigmoid(tf.mul(tf.matMul(wCandidate, rows), 2)); // tanh(a) = 2 sigmoid(2a) - 1
    const candidate = tf.sub(tf.mul(sCandidate, 2), 1);
    const sOutput = tf.sigmoid(tf.matMul(wOutput, rows));
    const sMemory = tf.sigmoid(tf.mul(next.memory, 2));
    const tanhMemory = tf.sub(tf.mul(sMemory, 2), 1);
    const cellRows = tf.concat([tf.ones([1, n]), next.hidden, previous.parameters, previous.forgetLogit, previous.inputLogit], 0);
    const gForget = tf.sigmoid(next.forgetLogit);
    const gInput = tf.sigmoid(next.inputLogit);

    // c_t = sigmoid(fl) * c_{t-1} - sigmoid(il) * grad_t.
    const dParameters = adjoint.parameters ?? tf.zeros([1, n]);
    const viaForget = tf.mul(tf.mul(dParameters, previous.parameters), sigmoidSlope(gForget));
    const dForgetLogit = adjoint.forgetLogit ? tf.add(adjoint.forgetLogit, viaForget) : viaForget;
    const viaInput = tf.neg(tf.mul(tf.mul(dParameters, gradient), sigmoidSlope(gInput)));
    const dInputLogit = adjoint.inputLogit ? tf.add(adjoint.inputLogit, viaInput) : viaInput;
    // fl = cellForget . cellRows, il = cellInput . cellRows: weight gradients as row sums.
    const cellForgetGradient = tf.reshape(tf.sum(tf.mul(cellRows, dForgetLogit), 1), [1, h + 4]);
    const cellInputGradient = tf.reshape(tf.sum(tf.mul(cellRows, dInputLogit), 1), [1, h + 4]);
    // ... and the rows' adjoints: row r gets cellForget[r] * dfl + cellInput[r] * dil.
    const column = (w: tf.Tensor2D, from: number, size: number) => tf.reshape(tf.slice(w, [0, from], [1, size]), [size, 1]);
    const rowAdjoint = (from: number, size: number) =>
      tf.add(tf.mul(column(cellForget, from, size), dForgetLogit), tf.mul(column(cellInput, from, size), dInputLogit));
    const viaCellHidden = rowAdjoint(1, h);
    const dHidden = adjoint.hidden ? tf.add(adjoint.hidden, viaCellHidden) : viaCellHidden;
    const dPreviousParameters = tf.add(tf.mul(dParameters, gForget), rowAdjoint(h + 1, 1));
    const dPreviousForgetLogit = rowAdjoint(h + 2, 1);
    const dPreviousInputLogit = rowAdjoint(h + 3, 1);

    // hidden = sigmoid(aO) * tanh(memory); memory = sigmoid(aF) * m_{t-1} + sigmoid(aI) * tanh(aC).
    const dOutputGate = tf.mul(tf.mul(dHidden, tanhMemory), sigmoidSlope(sOutput));
    const viaHidden = tf.mul(tf.mul(tf.mul(tf.mul(dHidden, sOutput), 2), sigmoidSlope(sMemory)), 2);
    const dMemory = adjoint.memory ? tf.add(adjoint.memory, viaHidden) : viaHidden;
    const dForgetGate = tf.mul(tf.mul(dMemory, previous.memory), sigmoidSlope(sForget));
    const dInputGate = tf.mul(tf.mul(dMemory, candidate), sigmoidSlope(sInput));
    const dCandidateGate = tf.mul(tf.mul(tf.mul(tf.mul(dMemory, sInput), 2), sigmoidSlope(sCandidate)), 2);
    const dPreviousMemory = tf.mul(dMemory, sForget);

    // a_g = W_g . rows: weight gradients dA_g . rows^T (rows transposed once: the wasm matMul is
    // several times slower with its transpose flags), and the hidden rows' adjoint sum_g W_g^T dA_g.
    const rowsT = tf.transpose(rows);
    const gateAdjoints = [dInputGate, dForgetGate, dCandidateGate, dOutputGate] as tf.Tensor2D[];
    const gateWeights = [wInput, wForget, wCandidate, wOutput];
    const weightGradients: NamedTensors = {};
    gateAdjoints.forEach((dA, g) => (weightGradients[STEP_WEIGHT_NAMES[g]] = tf.matMul(dA, rowsT)));
    weightGradients['cell/forget'] = cellForgetGradient;
    weightGradients['cell/input'] = cellInputGradient;
    const dPreviousHidden = tf.addN(
      gateAdjoints.map((dA, g) => tf.matMul(tf.transpose(tf.slice(gateWeights[g], [0, META_INPUT_FEATURES + 1], [h, h])), dA)),
    );
    return {
      previousAdjoint: {
        hidden: dPreviousHidden,
        memory: dPreviousMemory,
        parameters: dPreviousParameters,
        forgetLogit: dPreviousForgetLogit,
        inputLogit: dPreviousInputLogit,
      },
      weightGradients,
    };
  });
}
