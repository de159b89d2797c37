// The sine-wave regression family: the task generator, MAML's batched meta-gradient on the MLP
// (against the per-task one and against finite differences), that MAML, the fine-tuning baseline
// and the LSTM meta-learner learn, fitting after chosen step counts, and divergence handling
// (a NaN or an exploded loss stops the run, names the learning rate, restores the last good state).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { mamlMetaGradient } from '../../src/core/methods/mamlMetaGradient';
import { initMlp, mlpForward, SINE_MLP_SIZES, tileParameters } from '../../src/core/nn/mlp';
import { disposeTensors, saveTensors, type NamedTensors, type SavedTensors } from '../../src/core/nn/params';
import { evaluateRegression } from '../../src/core/regression/evaluateRegression';
import { RegressionFineTune } from '../../src/core/regression/finetuneRegression';
import { RegressionMaml } from '../../src/core/regression/mamlRegression';
import { RegressionMetaLstm } from '../../src/core/regression/metalstmRegression';
import { REGRESSION_FINETUNE_DEFAULTS, REGRESSION_MAML_DEFAULTS, REGRESSION_METALSTM_DEFAULTS } from '../../src/core/regression/catalog';
import { createRegressionMethod, getRegressionMethodSpec } from '../../src/core/regression/registry';
import { disposePoints, pointTensors, regressionAdaptationTask, stackedPointTensors } from '../../src/core/regression/regressionLearner';
import { outputsAfterSteps } from '../../src/core/regression/regressionMethod';
import { sineValue, sinusoidGrid, sinusoidTaskAt, SINUSOID } from '../../src/core/regression/sinusoid';
import { trainRegression } from '../../src/core/regression/trainRegression';
import { Rng } from '../../src/core/rng';
import { pairedDifference } from '../../src/core/train/stats';

beforeAll(async () => {
  await initBackend('wasm');
});

const settings = { shot: 10, query: 10 };

describe('sine-wave tasks', () => {
  it('draws amplitude, phase and points from the paper\'s ranges, y = A sin(x - phase)', () => {
    for (let i = 0; i < 50; i++) {
      const t = sinusoidTaskAt({ shot: 5, query: 7 }, 3, i);
      expect(t.amplitude).toBeGreaterThanOrEqual(SINUSOID.amplitude[0]);
      expect(t.amplitude).toBeLessThanOrEqual(SINUSOID.amplitude[1]);
      expect(t.phase).toBeGreaterThanOrEqual(0);
      expect(t.phase).toBeLessThanOrEqual(Math.PI);
      expect(t.support.count).toBe(5);
      expect(t.query.count).toBe(7);
      for (const p of [t.support, t.query]) {
        p.x.forEach((x, j) => {
          expect(Math.abs(x)).toBeLessThanOrEqual(5);
          expect(p.y[j]).toBeCloseTo(sineValue(t.amplitude, t.phase, x), 5);
        });
      }
    }
  });

  it('depends only on (seed, index)', () => {
    expect(sinusoidTaskAt(settings, 1, 4)).toEqual(sinusoidTaskAt(settings, 1, 4));
    expect(sinusoidTaskAt(settings, 1, 4).amplitude).not.toBe(sinusoidTaskAt(settings, 1, 5).amplitude);
    expect(sinusoidTaskAt(settings, 1, 4).amplitude).not.toBe(sinusoidTaskAt(settings, 2, 4).amplitude);
  });

  it('refuses impossible settings with a message', () => {
    expect(() => sinusoidTaskAt({ shot: 0, query: 10 }, 1, 0)).toThrow(/Support points per task \(K\) must be a whole number of at least 1/);
    expect(sinusoidGrid(3)).toEqual(new Float32Array([-5, 0, 5]));
  });
});

