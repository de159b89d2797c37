// MAML's inner loop as a pure function: S plain SGD steps theta <- theta - alpha * grad L(theta)
// on a loss of named parameters, kept apart from the method wrapper (learn2learn style).
//
// Whether the result is differentiable wrt the starting parameters depends only on the caller:
// run under an outer tf.grads / tf.valueAndGrads (second-order MAML), every inner gradient is
// recorded on tfjs's tape and the outer gradient flows through it (this needs the gradients of
// nn/gradients registered); run outside any tape (first-order MAML, test-time adaptation), the
// inner gradients are plain values.
import * as tf from '@tensorflow/tfjs';
import { cloneTensors, disposeTensors, type NamedTensors } from '../nn/params';
import type { ParameterLoss } from './adaptationTask';

/** Gradient of `loss` at `params`, by name. */
export function gradientsAt(params: NamedTensors, loss: ParameterLoss): NamedTensors {
  const names = Object.keys(params);
  const grads = tf.grads((...values: tf.Tensor[]) => loss(byName(names, values)))(names.map((n) => params[n]));
  return byName(names, grads);
}

/**
 * Parameters after `steps` SGD steps of size `learningRate` from `initial` (not modified). Returns
 * new tensors the caller owns (copies when steps is 0). Intermediate parameters are disposed as
 * the loop goes, so the live tensor count does not grow with the number of steps (an outer tape
 * keeps its own copies of whatever it needs).
 */
export function adaptParameters(
  initial: NamedTensors,
  loss: ParameterLoss,
  steps: number,
  learningRate: number,
): NamedTensors {
  let current = initial;
  for (let s = 0; s < steps; s++) {
    const from = current;
    const next = tf.tidy(() => {
      const grads = gradientsAt(from, loss);
      const out: NamedTensors = {};
      for (const name of Object.keys(from)) out[name] = tf.sub(from[name], tf.mul(grads[name], learningRate));
      return out;
    });
    if (from !== initial) disposeTensors(from);
    current = next;
  }
  return current === initial ? cloneTensors(initial) : current;
}

/** Zips names with tensors into a NamedTensors map. */
export function byName(names: readonly string[], values: readonly tf.Tensor[]): NamedTensors {
  const out: NamedTensors = {};
  names.forEach((n, i) => (out[n] = values[i]));
  return out;
}
