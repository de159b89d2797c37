// The LSTM meta-learner's machinery for any learner (Ravi & Larochelle 2017; see metalstm.ts for
// the method and the dropped second derivative): the learner's named parameters as one row of
// coordinates, T updates of the coordinate-wise LSTM unrolled on a support loss, and the
// meta-gradient taken back through them step by step. The learner enters only through an
// AdaptationTask, so the same code meta-learns a Conv-4 classifier and a sine-regression MLP.
import * as tf from '@tensorflow/tfjs';
import { disposeTensors, type NamedTensors } from '../nn/params';
import type { AdaptationTask, ParameterLoss } from './adaptationTask';
import { byName } from './innerLoop';
import { stepwiseAdaptation, type Adaptation } from './stepwise';
import {
  deriveStepWeights,
  disposeState,
  hiddenSizeOf,
  initialState,
  metaLearnerInputs,
  metaLearnerStep,
  STATE_KEYS,
  type MetaLearnerState,
} from './metaLstmCell';
import { metaLearnerStepBackward, type StateAdjoint } from './metaLstmBackward';

// ---------------------------------------------------------------------------------------------
// The learner's parameters as one row of coordinates.

/** Where each named learner parameter lives in the flat [1, n] row. */
export interface ParameterLayout {
  names: string[];
  shapes: number[][];
  sizes: number[];
  total: number;
}

export function layoutOf(params: NamedTensors): ParameterLayout {
  const names = Object.keys(params);
  const shapes = names.map((n) => params[n].shape.slice());
  const sizes = names.map((n) => params[n].size);
  return { names, shapes, sizes, total: sizes.reduce((a, b) => a + b, 0) };
}

/** Named parameters -> [1, n], in layout order. */
export function flattenParameters(params: NamedTensors, layout: ParameterLayout): tf.Tensor2D {
  return tf.concat(layout.names.map((n) => tf.reshape(params[n], [1, -1])), 1) as tf.Tensor2D;
}

