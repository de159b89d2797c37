// MAML and first-order MAML: the inner loop's arithmetic and its second-order gradient on a
// problem solvable by hand, learning on held-out glyphs, state save/load, tensor hygiene over many
// meta-steps, what the batch-norm modes mean for predictions, divergence handling, and the
// registry specs. (The meta-gradient on Conv-4 is proven in secondOrder.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import type { Episode, LabeledImages } from '../../src/core/episodes/episode';
import type { ClassPool } from '../../src/core/episodes/sampler';
import { episodeAt } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import { adaptParameters } from '../../src/core/methods/innerLoop';
import { FOMAML_SPEC, Maml, MAML_SPEC, type MamlConfig } from '../../src/core/methods/maml';
import { measureMamlStep } from '../../src/core/methods/mamlBench';
import { resolveHyperparameters } from '../../src/core/methods/registry';
import { saveTensors } from '../../src/core/nn/params';
import { evaluate } from '../../src/core/train/evaluate';
import { train } from '../../src/core/train/train';
import { toyDataset } from './fixtures/toyDataset';
import { MAML_DEFAULTS } from '../../src/core/methods/catalog';
import { adaptFully } from '../../src/core/methods/stepwise';

beforeAll(async () => {
  await initBackend('wasm');
});

function smallMaml(overrides: Partial<MamlConfig> = {}): Maml {
  return new Maml({
    ...MAML_DEFAULTS,
    backbone: { inputShape: [16, 16, 1], filters: 8, blocks: 4 },
    secondOrder: true,
    innerSteps: 2,
    testInnerSteps: 3,
    seed: 1,
    ...overrides,
  });
}

