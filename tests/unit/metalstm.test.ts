// The LSTM meta-learner (Ravi & Larochelle 2017): the paper's input preprocessing, the cell update
// c_t = f_t * c_{t-1} - i_t * grad_t, that f = 1 and i = alpha give plain SGD, that the step-by-step
// meta-gradient equals the gradient of one tape over the unrolled updates, that meta-steps move
// theta_0 and the LSTM, learning on held-out glyphs, what the batch-norm modes mean for
// predictions, save/load, tensor hygiene, divergence, and the registry spec.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import type { Episode } from '../../src/core/episodes/episode';
import { episodeAt, type ClassPool } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import {
  cellUpdate,
  deriveStepWeights,
  FORGET_BIAS,
  FORGET_KERNEL,
  initialState,
  INPUT_BIAS,
  INPUT_KERNEL,
  LSTM_BIAS,
  LSTM_KERNEL,
  metaLearnerInputs,
  metaLearnerStep,
  preprocess,
} from '../../src/core/methods/metaLstmCell';
import {
  disposeEpisodeTensors,
  episodeMetaGradient,
  episodeTensors,
  MetaLstm,
  METALSTM_SPEC,
  queryLossAndHits,
  supportLoss,
  type MetaLstmConfig,
} from '../../src/core/methods/metalstm';
import { flattenParameters, layoutOf, unflattenParameters, unrollUpdates } from '../../src/core/methods/metaLstmUnroll';
import { resolveHyperparameters } from '../../src/core/methods/registry';
import { saveTensors, type NamedTensors, type SavedTensors } from '../../src/core/nn/params';
import { evaluate } from '../../src/core/train/evaluate';
import { train } from '../../src/core/train/train';
import { toyDataset } from './fixtures/toyDataset';
import { METALSTM_DEFAULTS } from '../../src/core/methods/catalog';
import { adaptFully } from '../../src/core/methods/stepwise';

beforeAll(async () => {
  await initBackend('wasm');
});

function smallMetaLstm(overrides: Partial<MetaLstmConfig> = {}): MetaLstm {
  return new MetaLstm({
    ...METALSTM_DEFAULTS,
    backbone: { inputShape: [16, 16, 1], filters: 8, blocks: 4 },
    updates: 3,
    hiddenSize: 6,
    seed: 1,
    ...overrides,
  });
}

const logit = (p: number) => Math.log(p / (1 - p));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** The method's saved state with some tensors replaced (hand-set gates). */
async function withWeights(method: MetaLstm, replace: Record<string, (shape: number[]) => Float32Array>): Promise<SavedTensors> {
  const saved = await saveTensors(method.stateTensors());
  for (const [name, make] of Object.entries(replace)) {
    expect(saved[name]).toBeDefined();
    saved[name] = { shape: saved[name].shape, values: make(saved[name].shape) };
  }
  return saved;
}
const filled = (value: number) => (shape: number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);

