// The fine-tuning baseline (Chen et al. 2019): the cosine and linear heads' values, the plain
// TypeScript head fitting against tfjs's gradient, pre-training over global class labels, state
// save/load (and plugging in a backbone from ProtoNet), tensor hygiene, and that pre-training on
// glyphs helps on held-out alphabets.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import { episodeAt, type ClassPool } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import { imagesTensor, meanCrossEntropy } from '../../src/core/methods/common';
import { FINETUNE_SPEC, FineTune, type FineTuneConfig } from '../../src/core/methods/finetune';
import { fitHeadValues, headLossAndGradient, type FeatureSet } from '../../src/core/methods/headFitting';
import { cosineLogits, headLogits, headTensors, initHeadValues, linearLogits, weightPenalty, type HeadKind } from '../../src/core/methods/heads';
import { ProtoNet } from '../../src/core/methods/protonet';
import { resolveHyperparameters } from '../../src/core/methods/registry';
import { conv4Forward } from '../../src/core/nn/conv4';
import { disposeTensors, saveTensors } from '../../src/core/nn/params';
import { Rng } from '../../src/core/rng';
import { evaluate } from '../../src/core/train/evaluate';
import { pairedDifference } from '../../src/core/train/stats';
import { train } from '../../src/core/train/train';
import { toyDataset } from './fixtures/toyDataset';
import { FINETUNE_DEFAULTS, PROTONET_DEFAULTS } from '../../src/core/methods/catalog';
import { adaptFully } from '../../src/core/methods/stepwise';

beforeAll(async () => {
  await initBackend('wasm');
});

const SMALL_BACKBONE = { inputShape: [16, 16, 1] as [number, number, number], filters: 8, blocks: 4 };

function smallFineTune(overrides: Partial<FineTuneConfig> = {}, trainClasses: number[] = range(20)): FineTune {
  return new FineTune({
    ...FINETUNE_DEFAULTS,
    backbone: SMALL_BACKBONE,
    seed: 1,
    trainClassCount: trainClasses.length,
    trainClasses,
    ...overrides,
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `perClass` points per class around well separated centres in `size` dimensions, seeded. */
function clusteredFeatures(classes: number, perClass: number, size: number, seed: number): FeatureSet {
  const rng = new Rng(seed);
  const count = classes * perClass;
  const values = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = Math.floor(i / perClass);
    for (let j = 0; j < size; j++) values[i * size + j] = (j === labels[i] ? 3 : 0) + 0.5 + 0.3 * rng.normal();
  }
  return { values, count, size, labels };
}

function accuracyOfLogits(logits: number[][], labels: Int32Array): number {
  let hits = 0;
  logits.forEach((row, i) => {
    if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
  });
  return hits / labels.length;
}

describe('classifier heads', () => {
  it('cosine head: logits are scale x cosine between feature and class weight vector, whatever their lengths', () => {
    const features = tf.tensor2d([[3, 4], [0, 2], [-1, 0]]);
    // Columns are class weight vectors: (1, 0) and (0, 5).
    const kernel = tf.tensor2d([[1, 0], [0, 5]]);
    const logits = cosineLogits(features, kernel, 10).arraySync();
    const expected = [[6, 8], [0, 10], [-10, 0]];
    logits.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[i][c], 4)));
    // A zero feature vector (every ReLU off) has cosine 0 with every class, not NaN.
    expect(Array.from(cosineLogits(tf.tensor2d([[0, 0]]), kernel, 10).dataSync())).toEqual([0, 0]);
  });

  it('linear head: logits are features x kernel + bias', () => {
    const logits = linearLogits(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor1d([0.5, -1])).arraySync();
    expect(logits).toEqual([[1.5, 1]]);
  });

  it.each(['linear', 'cosine'] as HeadKind[])('%s head: the plain TypeScript gradient equals tfjs\'s gradient of the same loss', (kind) => {
    const set = clusteredFeatures(3, 2, 5, 4);
    const shape = { kind, scale: 10 };
    const head = initHeadValues(kind, 5, 3, new Rng(2));
    if (head.bias) head.bias.set([0.1, -0.2, 0.3]);
    const ours = headLossAndGradient(shape, head, set, 3, 0.01);
    const tensors = headTensors(head, 3);
    const names = Object.keys(tensors);
    const features = tf.tensor2d(set.values, [set.count, set.size]);
    const labels = tf.tensor1d(set.labels, 'int32');
    const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
      const h = Object.fromEntries(names.map((n, i) => [n, values[i]]));
      return tf.add(meanCrossEntropy(headLogits(shape, h, features), labels, 3), weightPenalty(h, 0.01)) as tf.Scalar;
    })(names.map((n) => tensors[n]));
    expect(ours.loss).toBeCloseTo(value.dataSync()[0], 4);
    const gKernel = grads[names.indexOf('kernel')].dataSync();
    ours.kernel.forEach((g, i) => expect(g).toBeCloseTo(gKernel[i], 4));
    if (kind === 'linear') {
      const gBias = grads[names.indexOf('bias')].dataSync();
      ours.bias!.forEach((g, i) => expect(g).toBeCloseTo(gBias[i], 4));
    } else {
      expect(ours.bias).toBeUndefined();
    }
    tf.dispose([value, ...grads, features, labels]);
    disposeTensors(tensors);
  });

  it.each(['linear', 'cosine'] as HeadKind[])('%s head fitted on separable features classifies them (and new points) perfectly', (kind) => {
    const shape = { kind, scale: 10 };
    const set = clusteredFeatures(5, 4, 16, 1);
    const init = initHeadValues(kind, 16, 5, new Rng(3));
    const before = headLossAndGradient(shape, init, set, 5, 0).loss;
    const { head, loss } = fitHeadValues(shape, init, set, 5, { steps: 100, learningRate: 0.01, weightDecay: 1e-3 });
    expect(loss).toBeLessThan(before / 2);
    const tensors = headTensors(head, 5);
    for (const probe of [set, clusteredFeatures(5, 10, 16, 99)]) {
      const logits = headLogits(shape, tensors, tf.tensor2d(probe.values, [probe.count, probe.size])).arraySync();
      expect(accuracyOfLogits(logits, probe.labels)).toBe(1);
    }
    disposeTensors(tensors);
  });
});

