// The setup in a link's query string: the default setup writes nothing; any valid setup (hundreds
// drawn at random from the catalogs) comes back exactly with no notice, whatever the key order; a
// bad setting is skipped on its own with a notice naming it, why and what was kept; what it accepts
// agrees with setupProblems at every limit; random, percent-encoded and repeated input never throws
// and always gives a valid setup.
import { queryWithSetup } from '../../../src/ui/state/urlSync';
import { describe, expect, it } from 'vitest';
import { resolveHyperparameters, type Hyperparameters } from '../../../src/core/methods/catalog';
import { DEFAULT_SETUP, methodInfo, methodsFor, type DatasetChoice, type Setup } from '../../../src/ui/state/setup';
import { setupProblems, type SetupField } from '../../../src/ui/state/setupProblems';
import { normaliseSetup, RESERVED_KEYS, setupFromQuery, setupToQuery } from '../../../src/ui/state/urlState';
import type { BackendPreference } from '../../../src/worker/protocol';

const DATASETS: DatasetChoice[] = ['glyphs', 'omniglot', 'sinusoid'];
const BACKENDS: BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const SINE: Setup = { ...DEFAULT_SETUP, dataset: 'sinusoid', method: 'maml', shot: 10, query: 100 };

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A valid setup: dataset, a method of it, hyperparameters within the catalog, sampler values within limits. */
function randomSetup(rand: () => number): Setup {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // Small values most of the time, the whole range some of the time, the default now and then.
  const count = (lo: number, hi: number, fallback: number) => (rand() < 0.2 ? fallback : rand() < 0.6 ? int(lo, Math.min(hi, lo + 30)) : int(lo, hi));
  const dataset = pick(DATASETS);
  const info = pick(methodsFor(dataset));
  const hyperparameters: Hyperparameters = {};
  for (const [name, h] of Object.entries(info.hyperparameters)) {
    if (rand() < 0.4) continue;
    if (h.choices) {
      hyperparameters[name] = pick(h.choices);
      continue;
    }
    const lo = h.min ?? 0;
    const hi = h.max ?? lo + 1e4;
    hyperparameters[name] = pick([
      () => lo,
      () => hi,
      () => info.defaults[name] as number,
      () => lo + rand() * (hi - lo), // a full-mantissa double
      () => Math.min(hi, Math.max(lo, 10 ** (-7 + rand() * 7))), // small step sizes: 1e-7 .. 1
      () => int(Math.ceil(lo), Math.floor(hi)),
    ])();
  }
  const train = int(1, 99);
  const test = int(1, 100 - train);
  const half = rand() < 0.2 && train > 1 && test > 1; // 33.5 + 16.5 + 50: exact in binary
  return {
    dataset,
    way: count(2, 1000, 5),
    shot: count(1, 1000, 1),
    query: count(1, 1000, 15),
    trainWay: count(2, 1000, 5),
    split: rand() < 0.2 ? { ...DEFAULT_SETUP.split } : { train: half ? train - 0.5 : train, val: 100 - train - test + (half ? 1 : 0), test: half ? test - 0.5 : test },
    augmentShift: int(0, 8),
    augmentFlip: rand() < 0.5,
    method: info.name,
    hyperparameters,
    steps: count(1, 1_000_000, 300),
    valEvery: count(0, 1_000_000, 50),
    evalEpisodes: count(10, 10_000, 600),
    seed: rand() < 0.2 ? 1 : int(0, 2 ** 31 - 1),
    backend: pick(BACKENDS),
  };
}