describe('meta-learner arithmetic', () => {
  it("preprocesses as the paper does: (log|x| / p, sign x) if |x| >= e^-p, else (-1, e^p x), p = 10", () => {
    const x = [1, -0.5, 1e-3, 250, -1e-6, 0, 3e-5];
    const [first, second] = preprocess(tf.tensor1d(x)).arraySync(); // [2, size]: one column per entry
    const expected = [
      [0, 1],
      [Math.log(0.5) / 10, -1],
      [Math.log(1e-3) / 10, 1],
      [Math.log(250) / 10, 1],
      [-1, -1e-6 * Math.exp(10)], // below e^-10 = 4.5e-5: the linear branch
      [-1, 0],
      [-1, 3e-5 * Math.exp(10)],
    ];
    expected.forEach(([a, b], i) => {
      expect(first[i]).toBeCloseTo(a, 5);
      expect(second[i]).toBeCloseTo(b, 5);
    });
    // A scalar (the loss) gives one column. The meta-learner's input rows per coordinate are
    // [1; loss features; gradient features].
    expect(preprocess(tf.scalar(2.5)).shape).toEqual([2, 1]);
    const rows = metaLearnerInputs(tf.tensor2d([[0.5, -1e-6]]), tf.scalar(2.5)).arraySync();
    const l = Math.log(2.5) / 10;
    const expectedRows = [[1, 1], [l, l], [1, 1], [Math.log(0.5) / 10, -1], [1, -1e-6 * Math.exp(10)]];
    expectedRows.forEach((row, r) => row.forEach((v, c) => expect(rows[r][c]).toBeCloseTo(v, 5)));
  });

  it('updates the cell as c_t = f * c_{t-1} - i * grad for hand-set gates', () => {
    expect(Array.from(cellUpdate(tf.tensor1d([1, 0.5]), tf.tensor1d([2, -4]), tf.tensor1d([0.1, 0.2]), tf.tensor1d([3, 1])).dataSync())).toEqual(
      [1 * 2 - 0.1 * 3, 0.5 * -4 - 0.2 * 1].map(Math.fround),
    );
    // Through the whole step: with the gate kernels' hidden-state rows at 0, the gates are
    // f = sigmoid(w_fc * c + b_f) and i = sigmoid(w_ic * c + b_i), whatever the LSTM layer does.
    const hidden = 3;
    const wfc = 0.7;
    const wic = -0.4;
    const bf = 1.5;
    const bi = -2;
    const gateKernel = (wc: number) => tf.tensor2d([...new Array(hidden).fill(0), wc, 0.3], [hidden + 2, 1]);
    const meta: NamedTensors = {
      [LSTM_KERNEL]: tf.randomNormal([4 + hidden, 4 * hidden], 0, 0.5, 'float32', 1),
      [LSTM_BIAS]: tf.zeros([4 * hidden]),
      [FORGET_KERNEL]: gateKernel(wfc),
      [FORGET_BIAS]: tf.tensor1d([bf]),
      [INPUT_KERNEL]: gateKernel(wic),
      [INPUT_BIAS]: tf.tensor1d([bi]),
    };
    const c = [0.5, -1.2, 2, 0];
    const g = [0.3, -0.8, 0.05, 1.5];
    const grad = tf.tensor2d(g, [1, 4]);
    const state = initialState(tf.tensor2d(c, [1, 4]), hidden);
    const next = metaLearnerStep(deriveStepWeights(meta), state, metaLearnerInputs(grad, tf.scalar(1.3)), grad);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    // The previous gate pre-activations start at 0, so their weight (0.3) does not enter yet.
    const expected = c.map((ci, k) => sigmoid(wfc * ci + bf) * ci - sigmoid(wic * ci + bi) * g[k]);
    expectClose(next.parameters.dataSync(), expected, 1e-6);
    expectClose(next.forgetLogit.dataSync(), c.map((ci) => wfc * ci + bf), 1e-6);
    expectClose(next.inputLogit.dataSync(), c.map((ci) => wic * ci + bi), 1e-6);
    // The next step sees the previous gates' pre-activations through their weight (0.3).
    const c1 = Array.from(next.parameters.dataSync());
    const f1 = Array.from(next.forgetLogit.dataSync());
    const i1 = Array.from(next.inputLogit.dataSync());
    const after = metaLearnerStep(deriveStepWeights(meta), next, metaLearnerInputs(grad, tf.scalar(0.7)), grad);
    const expected2 = c1.map((ci, k) => sigmoid(wfc * ci + 0.3 * f1[k] + bf) * ci - sigmoid(wic * ci + 0.3 * i1[k] + bi) * g[k]);
    expectClose(after.parameters.dataSync(), expected2, 1e-5);
  });
});

