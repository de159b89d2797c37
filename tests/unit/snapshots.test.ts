// The trained snapshots the app ships (public/snapshots, src/snapshots/manifest.json): the files
// are the ones the manifest names (bytes and sha256) and weigh under 3 MB in all; every spec of
// `npm run snapshots` has its snapshot; each loads into a plan made from its setup exactly as the
// worker's `restore` does, gives on the first test episodes of seed 2017 the per-episode results
// it recorded (so its mean stays within the recorded 95% interval), and goes on training from its
// weights with finite losses below the untrained start of its curve. The float16 converter rounds
// to nearest even, keeps subnormals and overflows to infinity.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { generateGlyphs } from '../../src/core/data/glyphs';
import { planExperiment } from '../../src/core/experiment/planExperiment';
import type { ExperimentData } from '../../src/core/experiment/experimentPlan';
import { fromFloat16, fromFloat16Bits, toFloat16, toFloat16Bits } from '../../src/snapshots/float16';
import { decodeState, encodeState, snapshotBytes, snapshotsMatching } from '../../src/snapshots/snapshot';
import { checkedSnapshot, SNAPSHOT_MANIFEST } from '../../src/snapshots/source';
import { SNAPSHOT_SPECS } from '../../src/snapshots/specs';
import { EVALUATION_SEED, runConfigOf } from '../../src/ui/state/runConfig';

const DIR = join(__dirname, '../../public/snapshots');
const read = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));
const entries = SNAPSHOT_MANIFEST.entries;
/** Test episodes re-evaluated per snapshot: enough to see wrong weights, few enough for the suite's budget. */
const EPISODES: Record<string, number> = { maml: 8, fomaml: 8, metalstm: 8, protonet: 16, finetune: 16 };
const MORE_STEPS = 3;

let glyphs: ExperimentData;
beforeAll(async () => {
  await initBackend('wasm');
  glyphs = { family: 'classification', dataset: generateGlyphs({ seed: 1 }) };
});

describe('float16', () => {
  it('rounds to the nearest float16, ties to even, with subnormals and infinities', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds up past the largest: infinity
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0); // below half of it: zero
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.33325, 5);
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const back = fromFloat16(toFloat16(values));
    // Relative error of float16 is at most 2^-11.
    for (let i = 0; i < values.length; i++) expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(Math.abs(values[i]) * 2 ** -11 + 2 ** -25);
  });

  it('stores a tensor that does not fit float16 as float32', () => {
    const { bin, tensors } = encodeState({ a: { shape: [2], values: Float32Array.of(1, 2) }, big: { shape: [1], values: Float32Array.of(1e6) } });
    expect(tensors.map((t) => t.dtype)).toEqual(['float16', 'float32']);
    expect(Array.from(decodeState(bin, tensors).big.values)).toEqual([1e6]);
  });
});

describe('shipped snapshots', () => {
  it('has every snapshot the command makes, the files the manifest names, under 3 MB in all', () => {
    expect(entries.map((e) => e.id)).toEqual(SNAPSHOT_SPECS.map((s) => s.id));
    let total = 0;
    for (const e of entries) {
      for (const [file, expected] of [[`${e.id}.json`, e.files.json], [`${e.id}.bin`, e.files.bin]] as const) {
        const bytes = read(file);
        expect(bytes.byteLength, file).toBe(expected.bytes);
        expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(expected.sha256);
        total += bytes.byteLength;
      }
      expect(snapshotBytes(e)).toBe(e.files.json.bytes + e.files.bin.bytes);
      // Recorded how it was made.
      expect(e.versions.tfjs).toMatch(/^\d+\.\d+/);
      expect(e.seed).toBe(1);
      expect(e.trainingSeconds).toBeGreaterThan(0);
      expect(e.evaluation.seed).toBe(EVALUATION_SEED);
      expect(e.evaluation.episodes).toBe(600);
      // The float16 weights stayed within the recorded interval (checked by the command too).
      for (const [k, r] of e.evaluation.float32.entries()) expect(Math.abs(r.mean - e.evaluation.shipped[k].mean), e.id).toBeLessThanOrEqual(e.evaluation.shipped[k].ci95 * 1.5);
    }
    expect(total).toBeLessThan(3e6);
    // Each method of the issue on glyphs 5-way 1-shot, and MAML and fine-tuning on sine waves.
    for (const method of ['protonet', 'maml', 'fomaml', 'finetune', 'metalstm']) {
      expect(snapshotsMatching(entries, { dataset: 'glyphs', method, way: 5, shot: 1 }).length, method).toBeGreaterThan(0);
    }
    for (const method of ['maml', 'finetune']) expect(snapshotsMatching(entries, { dataset: 'sinusoid', method, way: 5, shot: 10 }).length).toBe(1);
  });

  it('refuses a file that is not the one the manifest names', async () => {
    const e = entries[0];
    const bin = read(`${e.id}.bin`);
    const changed = bin.slice();
    changed[10] ^= 1;
    await expect(checkedSnapshot(e, read(`${e.id}.json`), changed)).rejects.toThrow(/sha256/);
    await expect(checkedSnapshot(e, read(`${e.id}.json`), bin.slice(0, 100))).rejects.toThrow(/bytes/);
  });

  for (const entry of entries) {
    it(`${entry.id}: loads, evaluates as recorded on the same episodes, and trains on`, async () => {
      const { run, bin } = await checkedSnapshot(entry, read(`${entry.id}.json`), read(`${entry.id}.bin`));
      const state = decodeState(bin, run.tensors);
      const data: ExperimentData = run.setup.dataset === 'sinusoid' ? { family: 'regression' } : glyphs;
      // As `restore` does: the plan from the run's config, the kept state loaded.
      const plan = planExperiment(data, runConfigOf(run.setup));
      try {
        plan.loadCheckpoint(state);
        const episodes = run.setup.dataset === 'sinusoid' ? 50 : EPISODES[run.setup.method];
        const now = await plan.evaluate({ episodes, seed: EVALUATION_SEED });
        for (const [k, recorded] of run.evaluation.results.entries()) {
          const got = now.results[k].perEpisode;
          const want = recorded.perEpisode.slice(0, episodes);
          const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
          // The same episodes through the same weights: the recorded values (to rounding), so the
          // subset's mean is well within the recorded 95% interval.
          expect(Math.abs(mean(got) - mean(want)), `${entry.id} ${recorded.label}`).toBeLessThanOrEqual(recorded.summary.ci95);
          const same = got.filter((v, i) => Math.abs(v - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i]))).length;
          expect(same / episodes, `${entry.id} ${recorded.label}: episodes that give the recorded value`).toBeGreaterThanOrEqual(0.75);
        }
      } finally {
        plan.dispose();
      }

      // Trains on from the snapshot, as "Train on" does (a checkpoint of weights only: a fresh optimiser).
      const longer = planExperiment(data, runConfigOf({ ...run.setup, steps: run.steps + MORE_STEPS, valEvery: 0 }));
      try {
        longer.loadCheckpoint(state);
        const losses: number[] = [];
        const result = await longer.train({ startStep: run.steps, onStep: (p) => void losses.push(p.loss) });
        expect(result.status).toBe('done');
        expect(losses).toHaveLength(MORE_STEPS);
        for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
        // Trained weights: lower than where its own curve started (untrained), not back at the start.
        const untrained = run.points.slice(0, 5).reduce((a, p) => a + p.loss, 0) / 5;
        const continued = losses.reduce((a, b) => a + b, 0) / losses.length;
        expect(continued, entry.id).toBeLessThan(untrained);
      } finally {
        longer.dispose();
      }
    });
  }
});