describe('setupToQuery', () => {
  it('writes nothing for the default setup', () => {
    expect(setupToQuery(DEFAULT_SETUP)).toBe('');
    expect(setupToQuery({ ...DEFAULT_SETUP, hyperparameters: { learningRate: 1e-3, batchNormAtTest: 'running' } })).toBe('');
  });

  it('writes only what differs, in a fixed order, hyperparameters after the method', () => {
    const setup: Setup = {
      ...DEFAULT_SETUP,
      backend: 'wasm',
      hyperparameters: { batchNormAtTest: 'batch', testInnerSteps: 10, innerLearningRate: 0.1 },
      method: 'maml',
      split: { train: 60, val: 20, test: 20 },
      trainWay: 20,
      augmentFlip: true,
    };
    expect(setupToQuery(setup)).toBe('trainWay=20&split=60,20,20&flip=1&method=maml&h.innerLearningRate=0.1&h.batchNormAtTest=batch&backend=wasm');
    expect(setupToQuery(SINE)).toBe('dataset=sinusoid&shot=10&query=100&method=maml');
  });

  it('writes numbers that parse back exactly', () => {
    const setup: Setup = { ...DEFAULT_SETUP, method: 'finetune', hyperparameters: { learningRate: 0.1 + 0.2, backboneLearningRate: 1e-7, adaptWeightDecay: 1 / 3 } };
    const query = setupToQuery(setup);
    expect(query).toBe('method=finetune&h.learningRate=0.30000000000000004&h.adaptWeightDecay=0.3333333333333333&h.backboneLearningRate=1e-7');
    const big: Setup = { ...DEFAULT_SETUP, hyperparameters: { lrDecayEvery: 1e21 } };
    expect(setupToQuery(big)).toBe('h.lrDecayEvery=1e%2B21'); // a bare '+' would read back as a space
    expect(setupFromQuery(setupToQuery(setup))).toStrictEqual({ setup, notices: [] });
    expect(setupFromQuery(setupToQuery(big))).toStrictEqual({ setup: big, notices: [] });
  });
});