describe('the learner under the meta-learner', () => {
  const dataset = toyDataset(4, 5, 10, 16);
  const pool: ClassPool = { name: 'train', dataset, classIndices: dataset.classes.map((_, i) => i) };
  const settings = { way: 5, shot: 2, query: 3 };

  it('takes plain SGD steps c_t = c_{t-1} - alpha * grad when f = 1 and i = alpha', async () => {
    const alpha = 0.05;
    const method = smallMetaLstm({ updates: 3 });
    const episode = episodeAt(pool, settings, 1, 0);
    await method.trainStep([episode], 0); // makes the output layer and moves theta_0 away from its init
    // Gates independent of everything (zero kernels), f = sigmoid(30) = 1 in float32, i = alpha.
    method.loadState(
      await withWeights(method, {
        'metaLearner/cell/forget/kernel': filled(0),
        'metaLearner/cell/forget/bias': filled(30),
        'metaLearner/cell/input/kernel': filled(0),
        'metaLearner/cell/input/bias': filled(logit(alpha)),
      }),
    );
    const task = episodeTensors(episode);
    const learner = method.learnerParameters();
    const layout = layoutOf(learner);
    const { final } = unrollUpdates(method.metaLearnerWeights(), flattenParameters(learner, layout), layout, (p) => supportLoss(p, task), 3, false);
    const adapted = unflattenParameters(final.parameters, layout);
    // The same three SGD steps on the support loss, written out.
    let params: NamedTensors = { ...method.learnerParameters() };
    for (let s = 0; s < 3; s++) {
      const names = Object.keys(params);
      const grads = tf.grads((...v: tf.Tensor[]) => supportLoss(Object.fromEntries(names.map((n, i) => [n, v[i]])), task))(
        names.map((n) => params[n]),
      );
      params = Object.fromEntries(names.map((n, i) => [n, tf.sub(params[n], tf.mul(grads[i], alpha))]));
    }
    for (const name of Object.keys(params)) {
      const moved = tf.sub(params[name], method.learnerParameters()[name]).abs().max().dataSync()[0];
      expect(moved).toBeGreaterThan(1e-4); // the steps are not negligible
      expectClose(adapted[name].dataSync(), params[name].dataSync(), 2e-5);
    }
    disposeEpisodeTensors(task);
    method.dispose();
  });

  it("computes the meta-gradient step by step exactly as one tape over the unrolled updates (grad_t held constant)", async () => {
    const method = smallMetaLstm({ updates: 3 });
    const episode = episodeAt(pool, settings, 1, 0);
    await method.trainStep([episode], 0);
    const task = episodeTensors(episode);
    const learner = method.learnerParameters();
    const meta = method.metaLearnerWeights();
    const objective = { updates: 3, batchNormAtTest: 'support' as const };
    const ours = episodeMetaGradient(learner, meta, task, objective);
    // Reference: record the learner's gradients and inputs, then differentiate the whole
    // recurrence and the query loss in one tape, with those recordings as constants.
    const layout = layoutOf(learner);
    const initial = flattenParameters(learner, layout);
    const { trace } = unrollUpdates(meta, initial, layout, (p) => supportLoss(p, task), 3, true);
    const metaNames = Object.keys(meta);
    const learnerNames = layout.names;
    const reference = tf.valueAndGrads((...values: tf.Tensor[]) => {
      const m = Object.fromEntries(metaNames.map((n, i) => [n, values[i]]));
      const theta0 = Object.fromEntries(learnerNames.map((n, i) => [n, values[metaNames.length + i]]));
      let state = initialState(flattenParameters(theta0, layout), 6);
      const weights = deriveStepWeights(m);
      for (let t = 0; t < 3; t++) state = metaLearnerStep(weights, state, trace!.inputs[t], trace!.gradients[t]);
      return queryLossAndHits(unflattenParameters(state.parameters, layout), task, 'support').loss;
    })([...metaNames.map((n) => meta[n]), ...learnerNames.map((n) => learner[n])]);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 5);
    const compare = (mine: tf.Tensor, theirs: tf.Tensor) => {
      const scale = theirs.abs().max().dataSync()[0];
      expect(scale).toBeGreaterThan(0); // every weight gets a gradient
      expectClose(mine.dataSync(), theirs.dataSync(), 1e-4 * scale + 1e-8);
    };
    metaNames.forEach((n, i) => compare(ours.metaGradients[n], reference.grads[i]));
    learnerNames.forEach((n, i) => compare(ours.learnerGradients[n], reference.grads[metaNames.length + i]));
    disposeEpisodeTensors(task);
    method.dispose();
  });

  it('moves theta_0 and every meta-learner weight in one meta-step', async () => {
    const method = smallMetaLstm();
    const episode = episodeAt(pool, settings, 1, 0);
    await method.trainStep([episode], 0);
    const before = await saveTensors(method.stateTensors());
    const metrics = await method.trainStep([episodeAt(pool, settings, 1, 1), episodeAt(pool, settings, 1, 2)], 1);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    expect(metrics.learningRate).toBe(METALSTM_DEFAULTS.learningRate);
    const after = await saveTensors(method.stateTensors());
    for (const name of Object.keys(before)) {
      const change = before[name].values.reduce((m, v, i) => Math.max(m, Math.abs(v - after[name].values[i])), 0);
      expect(change, name).toBeGreaterThan(0);
    }
    expect(Object.keys(before).filter((n) => n.startsWith('metaLearner/'))).toHaveLength(6);
    expect(Object.keys(before)).toContain('learner/head/kernel');
    method.dispose();
  });
});