describe('inner loop', () => {
  // L(theta) = 0.5 |theta - t|^2: each SGD step shrinks theta - t by (1 - alpha), so after S steps
  // theta_S = t + (1 - alpha)^S (theta_0 - t) and d theta_S / d theta_0 = (1 - alpha)^S.
  const target = tf.tensor1d([1, -2, 3]);
  const loss = (p: Record<string, tf.Tensor>) => tf.mul(0.5, tf.sum(tf.square(tf.sub(p.w, target)))) as tf.Scalar;

  it('takes plain SGD steps', () => {
    const theta0 = { w: tf.tensor1d([0, 0, 0]) };
    const adapted = adaptParameters(theta0, loss, 3, 0.5);
    const expected = [1, -2, 3].map((t) => t + 0.125 * (0 - t));
    Array.from(adapted.w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(Array.from(theta0.w.dataSync())).toEqual([0, 0, 0]);
    const copy = adaptParameters(theta0, loss, 0, 0.5);
    expect(copy.w).not.toBe(theta0.w);
    expect(Array.from(copy.w.dataSync())).toEqual([0, 0, 0]);
  });

  it('is differentiated through when run under a gradient tape (second order)', () => {
    // Outer loss sum(theta_S): meta-gradient (1 - alpha)^S per entry, which first order (1) misses.
    const metaGradient = tf.grad((w: tf.Tensor) => tf.sum(adaptParameters({ w }, loss, 3, 0.5).w))(tf.tensor1d([0.3, 0.1, -4]));
    Array.from(metaGradient.dataSync()).forEach((g) => expect(g).toBeCloseTo(0.125, 6));
  });

  it('keeps the tensor count flat however many steps it takes', () => {
    const theta0 = { w: tf.tensor1d([0, 0, 0]) };
    const before = tf.memory().numTensors;
    for (const steps of [1, 5, 20]) tf.dispose(adaptParameters(theta0, loss, steps, 0.1).w);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MAML on glyphs', () => {
  it('learns: 5-way 1-shot accuracy on held-out alphabets is far above chance and above the untrained network', async () => {
    const glyphs = generateGlyphs({ seed: 1, alphabets: 12, charactersPerAlphabet: 10, examplesPerCharacter: 10, size: 16 });
    const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
    const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
    const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
    const settings = { way: 5, shot: 1, query: 5 };
    const method = new Maml({
      ...MAML_DEFAULTS,
      learningRate: 5e-3,
      secondOrder: true,
      backbone: { inputShape: [16, 16, 1], filters: 16, blocks: 4 },
      seed: 1,
    });
    const untrained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    const result = await train(method, { trainPool, trainSettings: settings, steps: 150, episodesPerStep: 4, seed: 1 });
    expect(result.status).toBe('done');
    const trained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    console.log(
      `MAML glyphs 16x16 5-way 1-shot: untrained ${untrained.summary.mean.toFixed(3)} ± ${untrained.summary.ci95.toFixed(3)}, ` +
        `after 150 meta-steps ${trained.summary.mean.toFixed(3)} ± ${trained.summary.ci95.toFixed(3)} (${result.seconds.toFixed(1)} s)`,
    );
    expect(trained.summary.mean).toBeGreaterThan(0.6);
    expect(trained.summary.mean - trained.summary.ci95).toBeGreaterThan(untrained.summary.mean + untrained.summary.ci95);
    // Training accuracy is measured after the inner step(s): it rises from chance.
    const first = result.curve.slice(0, 20).reduce((s, p) => s + p.accuracy, 0) / 20;
    const last = result.curve.slice(-20).reduce((s, p) => s + p.accuracy, 0) / 20;
    expect(last).toBeGreaterThan(first + 0.2);
    expect(trained.labels).toMatchObject({ batchNormAtTest: 'support', order: 'second', testInnerSteps: 10 });
    method.dispose();
  });
});

describe('MAML state, memory and failures', () => {
  const dataset = toyDataset(4, 5, 10, 16);
  const pool: ClassPool = { name: 'train', dataset, classIndices: dataset.classes.map((_, i) => i) };
  const settings = { way: 5, shot: 1, query: 2 };

  for (const secondOrder of [true, false]) {
    it(`keeps the tensor count flat over 30 meta-steps and 20 test episodes (${secondOrder ? 'second' : 'first'} order)`, async () => {
      const method = smallMaml({ secondOrder });
      await train(method, { trainPool: pool, trainSettings: settings, steps: 1, episodesPerStep: 2, seed: 1 });
      const after1 = tf.memory().numTensors;
      await train(method, { trainPool: pool, trainSettings: settings, steps: 31, startStep: 1, episodesPerStep: 2, seed: 1 });
      await evaluate(method, pool, settings, { episodes: 20, seed: 2 });
      expect(tf.memory().numTensors).toBe(after1);
      method.dispose();
    });
  }

  it('replays the same losses from the same seed', async () => {
    const run = async () => {
      const method = smallMaml({ seed: 3 });
      const r = await train(method, { trainPool: pool, trainSettings: settings, steps: 4, episodesPerStep: 2, seed: 9 });
      method.dispose();
      return r.curve.map((p) => p.loss);
    };
    expect(await run()).toEqual(await run());
  });

  it('saves and restores its state exactly (including the output layer), and refuses a wrong state without changing anything', async () => {
    const a = smallMaml({ seed: 1 });
    await train(a, { trainPool: pool, trainSettings: settings, steps: 3, episodesPerStep: 2, seed: 1 });
    const saved = await saveTensors(a.stateTensors());
    expect(saved['params/head/kernel'].shape).toEqual([8, 5]);
    const b = smallMaml({ seed: 2 }); // no output layer yet: loading makes it
    const before = await saveTensors(b.stateTensors());
    const broken = { ...saved, 'params/block0/conv/kernel': { shape: [3, 3, 1, 9], values: new Float32Array(81) } };
    expect(() => b.loadState(broken)).toThrow(/shape 3x3x1x9, expected 3x3x1x8/);
    expect(await saveTensors(b.stateTensors())).toEqual(before);
    b.loadState(saved);
    expect(await saveTensors(b.stateTensors())).toEqual(saved);
    const ra = await evaluate(a, pool, settings, { episodes: 3, seed: 1 });
    const rb = await evaluate(b, pool, settings, { episodes: 3, seed: 1 });
    expect(rb.accuracies).toEqual(ra.accuracies);
    a.dispose();
    b.dispose();
  });

  it('skips the update on a non-finite loss, keeping the last good parameters, and the loop stops with advice', async () => {
    const method = smallMaml();
    await train(method, { trainPool: pool, trainSettings: settings, steps: 2, seed: 1 });
    const good = await saveTensors(method.stateTensors());
    const episode = episodeAt(pool, settings, 1, 0);
    const poisoned: Episode = { ...episode, support: { ...episode.support, images: episode.support.images.map(() => Number.NaN) } };
    const metrics = await method.trainStep([poisoned], 2);
    expect(Number.isFinite(metrics.loss)).toBe(false);
    expect(await saveTensors(method.stateTensors())).toEqual(good);

    const wild = smallMaml({ innerLearningRate: 1e12 });
    const r = await train(wild, { trainPool: pool, trainSettings: settings, steps: 20, seed: 1 });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/diverged at step \d+: the loss became (NaN|Infinity).*Lower the inner learning rate \(innerLearningRate, now 1000000000000\)/);
    // A blow-up within the first steps: the inner step size is the setting to change.
    expect(r.problem).toEqual({ code: 'diverged', field: 'hyper.innerLearningRate', message: r.message });
    expect(r.curve.length).toBe(r.stepsDone);
    method.dispose();
    wild.dispose();
  });

  it('says what is wrong with bad settings and with a number of ways the output layer was not made for', async () => {
    expect(() => smallMaml({ innerSteps: 1.5 })).toThrow(/innerSteps must be a whole number/);
    expect(() => smallMaml({ learningRate: 0 })).toThrow(/learningRate must be a number > 0/);
    const method = smallMaml();
    await train(method, { trainPool: pool, trainSettings: settings, steps: 1, seed: 1 });
    const threeWay = episodeAt(pool, { way: 3, shot: 1, query: 2 }, 1, 0);
    await expect(method.startAdaptation(threeWay.support, 3).then(adaptFully)).rejects.toThrow(/output layer has 5 classes, but the episode is 3-way/);
    method.dispose();
  });
});

describe('batch-norm modes at test time', () => {
  const dataset = toyDataset(2, 5, 10, 16);
  const pool: ClassPool = { name: 'test', dataset, classIndices: dataset.classes.map((_, i) => i) };
  const episode = episodeAt(pool, { way: 5, shot: 1, query: 3 }, 4, 0);
  const firstImage = (set: LabeledImages): LabeledImages => {
    const size = set.imageShape.reduce((a, b) => a * b, 1);
    return { images: set.images.slice(0, size), labels: set.labels.slice(0, 1), count: 1, imageShape: set.imageShape };
  };
  const probabilitiesOfFirstQuery = async (method: Maml, batch: LabeledImages) => {
    const predictor = await method.startAdaptation(episode.support, 5).then(adaptFully);
    const p = await predictor.predict(batch);
    predictor.dispose();
    return Array.from(p.slice(0, 5));
  };

  it("'support' (default) is non-transductive: a query's prediction does not depend on the other queries", async () => {
    const method = smallMaml();
    expect(method.labels()).toMatchObject({ batchNormAtTest: 'support', batchNormStatistics: 'support set (non-transductive)' });
    const alone = await probabilitiesOfFirstQuery(method, firstImage(episode.query));
    const withOthers = await probabilitiesOfFirstQuery(method, episode.query);
    alone.forEach((p, i) => expect(p).toBeCloseTo(withOthers[i], 5));
    method.dispose();
  });

  it("'batch' is the paper's transductive mode: the query batch's statistics change each prediction", async () => {
    const method = smallMaml({ batchNormAtTest: 'batch' });
    expect(method.labels()).toMatchObject({ batchNormAtTest: 'batch', batchNormStatistics: 'query batch (transductive)' });
    const alone = await probabilitiesOfFirstQuery(method, { ...firstImage(episode.query) });
    const withOthers = await probabilitiesOfFirstQuery(method, episode.query);
    const change = Math.max(...alone.map((p, i) => Math.abs(p - withOthers[i])));
    expect(change).toBeGreaterThan(1e-3);
    method.dispose();
  });
});

describe('registry specs and bench', () => {
  it('create MAML and first-order MAML from flat hyperparameters', () => {
    const context = { backbone: { inputShape: [16, 16, 1] as [number, number, number], filters: 8, blocks: 4 }, trainClassCount: 10 };
    const maml = MAML_SPEC.create(context, resolveHyperparameters(MAML_SPEC, { innerSteps: 2, batchNormAtTest: 'batch' }), 1);
    const fomaml = FOMAML_SPEC.create(context, resolveHyperparameters(FOMAML_SPEC, {}), 1);
    expect(maml.name).toBe('maml');
    expect(fomaml.name).toBe('fomaml');
    expect(maml.labels()).toMatchObject({ order: 'second', batchNormAtTest: 'batch' });
    expect(fomaml.labels()).toMatchObject({ order: 'first', batchNormAtTest: 'support' });
    expect(() => resolveHyperparameters(MAML_SPEC, { batchNormAtTest: 'running' })).toThrow(/must be one of support, batch/);
    maml.dispose();
    fomaml.dispose();
  });

  it('measures a meta-step: second order needs more memory with more inner steps, first order does not', async () => {
    const backbone = { inputShape: [16, 16, 1] as [number, number, number], filters: 8, blocks: 4 };
    const run = (secondOrder: boolean, innerSteps: number) =>
      measureMamlStep({ secondOrder, innerSteps, backbone, query: 3, repeats: 1 });
    const [so1, so5, fo1, fo5] = [await run(true, 1), await run(true, 5), await run(false, 1), await run(false, 5)];
    for (const r of [so1, so5, fo1, fo5]) {
      expect(r.msPerMetaStep).toBeGreaterThan(0);
      expect(r.tensorsLeaked).toBe(0);
    }
    expect(so5.stepPeakBytes).toBeGreaterThan(1.5 * so1.stepPeakBytes);
    expect(fo5.stepPeakBytes).toBeLessThan(1.2 * fo1.stepPeakBytes);
    expect(so1.stepPeakBytes).toBeGreaterThan(fo1.stepPeakBytes);
  });
});
