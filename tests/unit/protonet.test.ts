// Prototypical Networks: the math of prototypes and logits, the loss, state save/load, tensor
// hygiene over many steps, and that it actually learns: clearly above chance on held-out glyphs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import { episodeAt, type ClassPool } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import { constantOf, meanCrossEntropy } from '../../src/core/methods/common';
import { ProtoNet, protoLogits, prototypes } from '../../src/core/methods/protonet';
import { saveTensors } from '../../src/core/nn/params';
import { evaluate } from '../../src/core/train/evaluate';
import { train } from '../../src/core/train/train';
import { toyDataset } from './fixtures/toyDataset';
import { PROTONET_DEFAULTS } from '../../src/core/methods/catalog';

beforeAll(async () => {
  await initBackend('wasm');
});

function smallProtoNet(seed = 1, side = 16): ProtoNet {
  return new ProtoNet({ ...PROTONET_DEFAULTS, backbone: { inputShape: [side, side, 1], filters: 8, blocks: 4 }, seed });
}

describe('prototypes and logits', () => {
  it('takes class means of support embeddings, whatever the order of labels', () => {
    const emb = tf.tensor2d([[1, 2], [3, 4], [10, 0], [0, 10], [5, 5]]);
    const labels = tf.tensor1d([0, 0, 1, 1, 2], 'int32');
    expect(prototypes(emb, labels, 3).arraySync()).toEqual([[2, 3], [5, 5], [5, 5]]);
    const shuffled = prototypes(tf.tensor2d([[10, 0], [1, 2], [0, 10], [3, 4], [5, 5]]), tf.tensor1d([1, 0, 1, 0, 2], 'int32'), 3);
    expect(shuffled.arraySync()).toEqual([[2, 3], [5, 5], [5, 5]]);
  });

  it('gives negative squared Euclidean distances', () => {
    const q = tf.tensor2d([[0, 0], [1, 1]]);
    const p = tf.tensor2d([[3, 4], [1, 0]]);
    const logits = protoLogits(q, p).arraySync();
    expect(logits[0][0]).toBeCloseTo(-25, 4);
    expect(logits[0][1]).toBeCloseTo(-1, 4);
    expect(logits[1][0]).toBeCloseTo(-13, 4);
    expect(logits[1][1]).toBeCloseTo(-1, 4);
  });

  it('computes the same cross-entropy and gradient as tfjs losses, even for large logits', () => {
    const logits = tf.tensor2d([[1000, 998, 990], [-3, 2, 0.5]]);
    const labels = tf.tensor1d([1, 2], 'int32');
    const ours = meanCrossEntropy(logits, labels, 3).dataSync()[0];
    const ref = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits).dataSync()[0];
    expect(ours).toBeCloseTo(ref, 4);
    const g = tf.grad((x: tf.Tensor) => meanCrossEntropy(x as tf.Tensor2D, labels, 3))(logits).arraySync() as number[][];
    const gRef = tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), x))(logits).arraySync() as number[][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(g[i][j]).toBeCloseTo(gRef[i][j], 4);
  });

  it('constantOf passes values and stops gradients', () => {
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(constantOf(x).dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(constantOf(t), t)))(x).dataSync())).toEqual([1, 2, 3]);
  });
});