describe('Meta-LSTM on glyphs', () => {
  it('learns: 5-way 1-shot accuracy on held-out alphabets is far above chance and above the untrained model', async () => {
    const glyphs = generateGlyphs({ seed: 1, alphabets: 12, charactersPerAlphabet: 10, examplesPerCharacter: 10, size: 16 });
    const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
    const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
    const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
    const settings = { way: 5, shot: 1, query: 5 };
    const method = new MetaLstm({ ...METALSTM_DEFAULTS, backbone: { inputShape: [16, 16, 1], filters: 16, blocks: 4 }, seed: 1 });
    const untrained = await evaluate(method, testPool, settings, { episodes: 50, seed: 5 });
    const result = await train(method, { trainPool, trainSettings: { way: 5, shot: 1, query: 5 }, steps: 60, seed: 1 });
    expect(result.status).toBe('done');
    const trained = await evaluate(method, testPool, settings, { episodes: 50, seed: 5 });
    console.log(
      `Meta-LSTM glyphs 16x16 5-way 1-shot: untrained ${untrained.summary.mean.toFixed(3)} ± ${untrained.summary.ci95.toFixed(3)}, ` +
        `after 60 meta-steps ${trained.summary.mean.toFixed(3)} ± ${trained.summary.ci95.toFixed(3)} (${result.seconds.toFixed(1)} s)`,
    );
    expect(trained.summary.mean).toBeGreaterThan(0.45);
    expect(trained.summary.mean - trained.summary.ci95).toBeGreaterThan(untrained.summary.mean + untrained.summary.ci95);
    expect(trained.labels).toMatchObject({ batchNormAtTest: 'support', updates: METALSTM_DEFAULTS.updates });
    method.dispose();
  });
});

