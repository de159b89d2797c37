// Class splits: disjoint, by group, complete, seeded, with the proportions asked for.
import { describe, expect, it } from 'vitest';
import { groupCounts, parseSplit, splitByGroup } from '../../src/core/episodes/split';
import { toyDataset } from './fixtures/toyDataset';

describe('splitByGroup', () => {
  const dataset = toyDataset(30, 5, 20);

  it('shares no class and no group between splits, and covers every class', () => {
    const s = splitByGroup(dataset, { train: 0.7, val: 0.1, test: 0.2 }, 3);
    const all = [...s.train, ...s.val, ...s.test];
    expect(new Set(all).size).toBe(dataset.classes.length);
    expect(all.length).toBe(dataset.classes.length);
    const groupsOf = (ids: number[]) => new Set(ids.map((i) => dataset.classes[i].group));
    const [tr, va, te] = [groupsOf(s.train), groupsOf(s.val), groupsOf(s.test)];
    expect([tr.size, va.size, te.size]).toEqual([21, 3, 6]);
    for (const g of tr) expect(va.has(g) || te.has(g)).toBe(false);
    for (const g of va) expect(te.has(g)).toBe(false);
  });

  it('is the same for the same seed and different for another', () => {
    const a = splitByGroup(dataset, { train: 0.8, val: 0, test: 0.2 }, 1);
    expect(splitByGroup(dataset, { train: 0.8, val: 0, test: 0.2 }, 1)).toEqual(a);
    expect(splitByGroup(dataset, { train: 0.8, val: 0, test: 0.2 }, 2).test).not.toEqual(a.test);
  });

  it('accepts whole group counts like 24 train / 6 val alphabets', () => {
    const s = splitByGroup(dataset, parseSplit('24,6,0'), 1);
    expect(s.train.length).toBe(24 * 5);
    expect(s.val.length).toBe(6 * 5);
    expect(s.test).toEqual([]);
  });

  it('explains bad proportions', () => {
    expect(() => groupCounts(30, { train: 20, val: 6, test: 0 })).toThrow(/26 groups but the dataset has 30/);
    expect(() => groupCounts(30, { train: 0.5, val: 0.1, test: 0.1 })).toThrow(/add up to 1/);
    expect(() => parseSplit('0.7,0.3')).toThrow(/three non-negative numbers/);
  });

  it('gives a small non-zero split at least one group', () => {
    expect(groupCounts(5, { train: 0.9, val: 0.05, test: 0.05 })).toEqual({ train: 3, val: 1, test: 1 });
  });
});
