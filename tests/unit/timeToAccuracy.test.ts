// Time to accuracy (train/timeToAccuracy.ts) on a clock the test controls: each training step takes
// one "second" and each validation ten, so the schedule, the target and the separation of training
// time from validation time are checked exactly, with real training and real validations.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import type { ClassPool } from '../../src/core/episodes/sampler';
import { splitByGroup } from '../../src/core/episodes/split';
import { PROTONET_DEFAULTS } from '../../src/core/methods/catalog';
import { ProtoNet } from '../../src/core/methods/protonet';
import { evaluate } from '../../src/core/train/evaluate';
import { timeToAccuracy } from '../../src/core/train/timeToAccuracy';

beforeAll(async () => {
  await initBackend('wasm');
});

const glyphs = generateGlyphs({ seed: 1 });
const splits = splitByGroup(glyphs, { train: 0.7, val: 0.1, test: 0.2 }, 1);
const trainPool: ClassPool = { name: 'train', dataset: glyphs, classIndices: splits.train };
const testPool: ClassPool = { name: 'test', dataset: glyphs, classIndices: splits.test };
const valSettings = { way: 5, shot: 1, query: 5 };

/** A clock that advances one second per training step and ten per validation (as the method embeds). */
function steppingClock(method: ProtoNet) {
  let now = 0;
  const trainStep = method.trainStep.bind(method);
  method.trainStep = async (episodes, step) => {
    now += 1;
    return trainStep(episodes, step);
  };
  const embed = method.embed.bind(method);
  let embedCalls = 0;
  method.embed = async (images) => {
    // The whole validation costs 10 s, charged on its first embedding call.
    if (embedCalls++ % chunksPerValidation === 0) now += 10;
    return embed(images);
  };
  return () => now;
}
// The test pool's images are embedded in chunks of 256.
const chunksPerValidation = Math.ceil(testPool.classIndices.reduce((n, c) => n + glyphs.classes[c].count, 0) / 256);

function protonet(): ProtoNet {
  return new ProtoNet({ ...PROTONET_DEFAULTS, backbone: { inputShape: [28, 28, 1], filters: 32, blocks: 4 }, seed: 1 });
}

/** Trains 10-way episodes and validates on 40 episodes, on the stepping clock. */
function timed(method: ProtoNet, schedule: { everySeconds: number; budgetSeconds: number; target: number }) {
  return timeToAccuracy(method, {
    trainPool, trainSettings: { way: 10, shot: 1, query: 5 }, seed: 1,
    valPool: testPool, valSettings, valEpisodes: 40,
    ...schedule, clock: steppingClock(method),
  });
}

describe('time to accuracy', () => {
  it('validates every N seconds of training, counts validation time apart, and stops at the budget', async () => {
    const method = protonet();
    const result = await timed(method, { everySeconds: 5, budgetSeconds: 12, target: 1 });
    expect(result.status).toBe('budget');
    expect(result.reached).toBeNull();
    expect(result.validations.map((v) => [v.step, v.trainingSeconds, v.validationSeconds])).toEqual([[5, 5, 10], [10, 10, 10], [12, 12, 10]]);
    expect(result.validations.map((v) => v.wallSeconds)).toEqual([15, 30, 42]);
    expect(result.steps).toBe(12);
    // The validation is the field's evaluation of the model as it stood: the same as evaluate() now.
    const now = await evaluate(method, testPool, valSettings, { episodes: 40, seed: 2017 });
    expect(result.validations[2].summary.mean).toBeCloseTo(now.summary.mean, 2);
    method.dispose();
  });

  it('stops at the first validation that reaches the target, and reports that one', async () => {
    const method = protonet();
    const result = await timed(method, { everySeconds: 4, budgetSeconds: 200, target: 0.45 });
    expect(result.status).toBe('reached');
    const reached = result.reached!;
    expect(reached.summary.mean).toBeGreaterThanOrEqual(0.45);
    expect(result.validations.at(-1)).toBe(reached);
    for (const earlier of result.validations.slice(0, -1)) expect(earlier.summary.mean).toBeLessThan(0.45);
    expect(result.steps).toBe(reached.step);
    expect(reached.trainingSeconds).toBe(reached.step);
    method.dispose();
  });

  it('refuses settings that cannot mean anything', async () => {
    const method = protonet();
    const base = { trainPool, trainSettings: valSettings, seed: 1, valPool: testPool, valSettings, everySeconds: 1, budgetSeconds: 1, target: 0.9 };
    await expect(timeToAccuracy(method, { ...base, target: 95 })).rejects.toThrow(/target accuracy must be in \(0, 1\]/);
    await expect(timeToAccuracy(method, { ...base, everySeconds: 0 })).rejects.toThrow(/positive number of seconds/);
    method.dispose();
  });
});