describe('Meta-LSTM state, memory and failures', () => {
  const dataset = toyDataset(4, 5, 10, 16);
  const pool: ClassPool = { name: 'train', dataset, classIndices: dataset.classes.map((_, i) => i) };
  const settings = { way: 5, shot: 1, query: 2 };

  it('keeps the tensor count flat over 30 meta-steps and 20 test episodes', async () => {
    const method = smallMetaLstm();
    await train(method, { trainPool: pool, trainSettings: settings, steps: 1, seed: 1 });
    const after1 = tf.memory().numTensors;
    await train(method, { trainPool: pool, trainSettings: settings, steps: 31, startStep: 1, episodesPerStep: 2, seed: 1 });
    await evaluate(method, pool, settings, { episodes: 20, seed: 2 });
    expect(tf.memory().numTensors).toBe(after1);
    method.dispose();
  });

  it('normalises queries with the support set only (support) or with the query batch (batch)', async () => {
    const episode = episodeAt(pool, { way: 5, shot: 2, query: 4 }, 3, 0);
    const one = { ...episode.query, count: 1, images: episode.query.images.slice(0, 16 * 16), labels: episode.query.labels.slice(0, 1) };
    for (const mode of ['support', 'batch'] as const) {
      const method = smallMetaLstm({ batchNormAtTest: mode });
      const predictor = await method.startAdaptation(episode.support, 5).then(adaptFully);
      const alone = await predictor.predict(one);
      const together = (await predictor.predict(episode.query)).slice(0, 5);
      const difference = Math.max(...Array.from(alone, (p, i) => Math.abs(p - together[i])));
      if (mode === 'support') expect(difference).toBeLessThan(1e-6);
      else expect(difference).toBeGreaterThan(1e-4);
      predictor.dispose();
      method.dispose();
    }
  });

  it('saves and restores its state exactly (including the output layer), and refuses a wrong state without changing anything', async () => {
    const a = smallMetaLstm({ seed: 1 });
    await train(a, { trainPool: pool, trainSettings: settings, steps: 3, seed: 1 });
    const saved = await saveTensors(a.stateTensors());
    expect(saved['learner/head/kernel'].shape).toEqual([8, 5]);
    const b = smallMetaLstm({ seed: 2 }); // no output layer yet: loading makes it
    const before = await saveTensors(b.stateTensors());
    const broken = { ...saved, 'metaLearner/lstm/kernel': { shape: [10, 20], values: new Float32Array(200) } };
    expect(() => b.loadState(broken)).toThrow(/shape 10x20, expected 10x24/);
    expect(await saveTensors(b.stateTensors())).toEqual(before);
    b.loadState(saved);
    expect(await saveTensors(b.stateTensors())).toEqual(saved);
    const ra = await evaluate(a, pool, settings, { episodes: 3, seed: 1 });
    const rb = await evaluate(b, pool, settings, { episodes: 3, seed: 1 });
    expect(rb.accuracies).toEqual(ra.accuracies);
    a.dispose();
    b.dispose();
  });

  it('skips the update on a non-finite loss and the training loop stops with advice', async () => {
    const method = smallMetaLstm();
    await method.trainStep([episodeAt(pool, settings, 1, 0)], 0);
    const before = await saveTensors(method.stateTensors());
    const good = episodeAt(pool, settings, 1, 1);
    const images = good.support.images.slice();
    images[7] = Number.NaN;
    const poisoned: Episode = { ...good, support: { ...good.support, images } };
    const metrics = await method.trainStep([poisoned], 1);
    expect(metrics.loss).toBeNaN();
    expect(await saveTensors(method.stateTensors())).toEqual(before);
    // Weights that are already broken (a NaN in theta_0): the training loop stops at once with
    // advice, and nothing is updated.
    const broken = await withWeights(method, { 'learner/head/bias': filled(Number.NaN) });
    method.loadState(broken);
    const r = await train(method, { trainPool: pool, trainSettings: settings, steps: 5, seed: 1 });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/diverged at step 1: the loss became NaN.*Lower the meta-learner's learning rate \(learningRate, now/);
    expect(r.curve.map((p) => p.step)).toEqual([1]);
    expect(await saveTensors(method.stateTensors())).toEqual(broken);
    method.dispose();
  });

  it('refuses episodes of a different width than its output layer, and bad settings, with clear messages', async () => {
    const method = smallMetaLstm();
    await method.trainStep([episodeAt(pool, settings, 1, 0)], 0);
    await expect(method.trainStep([episodeAt(pool, { way: 3, shot: 1, query: 2 }, 1, 0)], 1)).rejects.toThrow(/output layer has 5 classes, but the episode is 3-way/);
    method.dispose();
    expect(() => smallMetaLstm({ updates: -1 })).toThrow(/updates must be a whole number/);
    expect(() => smallMetaLstm({ gradientClip: Number.NaN })).toThrow(/gradientClip/);
  });
});

describe('METALSTM_SPEC', () => {
  it('creates the method from defaults and checks settings', () => {
    const hyper = resolveHyperparameters(METALSTM_SPEC, { updates: '4', batchNormAtTest: 'batch' });
    expect(hyper).toMatchObject({ updates: 4, batchNormAtTest: 'batch', gradientClip: 0.25, hiddenSize: 20, learningRate: 3e-3 });
    const method = METALSTM_SPEC.create({ backbone: { inputShape: [16, 16, 1], filters: 8, blocks: 4 }, trainClassCount: 10 }, hyper, 1);
    expect(method.name).toBe('metalstm');
    expect(method.labels()).toMatchObject({ batchNormAtTest: 'batch', updates: 4 });
    method.dispose();
    expect(() => resolveHyperparameters(METALSTM_SPEC, { batchNormAtTest: 'running' })).toThrow(/support, batch/);
    for (const name of Object.keys(METALSTM_SPEC.defaults) as (keyof typeof METALSTM_SPEC.defaults)[]) expect(METALSTM_SPEC.hyperparameters[name].hint.length).toBeGreaterThan(10);
  });
});