describe('FineTune pre-training and adaptation', () => {
  const dataset = toyDataset(4, 5, 10, 16);
  const pool: ClassPool = { name: 'train', dataset, classIndices: range(20) };
  const settings = { way: 5, shot: 2, query: 3 };

  it.each(['linear', 'cosine'] as HeadKind[])('pre-training a %s head fits a batch of 20 glyph classes by their global labels', async (head) => {
    const glyphs = generateGlyphs({ seed: 3, alphabets: 4, charactersPerAlphabet: 5, examplesPerCharacter: 10, size: 16 });
    // Four 5-way episodes that together hold every class: the head must tell all 20 apart. Head
    // rows are the classes in reverse order, so row and class index differ.
    const batch = [0, 1, 2, 3].map((i) => episodeAt({ name: 'train', dataset: glyphs, classIndices: range(20).slice(5 * i, 5 * i + 5) }, settings, 1, i));
    const trainClasses = range(20).reverse();
    const method = smallFineTune({ learningRate: 1e-2, head, backbone: { ...SMALL_BACKBONE, filters: 16 } }, trainClasses);
    const curve = [];
    for (let step = 0; step < 30; step++) curve.push(await method.trainStep(batch, step));
    expect(curve[curve.length - 1].loss).toBeLessThan(0.3 * curve[0].loss);
    expect(curve[curve.length - 1].accuracy).toBeGreaterThan(0.9);
    // The pre-training head's answer for an image is the row of its dataset class.
    const state = method.stateTensors();
    const params = Object.fromEntries(Object.entries(state).filter(([n]) => n.startsWith('params/')).map(([n, t]) => [n.slice(7), t]));
    const sets = batch.flatMap((e) => [e.support, e.query].map((set) => ({ set, e })));
    const images = tf.concat(sets.map(({ set }) => imagesTensor(set)));
    const rows = sets.flatMap(({ set, e }) => Array.from(set.labels, (label) => trainClasses.indexOf(e.classIndices[label])));
    const features = conv4Forward(params, images, { batchNorm: 'batch' });
    const logits = headLogits({ kind: head, scale: FINETUNE_DEFAULTS.cosineScale }, { kernel: params['head/kernel'], bias: params['head/bias'] }, features);
    expect(accuracyOfLogits(logits.arraySync(), Int32Array.from(rows))).toBeGreaterThan(0.9);
    tf.dispose([images, features, logits]);
    method.dispose();
  });

  it('maps episode labels to global classes and refuses a class outside trainClasses, or no class list', async () => {
    const method = smallFineTune({}, [0, 1, 2, 3, 4]);
    const inside = episodeAt({ name: 'train', dataset, classIndices: [0, 1, 2, 3, 4] }, settings, 1, 0);
    await expect(method.trainStep([inside], 0)).resolves.toMatchObject({ learningRate: FINETUNE_DEFAULTS.learningRate });
    const outside = episodeAt({ name: 'train', dataset, classIndices: [3, 4, 5, 6, 7] }, settings, 1, 0);
    await expect(method.trainStep([outside], 1)).rejects.toThrow(/Dataset class [5-7] is not one of the 5 meta-train classes/);
    method.dispose();
    const noList = new FineTune({ ...FINETUNE_DEFAULTS, backbone: SMALL_BACKBONE, seed: 1, trainClassCount: 5 });
    await expect(noList.trainStep([inside], 0)).rejects.toThrow(/needs their list \(MethodContext\.trainClasses\)/);
    // Adapting a backbone needs no class list.
    (await noList.startAdaptation(inside.support, 5).then(adaptFully)).dispose();
    noList.dispose();
  });

  it('keeps the tensor count flat over many training steps and adapt/predict calls', async () => {
    const method = smallFineTune();
    await train(method, { trainPool: pool, trainSettings: settings, steps: 1, seed: 1 });
    const afterOne = tf.memory().numTensors;
    await train(method, { trainPool: pool, trainSettings: settings, steps: 31, startStep: 1, seed: 1, episodesPerStep: 2 });
    expect(tf.memory().numTensors).toBe(afterOne);
    await evaluate(method, pool, { way: 5, shot: 1, query: 3 }, { episodes: 30, seed: 2 });
    expect(tf.memory().numTensors).toBe(afterOne);
    const tuning = smallFineTune({ finetuneBackbone: 'yes', backboneSteps: 3 });
    const before = tf.memory().numTensors;
    await evaluate(tuning, pool, { way: 5, shot: 1, query: 3 }, { episodes: 5, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    tuning.dispose();
    method.dispose();
  });

  it('gives the same predictions for an episode whatever was evaluated before it', async () => {
    for (const finetuneBackbone of ['no', 'yes'] as const) {
      const method = smallFineTune({ finetuneBackbone, backboneSteps: 3 });
      const e = episodeAt(pool, settings, 3, 0);
      const first = await method.startAdaptation(e.support, 5).then(adaptFully);
      const a = await first.predict(e.query);
      first.dispose();
      await evaluate(method, pool, settings, { episodes: 3, seed: 8 });
      const again = await method.startAdaptation(e.support, 5).then(adaptFully);
      expect(await again.predict(e.query)).toEqual(a);
      again.dispose();
      method.dispose();
    }
  });

  it('saves and loads its state with identical predictions; refuses a broken state without changing anything', async () => {
    const a = smallFineTune();
    await train(a, { trainPool: pool, trainSettings: settings, steps: 5, seed: 1 });
    const saved = await saveTensors(a.stateTensors());
    expect(Object.keys(saved).sort()).toEqual(
      [
        ...range(4).flatMap((i) => [`params/block${i}/conv/kernel`, `params/block${i}/bn/gamma`, `params/block${i}/bn/beta`]),
        ...range(4).flatMap((i) => [`running/block${i}/mean`, `running/block${i}/variance`]),
        'params/head/kernel',
      ].sort(),
    );
    const b = smallFineTune();
    const before = await saveTensors(b.stateTensors());
    const wrongShape = { ...saved, 'running/block3/mean': { shape: [9], values: new Float32Array(9) } };
    expect(() => b.loadState(wrongShape)).toThrow(/"running\/block3\/mean" has shape 9, expected 8/);
    const linearHead = { ...saved, 'params/head/bias': { shape: [20], values: new Float32Array(20) } };
    expect(() => b.loadState(linearHead)).toThrow(/cosine head has params\/head\/kernel/);
    expect(await saveTensors(b.stateTensors())).toEqual(before);
    b.loadState(saved);
    expect(await saveTensors(b.stateTensors())).toEqual(saved);
    const e = episodeAt(pool, settings, 4, 0);
    const [pa, pb] = [await a.startAdaptation(e.support, 5).then(adaptFully), await b.startAdaptation(e.support, 5).then(adaptFully)];
    expect(await pb.predict(e.query)).toEqual(await pa.predict(e.query));
    pa.dispose();
    pb.dispose();
    a.dispose();
    b.dispose();
  });

  it('skips the update on a non-finite loss, keeping the last good parameters, and says so when adapting', async () => {
    const method = smallFineTune();
    const state = await saveTensors(method.stateTensors());
    const kernel = state['params/head/kernel'];
    const poisoned = { ...state, 'params/head/kernel': { shape: kernel.shape, values: kernel.values.map((v, i) => (i === 0 ? Number.NaN : v)) } };
    method.loadState(poisoned);
    const metrics = await method.trainStep([episodeAt(pool, settings, 1, 0)], 0);
    expect(metrics.loss).toBeNaN();
    expect(await saveTensors(method.stateTensors())).toEqual(poisoned);
    const broken = { ...state, 'params/block3/bn/beta': { shape: [8], values: new Float32Array(8).fill(Number.NaN) } };
    method.loadState(broken);
    await expect(method.startAdaptation(episodeAt(pool, settings, 1, 0).support, 5).then(adaptFully)).rejects.toThrow(/loss became NaN.*not finite/);
    method.dispose();
  });

  it('plugs in a backbone trained elsewhere (ProtoNet) by its named tensors', async () => {
    const proto = new ProtoNet({ ...PROTONET_DEFAULTS, backbone: SMALL_BACKBONE, seed: 5 });
    await train(proto, { trainPool: pool, trainSettings: settings, steps: 3, seed: 1 });
    const method = smallFineTune();
    const head = await saveTensors({ kernel: method.stateTensors()['params/head/kernel'] });
    method.loadState(await saveTensors(proto.stateTensors()));
    const backbone = await saveTensors(method.backboneTensors());
    expect(backbone).toEqual(await saveTensors(proto.stateTensors()));
    // The pre-training head, absent from ProtoNet's state, is kept.
    expect(await saveTensors({ kernel: method.stateTensors()['params/head/kernel'] })).toEqual(head);
    proto.dispose();
    method.dispose();
  });

  it('is registered by its spec with valid defaults and checks its settings', () => {
    const hyper = resolveHyperparameters(FINETUNE_SPEC, { head: 'linear', adaptSteps: 50 });
    const method = FINETUNE_SPEC.create({ backbone: SMALL_BACKBONE, trainClassCount: 3, trainClasses: [4, 7, 9] }, hyper, 1);
    expect(method.name).toBe('finetune');
    expect(method.labels()).toMatchObject({ batchNormAtTest: 'running', head: 'linear', adaptSteps: 50, finetuneBackbone: 'no' });
    expect(Object.keys(method.stateTensors())).toContain('params/head/bias');
    method.dispose();
    expect(() => resolveHyperparameters(FINETUNE_SPEC, { head: 'softmax' })).toThrow(/head must be one of linear, cosine/);
    expect(() => smallFineTune({ adaptSteps: 2.5 })).toThrow(/adaptSteps must be a whole number/);
  });
});

describe('FineTune on glyphs', () => {
  it('pre-training over the meta-train classes helps 5-way 1-shot accuracy on held-out alphabets', async () => {
    const glyphs = generateGlyphs({ seed: 1 });
    const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
    const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
    const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
    const method = new FineTune({
      ...FINETUNE_DEFAULTS,
      learningRate: 3e-3,
      backbone: { inputShape: [28, 28, 1], filters: 64, blocks: 4 },
      seed: 1,
      trainClassCount: splits.train.length,
      trainClasses: splits.train,
    });
    const settings = { way: 5, shot: 1, query: 5 };
    const untrained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    const result = await train(method, { trainPool, trainSettings: { way: 20, shot: 1, query: 2 }, steps: 80, seed: 1 });
    expect(result.status).toBe('done');
    const trained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    const gain = pairedDifference(trained.accuracies, untrained.accuracies);
    console.log(
      `finetune (cosine) glyphs 5-way 1-shot: untrained ${untrained.summary.mean.toFixed(3)} ± ${untrained.summary.ci95.toFixed(3)}, ` +
        `after 80 pre-training steps ${trained.summary.mean.toFixed(3)} ± ${trained.summary.ci95.toFixed(3)} ` +
        `(paired gain ${gain.mean.toFixed(3)} ± ${gain.ci95.toFixed(3)}; chance 0.2)`,
    );
    expect(trained.summary.mean).toBeGreaterThan(0.5);
    // Paired over identical episodes: the gain's interval lies above zero.
    expect(gain.mean - gain.ci95).toBeGreaterThan(0);
    method.dispose();
  });
});