describe('MAML meta-gradient on the sine MLP', () => {
  const objective = { innerSteps: 2, innerLearningRate: 0.05 };
  const tasks = [0, 1, 2].map((i) => sinusoidTaskAt({ shot: 5, query: 6 }, 9, i));

  function batched(params: NamedTensors, secondOrder: boolean) {
    const support = stackedPointTensors(tasks.map((t) => t.support));
    const query = stackedPointTensors(tasks.map((t) => t.query));
    const tiled = tileParameters(params, tasks.length);
    const r = mamlMetaGradient(tiled, regressionAdaptationTask(support, query, tasks.length), { ...objective, secondOrder });
    const grads: NamedTensors = {};
    for (const [n, g] of Object.entries(r.grads)) grads[n] = tf.reshape(tf.sum(g, 0), params[n].shape);
    const loss = r.loss.dataSync()[0];
    tf.dispose([r.loss, r.hits, ...Object.values(r.grads)]);
    disposeTensors(tiled);
    disposePoints(support);
    disposePoints(query);
    return { loss, grads };
  }

  /** Mean over the tasks of the per-task loss and meta-gradient, one task at a time. */
  function perTask(params: NamedTensors, secondOrder: boolean) {
    let loss = 0;
    const sums: Record<string, Float32Array> = {};
    for (const t of tasks) {
      const support = pointTensors(t.support);
      const query = pointTensors(t.query);
      const r = mamlMetaGradient(params, regressionAdaptationTask(support, query), { ...objective, secondOrder });
      loss += r.loss.dataSync()[0] / tasks.length;
      for (const [n, g] of Object.entries(r.grads)) {
        const v = g.dataSync();
        sums[n] ??= new Float32Array(v.length);
        v.forEach((x, i) => (sums[n][i] += x / tasks.length));
      }
      tf.dispose([r.loss, r.hits, ...Object.values(r.grads)]);
      disposePoints(support);
      disposePoints(query);
    }
    return { loss, sums };
  }

  it('batching the tasks as tiled copies gives the per-task mean exactly (second and first order)', () => {
    const params = initMlp(SINE_MLP_SIZES, new Rng(4));
    for (const secondOrder of [true, false]) {
      const b = batched(params, secondOrder);
      const p = perTask(params, secondOrder);
      expect(b.loss).toBeCloseTo(p.loss, 5);
      for (const n of Object.keys(params)) {
        const got = b.grads[n].dataSync();
        const scale = Math.max(...Array.from(p.sums[n]).map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        p.sums[n].forEach((x, i) => expect(Math.abs(got[i] - x)).toBeLessThan(1e-4 * scale + 1e-7));
      }
      disposeTensors(b.grads);
    }
    disposeTensors(params);
  });

  it('second order matches central finite differences along random directions; first order does not', () => {
    const params = initMlp(SINE_MLP_SIZES, new Rng(5));
    const names = Object.keys(params);
    const exact = batched(params, true).grads;
    const first = batched(params, false).grads;
    const rng = new Rng(6);
    // Small steps: a ReLU crossing zero inside [-h, h] (seen at 1e-2 with 2 inner steps) makes the
    // loss non-smooth there and the difference quotient meaningless.
    const h = 1e-3;
    let worstExact = 0;
    let worstFirst = 0;
    for (let d = 0; d < 4; d++) {
      const direction: NamedTensors = {};
      // A unit-norm direction: small enough that no ReLU changes side over the step.
      const raw = names.map((n) => Array.from({ length: params[n].size }, () => rng.normal()));
      const norm = Math.sqrt(raw.flat().reduce((s, v) => s + v * v, 0));
      names.forEach((n, i) => (direction[n] = tf.tensor(raw[i].map((v) => v / norm), params[n].shape)));
      const shifted = (sign: number) => {
        const p: NamedTensors = {};
        for (const n of names) p[n] = tf.add(params[n], tf.mul(direction[n], sign * h));
        const { loss, grads } = batched(p, true);
        disposeTensors(grads);
        disposeTensors(p);
        return loss;
      };
      // float32 losses of about 5: the quotient is good to about 2e-4 absolute at this step.
      const numeric = (shifted(1) - shifted(-1)) / (2 * h);
      const along = (g: NamedTensors) => names.reduce((s, n) => s + tf.sum(tf.mul(g[n], direction[n])).dataSync()[0], 0);
      worstExact = Math.max(worstExact, Math.abs(along(exact) - numeric) / Math.abs(numeric));
      worstFirst = Math.max(worstFirst, Math.abs(along(first) - numeric) / Math.abs(numeric));
      disposeTensors(direction);
    }
    expect(worstExact).toBeLessThan(0.02);
    expect(worstFirst).toBeGreaterThan(5 * worstExact);
    disposeTensors(exact);
    disposeTensors(first);
    disposeTensors(params);
  });
});

describe('methods on sine-wave regression', () => {
  const testSettings = { shot: 10, query: 50 };

  it('MAML learns to adapt: after 400 meta-steps its MSE after 1 step is far below the fine-tuning baseline\'s', async () => {
    const maml = createRegressionMethod('maml', {}, 1);
    const finetune = createRegressionMethod('finetune', {}, 1);
    const before = await evaluateRegression(maml, testSettings, { tasks: 100, seed: 5, steps: [1] });
    for (const method of [maml, finetune]) {
      const r = await trainRegression(method, { settings, steps: 400, tasksPerStep: 25, seed: 1 });
      expect(r.status).toBe('done');
    }
    const afterMaml = await evaluateRegression(maml, testSettings, { tasks: 100, seed: 5, steps: [1, 10] });
    const afterFinetune = await evaluateRegression(finetune, testSettings, { tasks: 100, seed: 5, steps: [1, 10] });
    const [m1, m10] = afterMaml.mse.map((m) => m.summary);
    const [f1] = afterFinetune.mse.map((m) => m.summary);
    console.log(`sine MSE after 400 steps: MAML 1 step ${m1.mean.toFixed(3)}, 10 steps ${m10.mean.toFixed(3)}; finetune 1 step ${f1.mean.toFixed(3)}; untrained ${before.mse[0].summary.mean.toFixed(3)}`);
    // Paired over identical tasks (the MSE varies with each task's amplitude far more than between methods).
    const gain = pairedDifference(before.mse[0].perTask, afterMaml.mse[0].perTask);
    const overFinetune = pairedDifference(afterFinetune.mse[0].perTask, afterMaml.mse[0].perTask);
    expect(gain.mean - gain.ci95).toBeGreaterThan(0);
    expect(overFinetune.mean - overFinetune.ci95).toBeGreaterThan(0);
    expect(m10.mean).toBeLessThan(m1.mean);
    maml.dispose();
    finetune.dispose();
  }, 120_000);

  it('the LSTM meta-learner lowers the MSE after its T updates', async () => {
    const method = new RegressionMetaLstm({ ...REGRESSION_METALSTM_DEFAULTS, updates: 3, learningRate: 3e-3, seed: 1 });
    const steps = [3];
    const before = await evaluateRegression(method, testSettings, { tasks: 60, seed: 5, steps });
    const r = await trainRegression(method, { settings, steps: 80, tasksPerStep: 2, seed: 1 });
    expect(r.status).toBe('done');
    const after = await evaluateRegression(method, testSettings, { tasks: 60, seed: 5, steps });
    console.log(`sine Meta-LSTM MSE after 3 updates: ${before.mse[0].summary.mean.toFixed(3)} -> ${after.mse[0].summary.mean.toFixed(3)}`);
    const gain = pairedDifference(before.mse[0].perTask, after.mse[0].perTask);
    expect(gain.mean - gain.ci95).toBeGreaterThan(0);
    method.dispose();
  }, 120_000);

  it('fits after exactly the step counts asked for, in their order, without leaking tensors', async () => {
    const task = sinusoidTaskAt(settings, 3, 0);
    const grid = sinusoidGrid(21);
    for (const name of ['maml', 'finetune', 'metalstm']) {
      const method = createRegressionMethod(name, {}, 2);
      const plain = tf.tidy(() => mlpForward(
        Object.fromEntries(Object.entries(method.stateTensors()).filter(([n]) => !n.includes('metaLearner/')).map(([n, t]) => [n.replace(/^(params|learner)\//, ''), t])),
        tf.tensor2d(grid, [21, 1]),
      ).dataSync());
      const tensors = tf.memory().numTensors;
      const [at3, at0, at1] = await outputsAfterSteps(method, task.support, grid, [3, 0, 1]);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(Array.from(at0)).toEqual(Array.from(plain)); // 0 steps: the model as it is
      expect(at1).not.toEqual(at0);
      expect(at3).not.toEqual(at1);
      const again = await outputsAfterSteps(method, task.support, grid, [1]);
      expect(again[0]).toEqual(at1); // fitting does not change the method
      await expect(outputsAfterSteps(method, task.support, grid, [-1])).rejects.toThrow(/whole numbers from 0 on/);
      method.dispose();
    }
  });
});

describe('divergence on regression', () => {
  it('a too large inner learning rate stops MAML with a message naming it, keeping the last good parameters', async () => {
    const method = new RegressionMaml({ ...REGRESSION_MAML_DEFAULTS, secondOrder: true, innerLearningRate: 1e6, seed: 1 });
    const initial = await saveTensors(method.stateTensors());
    const r = await trainRegression(method, { settings, steps: 20, tasksPerStep: 5, seed: 1 });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/Training diverged at step \d+: the loss (became|jumped to).*Lower the inner learning rate \(innerLearningRate, now 1000000\)/);
    expect(r.curve.length).toBe(r.stepsDone);
    const state = await saveTensors(method.stateTensors());
    expect(Object.keys(state)).toEqual(Object.keys(initial));
    for (const t of Object.values(state)) expect(t.values.every(Number.isFinite)).toBe(true);
    method.dispose();
  });

  it('an exploded (finite) loss stops the run and restores the parameters of the last healthy step', async () => {
    const method = new RegressionFineTune({ ...REGRESSION_FINETUNE_DEFAULTS, seed: 1 });
    const losses = [...Array(12).fill(4), 5e6, 3];
    const real = method.trainStep.bind(method);
    method.trainStep = async (tasks, step) => ({ ...(await real(tasks, step)), loss: losses[step] });
    const after: SavedTensors[] = [];
    const r = await trainRegression(method, {
      settings,
      steps: losses.length,
      tasksPerStep: 2,
      seed: 1,
      onStep: async () => void after.push(await saveTensors(method.stateTensors())),
    });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(
      /diverged at step 13: the loss rose to 5\.00e\+6, over 100 times the loss of predicting 0 everywhere \(4\.25\)\. Lower the pre-training learning rate \(learningRate, now 0\.001\)/,
    );
    expect(r.message).toMatch(/back to where they were after step 11/);
    expect(r.curve.map((p) => p.step)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(await saveTensors(method.stateTensors())).toEqual(after[10]); // after step 11
    method.dispose();
  });
});

describe('regression registry', () => {
  it('offers maml, fomaml, finetune and metalstm, and explains why not protonet', () => {
    for (const name of ['maml', 'fomaml', 'finetune', 'metalstm']) expect(getRegressionMethodSpec(name).name).toBe(name);
    expect(() => getRegressionMethodSpec('protonet')).toThrow(/Prototypical Networks classify; they have no regression form/);
    expect(() => createRegressionMethod('maml', { innerLearningRate: -1 }, 1)).toThrow(/innerLearningRate must be between 0 and 10/);
  });
});
