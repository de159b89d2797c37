// The embed-once evaluation (train/embeddingEvaluation.ts) must be the field's evaluation, only
// faster: on the same seeded episodes it gives ProtoNet the same per-episode accuracies as
// evaluate(), which adapts to every episode through the method's own predictor. And it refuses
// (evaluatesByEmbeddings is false) when an embedding depends on the images it is batched with.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import type { ClassPool } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import { PROTONET_DEFAULTS } from '../../src/core/methods/catalog';
import { createMethod } from '../../src/core/methods/registry';
import { ProtoNet } from '../../src/core/methods/protonet';
import { evaluateByEmbeddings, evaluatesByEmbeddings } from '../../src/core/train/embeddingEvaluation';
import { evaluate } from '../../src/core/train/evaluate';
import { train } from '../../src/core/train/train';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('evaluation from embeddings computed once', () => {
  it('gives a trained ProtoNet the same per-episode accuracies as the episode-by-episode evaluation', async () => {
    const glyphs = generateGlyphs({ seed: 1 });
    const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
    const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
    const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
    const method = new ProtoNet({ ...PROTONET_DEFAULTS, backbone: { inputShape: [28, 28, 1], filters: 32, blocks: 4 }, seed: 1 });
    await train(method, { trainPool, trainSettings: { way: 10, shot: 1, query: 5 }, steps: 30, seed: 1 });
    expect(evaluatesByEmbeddings(method)).toBe(true);
    for (const settings of [{ way: 5, shot: 1, query: 5 }, { way: 3, shot: 4, query: 2 }]) {
      const reference = await evaluate(method, testPool, settings, { episodes: 60, seed: 11 });
      const fast = await evaluateByEmbeddings(method, testPool, settings, { episodes: 60, seed: 11 });
      // Not a trivial agreement: the network is part-trained, so episodes differ in accuracy.
      expect(new Set(reference.accuracies).size).toBeGreaterThan(2);
      // float64 distances here, float32 softmax there: a near-tie may fall the other way, rarely.
      const differing = reference.accuracies.filter((a, i) => a !== fast.accuracies[i]).length;
      expect(differing).toBeLessThanOrEqual(1);
      expect(Math.abs(fast.summary.mean - reference.summary.mean)).toBeLessThan(0.01);
      expect(fast.summary.episodes).toBe(60);
      expect(fast.split).toBe('test');
    }
    method.dispose();
  });

  it('is not offered when batch-norm statistics come from the test batch, nor for methods that adapt', () => {
    const backbone = { inputShape: [28, 28, 1] as [number, number, number], filters: 8, blocks: 4 };
    const transductive = new ProtoNet({ ...PROTONET_DEFAULTS, batchNormAtTest: 'batch', backbone, seed: 1 });
    expect(evaluatesByEmbeddings(transductive)).toBe(false);
    transductive.dispose();
    const maml = createMethod('maml', { backbone, trainClassCount: 10 }, {}, 1);
    expect(evaluatesByEmbeddings(maml)).toBe(false);
    maml.dispose();
  });
});
