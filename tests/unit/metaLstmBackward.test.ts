// The hand-written reverse pass of one meta-learner step (metaLstmBackward.ts) against tfjs's own
// tf.grads over metaLearnerStep: the same adjoints of the previous state and the same step-weight
// gradients, to float32 rounding, with every output's adjoint given and with only the parameters'
// (the last step of a run).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { metaLearnerStepBackward, type StateAdjoint } from '../../src/core/methods/metaLstmBackward';
import { deriveStepWeights, initMetaLearner, metaLearnerInputs, metaLearnerStep, STATE_KEYS, type MetaLearnerState } from '../../src/core/methods/metaLstmCell';
import type { NamedTensors } from '../../src/core/nn/params';
import { Rng } from '../../src/core/rng';

beforeAll(async () => {
  await initBackend('wasm');
});

function random(shape: number[], rng: Rng, scale: number): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = scale * rng.normal();
  return tf.tensor(values, shape);
}

/** Worst |a - b| over max |b|. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-30, tf.max(tf.abs(b)).dataSync()[0]));
}

describe('metaLearnerStepBackward', () => {
  const hidden = 6;
  const n = 37;

  function problem(seed: number) {
    const rng = new Rng(seed);
    const meta = initMetaLearner(hidden, rng);
    // Weights well away from the initial near-zero values, so every term is exercised.
    for (const name of Object.keys(meta)) {
      const moved = tf.add(meta[name], random(meta[name].shape, rng, 0.5));
      meta[name].dispose();
      meta[name] = moved;
    }
    const weights = deriveStepWeights(meta);
    const previous: MetaLearnerState = {
      hidden: random([hidden, n], rng, 0.5) as tf.Tensor2D,
      memory: random([hidden, n], rng, 1) as tf.Tensor2D,
      parameters: random([1, n], rng, 1) as tf.Tensor2D,
      forgetLogit: random([1, n], rng, 2) as tf.Tensor2D,
      inputLogit: random([1, n], rng, 2) as tf.Tensor2D,
    };
    const gradient = random([1, n], rng, 0.1) as tf.Tensor2D;
    const inputs = metaLearnerInputs(gradient, tf.scalar(1.7));
    const adjoint: Record<string, tf.Tensor> = {};
    for (const k of STATE_KEYS) adjoint[k] = random(previous[k].shape, rng, 1);
    return { weights, previous, gradient, inputs, adjoint };
  }

  for (const given of ['every output', 'the parameters only']) {
    it(`matches tf.grads over metaLearnerStep (adjoints of ${given})`, () => {
      const { weights, previous, gradient, inputs, adjoint } = problem(given.length);
      const keys = given === 'every output' ? [...STATE_KEYS] : (['parameters'] as const);
      const partial: StateAdjoint = {};
      for (const k of keys) partial[k] = adjoint[k];
      const names = Object.keys(weights);
      const reference = tf.grads((...values: tf.Tensor[]) => {
        const w: NamedTensors = {};
        names.forEach((name, i) => (w[name] = values[i]));
        const from = {} as MetaLearnerState;
        STATE_KEYS.forEach((k, i) => (from[k] = values[names.length + i] as tf.Tensor2D));
        const next = metaLearnerStep(w, from, inputs, gradient);
        return tf.addN(keys.map((k) => tf.sum(tf.mul(next[k], partial[k]!)))) as tf.Scalar;
      })([...names.map((name) => weights[name]), ...STATE_KEYS.map((k) => previous[k])]);
      const next = metaLearnerStep(weights, previous, inputs, gradient);
      const ours = metaLearnerStepBackward(weights, previous, next, inputs, gradient, partial);
      names.forEach((name, i) => {
        expect(ours.weightGradients[name].shape, name).toEqual(weights[name].shape);
        expect(relativeError(ours.weightGradients[name], reference[i]), name).toBeLessThan(1e-5);
      });
      STATE_KEYS.forEach((k, i) => {
        expect(ours.previousAdjoint[k].shape, k).toEqual(previous[k].shape);
        expect(relativeError(ours.previousAdjoint[k], reference[names.length + i]), k).toBeLessThan(1e-5);
      });
    });
  }

  it('leaves no tensors behind but what it returns', () => {
    const { weights, previous, gradient, inputs, adjoint } = problem(3);
    const next = metaLearnerStep(weights, previous, inputs, gradient);
    const before = tf.memory().numTensors;
    const ours = metaLearnerStepBackward(weights, previous, next, inputs, gradient, { parameters: adjoint.parameters });
    const returned = Object.keys(ours.previousAdjoint).length + Object.keys(ours.weightGradients).length;
    expect(tf.memory().numTensors - before).toBe(returned);
  });
});