describe('setupFromQuery', () => {
  it('round-trips 600 random valid setups exactly, with no notice', () => {
    const rand = rng(20240611);
    for (let i = 0; i < 600; i++) {
      const setup = randomSetup(rand);
      expect(setupProblems(setup)).toEqual({}); // the generator makes valid setups
      expect(() => resolveHyperparameters(methodInfo(setup.dataset, setup.method)!, setup.hyperparameters)).not.toThrow();
      const query = setupToQuery(setup);
      const back = setupFromQuery(query);
      expect(back.notices, query).toEqual([]);
      expect(normaliseSetup(back.setup), query).toStrictEqual(normaliseSetup(setup));
      expect(setupToQuery(back.setup)).toBe(query);
    }
  });

  it('reads the settings in any order (dataset and method first)', () => {
    const rand = rng(7);
    for (let i = 0; i < 100; i++) {
      const setup = randomSetup(rand);
      const pairs = setupToQuery(setup).split('&');
      for (let j = pairs.length - 1; j > 0; j--) {
        const k = Math.floor(rand() * (j + 1));
        [pairs[j], pairs[k]] = [pairs[k], pairs[j]];
      }
      const back = setupFromQuery(pairs.join('&'));
      expect(back.notices).toEqual([]);
      expect(normaliseSetup(back.setup)).toStrictEqual(normaliseSetup(setup));
    }
    expect(setupFromQuery('h.innerLearningRate=0.2&way=3&method=fomaml&dataset=sinusoid').setup).toStrictEqual({
      ...DEFAULT_SETUP,
      dataset: 'sinusoid',
      method: 'fomaml',
      way: 3,
      hyperparameters: { innerLearningRate: 0.2 },
    });
  });

  it('skips each bad setting with a notice naming it, why and what was kept; the others apply', () => {
    const cases: Array<[string, string, Setup?]> = [
      ['way=abc', 'Ignored "way=abc" in the link: Ways (N) must be a whole number of at least 2; kept 5.'],
      ['way=2.5', 'Ignored "way=2.5" in the link: Ways (N) must be a whole number of at least 2; kept 5.'],
      ['way=5000', 'Ignored "way=5000" in the link: Ways (N) must be a whole number of at most 1,000; kept 5.'],
      ['shot=0', 'Ignored "shot=0" in the link: Shots (K) must be a whole number of at least 1; kept 1.'],
      ['shot=0', 'Ignored "shot=0" in the link: Support points per task (K) must be a whole number from 1 to 1000; kept 10.', SINE],
      ['query=', 'Ignored "query=" in the link: Queries per class must be a whole number of at least 1; kept 15.'],
      ['trainWay=0x10', 'Ignored "trainWay=0x10" in the link: Training ways must be a whole number of at least 2; kept 5.'],
      ['split=50,10,20', 'Ignored "split=50,10,20" in the link: The split\'s percentages must be non-negative and add up to 100 (now 50 + 10 + 20 = 80); kept 70,10,20.'],
      ['split=0,50,50', 'Ignored "split=0,50,50" in the link: Training and test need classes of their own: give each a share above 0%; kept 70,10,20.'],
      ['split=70,30', 'Ignored "split=70,30" in the link: The split must be three percentages (training, validation, test), e.g. 70,10,20; kept 70,10,20.'],
      ['shift=9', 'Ignored "shift=9" in the link: Random shifts must be a whole number of at most 8; kept 0.'],
      ['flip=maybe', 'Ignored "flip=maybe" in the link: Random horizontal flips must be 1 (on) or 0 (off); kept 0.'],
      ['steps=0', 'Ignored "steps=0" in the link: Training steps must be a whole number from 1 to 1,000,000; kept 300.'],
      ['valEvery=-1', 'Ignored "valEvery=-1" in the link: Validate every must be a whole number of steps from 0 to 1,000,000 (0 turns validation off); kept 50.'],
      ['evalEpisodes=5', 'Ignored "evalEpisodes=5" in the link: Test episodes must be a whole number from 10 to 10,000; kept 600.'],
      ['seed=Infinity', 'Ignored "seed=Infinity" in the link: Seed must be a whole number from 0 to 2147483647; kept 1.'],
      ['backend=metal', 'Ignored "backend=metal" in the link: Backend must be one of auto, webgpu, webgl, wasm, cpu; kept auto.'],
      ['dataset=mnist', 'Ignored "dataset=mnist" in the link: Dataset must be one of glyphs, omniglot, sinusoid; kept glyphs.'],
      ['method=reptile', 'Ignored "method=reptile" in the link: Method must be one of protonet, maml, fomaml, finetune, metalstm on glyphs; kept protonet.'],
      ['dataset=sinusoid&method=protonet', 'Ignored "method=protonet" in the link: Method must be one of maml, fomaml, finetune, metalstm on sinusoid; kept maml.'],
      ['method=maml&h.innerLearningRate=11', 'Ignored "h.innerLearningRate=11" in the link: innerLearningRate must be a number between 0 and 10; kept 0.4.'],
      ['h.lrDecayEvery=-5', 'Ignored "h.lrDecayEvery=-5" in the link: lrDecayEvery must be a number of at least 0; kept 2000.'],
      ['h.batchNormAtTest=support', 'Ignored "h.batchNormAtTest=support" in the link: batchNormAtTest must be one of running, batch; kept running.'],
      [
        'h.head=cosine',
        'Ignored "h.head=cosine" in the link: Prototypical Networks has no setting "head" (it has: learningRate, lrDecayEvery, lrDecayFactor, batchNormAtTest, batchNormMomentum).',
      ],
    ];
    for (const [bad, notice, base = DEFAULT_SETUP] of cases) {
      const other = bad.startsWith('seed=') ? 'steps' : 'seed'; // a good setting next to the bad one
      const { setup, notices } = setupFromQuery(`${other}=42&${bad}`, base);
      expect(notices, bad).toEqual([notice]);
      expect(setup[other], bad).toBe(42);
      expect(setupProblems(setup), bad).toEqual({});
    }
    // Several bad settings: one notice each, in the link's order.
    expect(setupFromQuery('way=1&foo=2&shot=x').notices).toHaveLength(3);
    // A long value is cut short in the notice.
    expect(setupFromQuery(`way=${'9'.repeat(500)}`).notices[0]).toMatch(/^Ignored "way=9{40}…" in the link: .*; kept 5\.$/);
  });

  it('names unknown settings and leaves the keys of embed mode alone', () => {
    expect(RESERVED_KEYS).toEqual(['embed', 'hide', 'origin', 'lesson']);
    const { setup, notices } = setupFromQuery('foo=1&embed=1&hide=charts,code&origin=https%3A%2F%2Fexample.org&way=7&constructor=1');
    expect(notices).toEqual(['Ignored unknown setting "foo" in the link.', 'Ignored unknown setting "constructor" in the link.']);
    expect(setup).toStrictEqual({ ...DEFAULT_SETUP, way: 7 });
  });

  it('decodes percent-encoding, accepts a leading "?", and lets the last of a repeated key win', () => {
    expect(setupFromQuery('?%64ataset=omniglot&way=%31%30').setup).toStrictEqual({ ...DEFAULT_SETUP, dataset: 'omniglot', way: 10 });
    expect(setupFromQuery('way=3&way=abc&way=9')).toStrictEqual({ setup: { ...DEFAULT_SETUP, way: 9 }, notices: [] });
    expect(setupFromQuery('way=9&way=abc').notices).toEqual(['Ignored "way=abc" in the link: Ways (N) must be a whole number of at least 2; kept 5.']);
    expect(setupFromQuery('method=maml&method=finetune&h.head=linear').setup).toMatchObject({ method: 'finetune', hyperparameters: { head: 'linear' } });
  });

  it('starts from the base setup; another method or dataset starts from its own defaults', () => {
    const base: Setup = { ...DEFAULT_SETUP, method: 'maml', hyperparameters: { innerSteps: 3 }, seed: 9 };
    expect(setupFromQuery('way=7', base).setup).toStrictEqual({ ...base, way: 7 });
    expect(setupFromQuery('method=maml&h.testInnerSteps=20', base).setup.hyperparameters).toEqual({ innerSteps: 3, testInnerSteps: 20 });
    expect(setupFromQuery('method=protonet', base).setup).toStrictEqual({ ...base, method: 'protonet', hyperparameters: {} });
    expect(setupFromQuery('dataset=omniglot', base).setup).toStrictEqual({ ...base, dataset: 'omniglot', hyperparameters: {} });
    // A method that cannot run on the link's dataset gives way to the dataset's first one, silently.
    expect(setupFromQuery('dataset=sinusoid')).toStrictEqual({ setup: { ...DEFAULT_SETUP, dataset: 'sinusoid', method: 'maml' }, notices: [] });
    // A hyperparameter set back to its default is no override.
    expect(setupFromQuery('h.innerSteps=1', base).setup.hyperparameters).toEqual({});
    expect(setupFromQuery('method=maml&h.innerLearningRate=0.4').setup.hyperparameters).toEqual({});
  });

  it('accepts exactly what setupProblems accepts, at every limit', () => {
    const wholeKeys: Array<[string, keyof Setup, SetupField]> = [
      ['way', 'way', 'way'],
      ['shot', 'shot', 'shot'],
      ['query', 'query', 'query'],
      ['trainWay', 'trainWay', 'trainWay'],
      ['shift', 'augmentShift', 'augment'],
      ['steps', 'steps', 'steps'],
      ['valEvery', 'valEvery', 'valEvery'],
      ['evalEpisodes', 'evalEpisodes', 'evalEpisodes'],
      ['seed', 'seed', 'seed'],
    ];
    const values = [-1, 0, 0.5, 1, 1.5, 2, 3, 7, 8, 9, 10, 11, 599, 999, 1000, 1001, 9999, 10_000, 10_001, 999_999, 1e6, 1e6 + 1, 2 ** 31 - 1, 2 ** 31];
    for (const base of [DEFAULT_SETUP, SINE]) {
      for (const [key, field, problemField] of wholeKeys) {
        if (base === SINE && key !== 'shot' && key !== 'query') continue; // setupProblems checks only these on sines
        for (const value of values) {
          const accepted = setupFromQuery(`${key}=${value}`, base).notices.length === 0;
          expect(accepted, `${base.dataset} ${key}=${value}`).toBe(setupProblems({ ...base, [field]: value })[problemField] === undefined);
        }
      }
    }
    for (const split of ['70,10,20', '0,50,50', '50,50,0', '60,0,40', '100,0,0', '50,10,20', '-10,60,50', '33.5,16.5,50']) {
      const [train, val, test] = split.split(',').map(Number);
      const accepted = setupFromQuery(`split=${split}`).notices.length === 0;
      expect(accepted, split).toBe(setupProblems({ ...DEFAULT_SETUP, split: { train, val, test } }).split === undefined);
    }
    for (const dataset of ['glyphs', 'sinusoid'] as const) {
      for (const info of methodsFor(dataset)) {
        const base: Setup = { ...DEFAULT_SETUP, dataset, method: info.name };
        for (const [name, h] of Object.entries(info.hyperparameters)) {
          const candidates = h.choices
            ? [...h.choices, 'nope']
            : [h.min, h.max, (h.min ?? 0) / 2, (h.min ?? 0) - 1, (h.max ?? 1) * 1.5, (h.max ?? 1) + 1, 0.5].filter((v): v is number => v !== undefined);
          for (const value of candidates) {
            const accepted = setupFromQuery(`method=${info.name}&h.${name}=${value}`, base).notices.length === 0;
            expect(accepted, `${dataset} ${info.name} ${name}=${value}`).toBe(setupProblems({ ...base, hyperparameters: { [name]: value } })[`hyper.${name}`] === undefined);
          }
        }
      }
    }
  });

  it('never throws on random text, percent-encoding and repeated keys, and always gives a valid setup', () => {
    const before = JSON.stringify(DEFAULT_SETUP);
    const rand = rng(99);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const keys = ['dataset', 'method', 'way', 'shot', 'query', 'trainWay', 'split', 'shift', 'flip', 'steps', 'valEvery', 'evalEpisodes', 'seed', 'backend',
      'h.learningRate', 'h.innerSteps', 'h.head', 'h.batchNormAtTest', 'h.lrDecayEvery', 'h.__proto__', 'h.constructor', 'h.', '__proto__', 'constructor',
      'toString', 'hasOwnProperty', 'embed', 'hide', 'foo', '', '%', '%64ataset', 'way%'];
    const values = ['', 'abc', '5', '-1', '0', '1e3', '1e+21', '1e%2B21', '1e999', 'NaN', 'Infinity', '0x10', '%', '%zz', '%E2%82', '%C3%A9', '%00', '+', ',',
      '70,10,20', '1,,', 'sinusoid', 'omniglot', 'maml', 'protonet', 'finetune', 'cosine', 'batch', 'constructor', '__proto__', '\u0000', '\ud800', '😀', '=', '&', '?', '#', ' 5 '];
    const chars = '&=?%+,.#;/ azAZ09h\u00e9\ud83d\ude00\ud800\n';
    for (let i = 0; i < 3000; i++) {
      let query = '';
      const pairs = Math.floor(rand() * 8);
      for (let j = 0; j < pairs; j++) {
        if (rand() < 0.15) for (let c = Math.floor(rand() * 12); c > 0; c--) query += pick([...chars]);
        else query += `${pick(keys)}${rand() < 0.9 ? '=' : ''}${pick(values)}${rand() < 0.9 ? '&' : ''}`;
      }
      const base = i % 3 === 0 ? randomSetup(rand) : DEFAULT_SETUP;
      let result!: ReturnType<typeof setupFromQuery>;
      expect(() => (result = setupFromQuery(query, base)), query).not.toThrow();
      expect(setupProblems(result.setup), query).toEqual({});
      expect(() => resolveHyperparameters(methodInfo(result.setup.dataset, result.setup.method)!, result.setup.hyperparameters), query).not.toThrow();
      for (const notice of result.notices) expect(notice.length, query).toBeLessThan(400);
      // Whatever was accepted writes and reads back the same.
      expect(normaliseSetup(setupFromQuery(setupToQuery(result.setup)).setup), query).toStrictEqual(normaliseSetup(result.setup));
    }
    expect(JSON.stringify(DEFAULT_SETUP)).toBe(before);
  });
});

describe('normaliseSetup', () => {
  it("drops hyperparameter overrides equal to the method's default and keeps the rest", () => {
    const setup: Setup = { ...DEFAULT_SETUP, method: 'maml', hyperparameters: { innerLearningRate: 0.4, innerSteps: 2, batchNormAtTest: 'support' } };
    expect(normaliseSetup(setup)).toStrictEqual({ ...setup, hyperparameters: { innerSteps: 2 } });
    expect(setup.hyperparameters).toEqual({ innerLearningRate: 0.4, innerSteps: 2, batchNormAtTest: 'support' }); // not changed in place
    expect(normaliseSetup(DEFAULT_SETUP)).toStrictEqual(DEFAULT_SETUP);
  });
});

describe('queryWithSetup (the page URL)', () => {
  it('replaces the setup part of the query and keeps the keys of embed mode', () => {
    const setup = { ...DEFAULT_SETUP, shot: 5 };
    expect(queryWithSetup('?embed=1&way=7&hide=seed', setup)).toBe('?embed=1&hide=seed&shot=5');
    expect(queryWithSetup('?way=7', DEFAULT_SETUP)).toBe('');
  });
});