/** [1, n] -> named parameters (differentiable: slices and reshapes). */
export function unflattenParameters(flat: tf.Tensor2D, layout: ParameterLayout): NamedTensors {
  const out: NamedTensors = {};
  let offset = 0;
  layout.names.forEach((name, i) => {
    out[name] = tf.reshape(tf.slice(flat, [0, offset], [1, layout.sizes[i]]), layout.shapes[i]);
    offset += layout.sizes[i];
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Unrolling the updates, and the meta-gradient through them.

/** What the meta-gradient needs from an unrolled run: states[0..T] and the data fed at each step. */
export interface UpdateTrace {
  states: MetaLearnerState[];
  /** Per step t = 0..T-1: the meta-learner's input rows [5, n] and the learner's gradient [1, n]. */
  inputs: tf.Tensor2D[];
  gradients: tf.Tensor2D[];
}

export function disposeTrace(trace: UpdateTrace): void {
  trace.states.forEach((s) => disposeState(s));
  tf.dispose([...trace.inputs, ...trace.gradients]);
}

/**
 * The support loss and its gradient at the flat parameters, from a separate, self-contained
 * tf.valueAndGrads call (by name, then flattened: differentiating through the slices of the flat
 * row would cost a padded copy of it per parameter tensor).
 */
export function supportGradient(
  parameters: tf.Tensor2D,
  layout: ParameterLayout,
  supportLoss: ParameterLoss,
): { loss: tf.Scalar; gradient: tf.Tensor2D } {
  return tf.tidy(() => {
    const named = unflattenParameters(parameters, layout);
    const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => supportLoss(byName(layout.names, values)))(
      layout.names.map((n) => named[n]),
    );
    return { loss: value as tf.Scalar, gradient: flattenParameters(byName(layout.names, grads), layout) };
  });
}

/**
 * One meta-learner update from `from` (kept): the next state, and the inputs and learner gradient it
 * was fed (the caller owns all three). `weights` are deriveStepWeights of the meta-learner.
 */
function updateOnce(
  weights: NamedTensors,
  from: MetaLearnerState,
  layout: ParameterLayout,
  supportLoss: ParameterLoss,
): { state: MetaLearnerState; inputs: tf.Tensor2D; gradient: tf.Tensor2D } {
  const { loss, gradient } = supportGradient(from.parameters, layout, supportLoss);
  const inputs = metaLearnerInputs(gradient, loss);
  loss.dispose();
  return { state: tf.tidy(() => metaLearnerStep(weights, from, inputs, gradient)), inputs, gradient };
}

/**
 * The learner's adaptation by the meta-learner `meta`, one update per step, from the flat
 * parameters `initial` [1, n] (copied); `predict` sees the learner's named parameters (its own
 * copies, disposed after). `disposeShared` releases what the support loss reads.
 */
export function metaLearnerAdaptation<Input>(options: {
  meta: NamedTensors;
  initial: tf.Tensor2D;
  layout: ParameterLayout;
  supportLoss: ParameterLoss;
  steps: number;
  predict: (params: NamedTensors, input: Input) => Promise<Float32Array>;
  disposeShared: () => void;
}): Adaptation<Input> {
  const { layout, supportLoss } = options;
  const weights = tf.tidy(() => deriveStepWeights(options.meta));
  return stepwiseAdaptation<MetaLearnerState, Input>({
    initial: initialState(tf.clone(options.initial), hiddenSizeOf(options.meta)),
    steps: options.steps,
    next: (from) => {
      const update = updateOnce(weights, from, layout, supportLoss);
      tf.dispose([update.inputs, update.gradient]);
      return update.state;
    },
    predict: async (state, input) => {
      const params = tf.tidy(() => unflattenParameters(state.parameters, layout));
      try {
        return await options.predict(params, input);
      } finally {
        disposeTensors(params);
      }
    },
    disposeState,
    disposeShared: () => {
      disposeTensors(weights);
      options.disposeShared();
    },
  });
}

/**
 * Runs T meta-learner updates from `initial` [1, n] (not taken over: the result holds copies).
 * Call it outside any gradient tape: each step's learner gradient and loss are computed as plain
 * values and passed to the meta-learner as data (the paper's dropped second derivative). With
 * `record`, every state and input is kept for backpropagateUpdates; otherwise only the final state.
 */
export function unrollUpdates(
  meta: NamedTensors,
  initial: tf.Tensor2D,
  layout: ParameterLayout,
  supportLoss: ParameterLoss,
  updates: number,
  record: boolean,
): { final: MetaLearnerState; trace: UpdateTrace | null } {
  let state = initialState(tf.clone(initial), hiddenSizeOf(meta));
  const trace: UpdateTrace | null = record ? { states: [state], inputs: [], gradients: [] } : null;
  const weights = tf.tidy(() => deriveStepWeights(meta));
  for (let t = 0; t < updates; t++) {
    const from = state;
    const update = updateOnce(weights, from, layout, supportLoss);
    state = update.state;
    if (trace) {
      trace.states.push(state);
      trace.inputs.push(update.inputs);
      trace.gradients.push(update.gradient);
    } else {
      disposeState(from);
      tf.dispose([update.inputs, update.gradient]);
    }
  }
  disposeTensors(weights);
  return { final: state, trace };
}

/**
 * Reverse-mode through the recorded updates, one step at a time: given d(loss)/d(c_T) [1, n],
 * returns the gradient with respect to the meta-learner's weights and to c_0 = theta_0 [1, n].
 * Each step's vector-Jacobian product is written out by hand (metaLstmBackward.ts: no tape, only
 * the gates recomputed); the recorded inputs and gradients are constants. Steps are
 * differentiated with respect to the step weights (deriveStepWeights), whose gradients are summed
 * over the steps and carried back to the meta-learner's weights once at the end.
 */
export function backpropagateUpdates(
  meta: NamedTensors,
  trace: UpdateTrace,
  finalAdjoint: tf.Tensor2D,
): { metaGradients: NamedTensors; initialGradient: tf.Tensor2D } {
  const metaNames = Object.keys(meta);
  const weights = tf.tidy(() => deriveStepWeights(meta));
  const names = Object.keys(weights);
  let adjoint: StateAdjoint = { parameters: tf.clone(finalAdjoint) };
  let weightGradients: NamedTensors | null = null;
  for (let t = trace.inputs.length - 1; t >= 0; t--) {
    const step = metaLearnerStepBackward(weights, trace.states[t], trace.states[t + 1], trace.inputs[t], trace.gradients[t], adjoint);
    tf.dispose(Object.values(adjoint) as tf.Tensor[]);
    adjoint = step.previousAdjoint;
    if (weightGradients === null) {
      weightGradients = step.weightGradients;
    } else {
      const sums: NamedTensors = {};
      for (const n of names) sums[n] = tf.add(weightGradients[n], step.weightGradients[n]);
      disposeTensors(weightGradients);
      disposeTensors(step.weightGradients);
      weightGradients = sums;
    }
  }
  const stepGradients = weightGradients ?? tf.tidy(() => byName(names, names.map((n) => tf.zerosLike(weights[n]))));
  // The chain through deriveStepWeights (slices, transposes and concatenations of the weights).
  const raw = tf.tidy(() =>
    tf.grads((...values: tf.Tensor[]) => {
      const derived = deriveStepWeights(byName(metaNames, values));
      return tf.addN(names.map((n) => tf.sum(tf.mul(derived[n], stepGradients[n])))) as tf.Scalar;
    })(metaNames.map((n) => meta[n])),
  );
  disposeTensors(stepGradients);
  disposeTensors(weights);
  const initialGradient = adjoint.parameters as tf.Tensor2D;
  for (const k of STATE_KEYS) if (k !== 'parameters') adjoint[k]?.dispose();
  return { metaGradients: byName(metaNames, raw), initialGradient };
}

/**
 * One task's meta-objective (the query objective after T updates), its hit count, and the
 * meta-gradient: by learner parameter name (for theta_0) and by meta-learner weight name. The
 * caller disposes everything returned.
 */
export function updatesMetaGradient(
  learner: NamedTensors,
  meta: NamedTensors,
  task: AdaptationTask,
  updates: number,
): { loss: tf.Scalar; hits: tf.Scalar; learnerGradients: NamedTensors; metaGradients: NamedTensors } {
  const layout = layoutOf(learner);
  const initial = tf.tidy(() => flattenParameters(learner, layout));
  const { final, trace } = unrollUpdates(meta, initial, layout, task.supportLoss, updates, true);
  initial.dispose();
  try {
    const kept: { hits?: tf.Scalar } = {};
    const finalNamed = tf.tidy(() => unflattenParameters(final.parameters, layout));
    const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
      const r = task.queryObjective(byName(layout.names, values));
      kept.hits = tf.keep(r.hits);
      return r.loss;
    })(layout.names.map((n) => finalNamed[n]));
    disposeTensors(finalNamed);
    const grad = tf.tidy(() => flattenParameters(byName(layout.names, grads), layout));
    tf.dispose(grads);
    const { metaGradients, initialGradient } = backpropagateUpdates(meta, trace!, grad);
    grad.dispose();
    const learnerGradients = tf.tidy(() => unflattenParameters(initialGradient, layout));
    initialGradient.dispose();
    return { loss: value as tf.Scalar, hits: kept.hits!, learnerGradients, metaGradients };
  } finally {
    disposeTrace(trace!);
  }
}