describe('ProtoNet training', () => {
  const dataset = toyDataset(4, 5, 10, 16);
  const pool: ClassPool = { name: 'train', dataset, classIndices: dataset.classes.map((_, i) => i) };

  it('keeps the tensor count flat over 50 training steps', async () => {
    const method = smallProtoNet();
    await train(method, { trainPool: pool, trainSettings: { way: 5, shot: 1, query: 2 }, steps: 1, seed: 1 });
    const after1 = tf.memory().numTensors;
    await train(method, { trainPool: pool, trainSettings: { way: 5, shot: 1, query: 2 }, steps: 51, startStep: 1, seed: 1 });
    expect(tf.memory().numTensors).toBe(after1);
    method.dispose();
  });

  it('replays the same losses from the same seed', async () => {
    const run = async () => {
      const method = smallProtoNet(3);
      const r = await train(method, { trainPool: pool, trainSettings: { way: 5, shot: 2, query: 3 }, steps: 5, seed: 9 });
      method.dispose();
      return r.curve.map((p) => p.loss);
    };
    expect(await run()).toEqual(await run());
  });

  it('saves and restores its state exactly, and refuses a state of the wrong shape without changing anything', async () => {
    const a = smallProtoNet(1);
    await train(a, { trainPool: pool, trainSettings: { way: 5, shot: 1, query: 2 }, steps: 3, seed: 1 });
    const saved = await saveTensors(a.stateTensors());
    const b = smallProtoNet(2);
    const before = await saveTensors(b.stateTensors());
    const broken = { ...saved, 'params/block0/conv/kernel': { shape: [3, 3, 1, 9], values: new Float32Array(81) } };
    expect(() => b.loadState(broken)).toThrow(/shape 3x3x1x9, expected 3x3x1x8/);
    expect(await saveTensors(b.stateTensors())).toEqual(before);
    b.loadState(saved);
    const probe = { name: 'test', dataset, classIndices: [0, 1, 2, 3, 4] };
    const ra = await evaluate(a, probe, { way: 5, shot: 1, query: 3 }, { episodes: 3, seed: 1 });
    const rb = await evaluate(b, probe, { way: 5, shot: 1, query: 3 }, { episodes: 3, seed: 1 });
    expect(rb.accuracies).toEqual(ra.accuracies);
    a.dispose();
    b.dispose();
  });

  it('keeps its last good parameters when a step gives a non-finite loss', async () => {
    const method = smallProtoNet(4);
    await train(method, { trainPool: pool, trainSettings: { way: 5, shot: 1, query: 2 }, steps: 2, seed: 1 });
    const before = await saveTensors(method.stateTensors());
    const episode = episodeAt(pool, { way: 5, shot: 1, query: 2 }, 1, 99);
    const poisoned = new Float32Array(episode.query.images);
    poisoned[0] = NaN;
    const metrics = await method.trainStep([{ ...episode, query: { ...episode.query, images: poisoned } }], 2);
    expect(Number.isNaN(metrics.loss)).toBe(true);
    expect(await saveTensors(method.stateTensors())).toEqual(before);
    method.dispose();
  });

  it('stops the run with a clear message when the loss diverges, keeping the curve so far', async () => {
    // The loop's handling, independent of what makes a method diverge: a method whose 4th step
    // reports NaN (Adam's normalised steps rarely blow ProtoNet up for real).
    const losses = [1.5, 1.2, 0.9, NaN, 0.5];
    const method = smallProtoNet(5);
    const realStep = method.trainStep.bind(method);
    method.trainStep = async (episodes, step) => ({ ...(await realStep(episodes, step)), loss: losses[step] });
    const r = await train(method, { trainPool: pool, trainSettings: { way: 5, shot: 1, query: 2 }, steps: 5, seed: 1 });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/diverged at step 4: the loss became NaN.*Lower the learning rate \(learningRate, now 0\.001\)/);
    expect(r.problem).toEqual({ code: 'diverged', field: 'hyper.learningRate', message: r.message });
    // The diverged step stays on the curve, so the curve, the step count and the message agree.
    expect(r.curve.map((p) => p.loss)).toEqual([1.5, 1.2, 0.9, NaN]);
    expect(r.stepsDone).toBe(4);
    method.dispose();
  });
});

describe('ProtoNet on glyphs', () => {
  it('learns: 5-way 1-shot accuracy on held-out alphabets is far above chance and above the untrained network', async () => {
    const glyphs = generateGlyphs({ seed: 1 });
    const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
    const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
    const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
    const settings = { way: 5, shot: 1, query: 5 };
    const method = new ProtoNet({ ...PROTONET_DEFAULTS, backbone: { inputShape: [28, 28, 1], filters: 64, blocks: 4 }, seed: 1 });
    const untrained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    const result = await train(method, { trainPool, trainSettings: { way: 10, shot: 1, query: 5 }, steps: 60, seed: 1 });
    expect(result.status).toBe('done');
    const trained = await evaluate(method, testPool, settings, { episodes: 100, seed: 5 });
    console.log(`glyphs 5-way 1-shot: untrained ${untrained.summary.mean.toFixed(3)}, after 60 steps ${trained.summary.mean.toFixed(3)} ± ${trained.summary.ci95.toFixed(3)}`);
    expect(trained.summary.mean).toBeGreaterThan(0.5);
    expect(trained.summary.mean - trained.summary.ci95).toBeGreaterThan(untrained.summary.mean + untrained.summary.ci95);
    method.dispose();
  });
});
