// The N-way K-shot Q-query sampler: counts, labels, distinct images, determinism, pool membership,
// and clear messages for requests that cannot be met.
import { describe, expect, it } from 'vitest';
import { episodeAt, sampleEpisode, samplerProblems, type ClassPool } from '../../src/core/episodes/sampler';
import { Rng } from '../../src/core/rng';
import { toyDataset } from './fixtures/toyDataset';

const dataset = toyDataset(6, 5, 20);
const pool: ClassPool = { name: 'train', dataset, classIndices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };

describe('sampleEpisode', () => {
  it('draws N classes from the pool with K support and Q query images each, labelled in order', () => {
    const e = sampleEpisode(pool, { way: 5, shot: 3, query: 4 }, new Rng(1));
    expect(e.classIndices).toHaveLength(5);
    expect(new Set(e.classIndices).size).toBe(5);
    for (const c of e.classIndices) expect(pool.classIndices).toContain(c);
    expect(e.support.count).toBe(15);
    expect(e.query.count).toBe(20);
    expect(Array.from(e.support.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(Array.from(e.query.labels.slice(0, 5))).toEqual([0, 0, 0, 0, 1]);
    expect(e.support.images.length).toBe(15 * 16);
  });

  it('never puts one image in both support and query, and images match their class', () => {
    const e = sampleEpisode(pool, { way: 4, shot: 5, query: 15 }, new Rng(2));
    for (let label = 0; label < 4; label++) {
      const s = e.supportImageIndices.slice(label * 5, label * 5 + 5);
      const q = e.queryImageIndices.slice(label * 15, label * 15 + 15);
      expect(new Set([...s, ...q]).size).toBe(20);
      // The toy pixel value encodes (class, image): check the first support image's pixels.
      const cls = e.classIndices[label];
      expect(Math.round(e.support.images[label * 5 * 16] * 255)).toBe((cls * 7 + s[0]) % 256);
    }
  });

  it('replays exactly from the seed, and episode i depends only on (seed, i)', () => {
    const settings = { way: 5, shot: 1, query: 5 };
    const a = episodeAt(pool, settings, 11, 3);
    const b = episodeAt(pool, settings, 11, 3);
    expect(b.classIndices).toEqual(a.classIndices);
    expect(b.queryImageIndices).toEqual(a.queryImageIndices);
    expect(episodeAt(pool, settings, 11, 4).queryImageIndices).not.toEqual(a.queryImageIndices);
    expect(episodeAt(pool, settings, 12, 3).queryImageIndices).not.toEqual(a.queryImageIndices);
  });

  it('uses every class of the pool over many episodes', () => {
    const seen = new Set<number>();
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) for (const c of sampleEpisode(pool, { way: 5, shot: 1, query: 1 }, rng).classIndices) seen.add(c);
    expect(seen.size).toBe(pool.classIndices.length);
  });
});

describe('samplerProblems', () => {
  it('names the numbers when N exceeds the classes of the split', () => {
    const [{ code, field, message }] = samplerProblems(pool, { way: 20, shot: 1, query: 5 });
    expect({ code, field }).toEqual({ code: 'too-few-classes', field: 'way' });
    expect(message).toBe('Ways (N) is 20 but the train split has 12 classes: choose at most 12, or give the train split a bigger share.');
    // A pool's own words: the setting that sets its ways and how to give it more classes.
    const words = { where: 'the training split', wayLabel: 'Training ways', grow: 'give the training split a bigger share' };
    expect(samplerProblems(pool, { way: 20, shot: 1, query: 5 }, words)[0].message).toBe(
      'Training ways is 20 but the training split has 12 classes: choose at most 12, or give the training split a bigger share.',
    );
  });

  it('names the class that has fewer than K+Q images and the largest K+Q that fits', () => {
    const uneven = toyDataset(1, 3, [20, 20, 6]);
    const p: ClassPool = { name: 'test', dataset: uneven, classIndices: [0, 1, 2] };
    const [{ code, field, message }] = samplerProblems(p, { way: 2, shot: 5, query: 15 });
    expect({ code, field }).toEqual({ code: 'too-few-images', field: 'shot' });
    expect(message).toMatch(/K\+Q = 5\+15 = 20 images/);
    expect(message).toMatch(/"g0\/c2" \(6\)/);
    expect(message).toMatch(/at most 6/);
    expect(() => sampleEpisode(p, { way: 2, shot: 5, query: 15 }, new Rng(1))).toThrow(/g0\/c2/);
  });

  it('refuses K = 0, N < 2 and Q = 0 with what to do', () => {
    expect(samplerProblems(pool, { way: 5, shot: 0, query: 5 })[0]).toEqual({ code: 'out-of-range', field: 'shot', message: expect.stringMatching(/Shots \(K\) must be a whole number of at least 1/) });
    expect(samplerProblems(pool, { way: 1, shot: 1, query: 5 })[0]).toEqual({ code: 'out-of-range', field: 'way', message: expect.stringMatching(/Ways \(N\) must be a whole number of at least 2/) });
    expect(samplerProblems(pool, { way: 5, shot: 1, query: 0 })[0]).toEqual({ code: 'out-of-range', field: 'query', message: expect.stringMatching(/Queries per class/) });
    expect(samplerProblems({ ...pool, classIndices: [] }, { way: 5, shot: 1, query: 5 })[0]).toEqual({ code: 'too-few-classes', field: 'split', message: expect.stringMatching(/has no classes/) });
  });

  it('is empty for a request that fits', () => {
    expect(samplerProblems(pool, { way: 12, shot: 5, query: 15 })).toEqual([]);
  });
});
