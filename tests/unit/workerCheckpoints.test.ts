// Checkpoints through the worker's session, as the page uses them across a reload: a paused run
// posts its checkpoint at the pause step; a new session (the page reloaded) resumes the run from it
// and trains the remaining steps with exactly the uninterrupted run's losses; a finished run's kept
// state is restored in a new session without training and evaluates, step for step and episode for
// episode, as the original. Real training on wasm; nothing depends on timing (the checkpoint is
// the pause's, whatever step the pause lands on).
import { describe, expect, it } from 'vitest';
import type { ProgressPoint, RunConfig } from '../../src/worker/protocol';
import { TRAINING_PREFIX } from '../../src/core/methods/checkpoint';
import type { SavedTensors } from '../../src/core/nn/params';
import { sessionHarness } from './fixtures/sessionHarness';

const STEPS = 14;
const protonetRun = (steps: number): RunConfig => ({ datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'protonet', steps, seed: 1 });
const sineRun = (steps: number): RunConfig => ({ datasetId: 'sine', sampler: { way: 1, shot: 10, query: 10 }, method: 'maml', steps, seed: 1 });

/** A session with the backend chosen and the glyphs (or sine waves) loaded, as the page makes one. */
async function readySession(dataset: 'glyphs' | 'sine' = 'glyphs') {
  const h = sessionHarness();
  await h.send({ type: 'init', backend: 'wasm' });
  await h.send({ type: 'loadDataset', datasetId: dataset, source: dataset === 'glyphs' ? { kind: 'glyphs' } : { kind: 'sinusoid' } });
  return h;
}

const pointsOf = (h: ReturnType<typeof sessionHarness>) => h.of('progress').flatMap((p) => p.points);
/** What a step computed (the time it took aside). */
const computed = ({ step, loss, accuracy, learningRate }: ProgressPoint) => ({ step, loss, accuracy, learningRate });

describe('worker checkpoints', () => {
  it("a paused run posts its checkpoint; after a reload it resumes from it with the uninterrupted run's points, step for step", async () => {
    const whole = await readySession();
    await whole.send({ type: 'start', runId: 'u', config: protonetRun(STEPS) });
    expect((await whole.until('finished')).status).toBe('done');
    const uninterrupted = pointsOf(whole);
    expect(uninterrupted).toHaveLength(STEPS);

    // The run paused mid-way: its checkpoint at the pause step, optimiser included, goes to the page.
    const before = await readySession();
    await before.send({ type: 'start', runId: 'r', config: protonetRun(STEPS) });
    await before.until('progress', (p) => p.step >= 2);
    await before.send({ type: 'pause', runId: 'r' });
    const paused = await before.until('progress', (p) => p.paused);
    const { checkpoint } = await before.until('checkpoint', (e) => e.checkpoint.step === paused.step);
    expect(checkpoint.step).toBeLessThan(STEPS);
    expect(Object.keys(checkpoint.state).some((name) => name.startsWith(TRAINING_PREFIX))).toBe(true);
    // The points it showed equal the uninterrupted run's (the same seeded episodes).
    expect(pointsOf(before).map(computed)).toEqual(uninterrupted.slice(0, checkpoint.step).map(computed));
    await before.send({ type: 'stop', runId: 'r' });
    await before.until('finished');

    // After a reload: a new session, the run started again from the kept checkpoint.
    const after = await readySession();
    await after.send({ type: 'start', runId: 'r', config: protonetRun(STEPS), resume: { checkpoint, shownSteps: checkpoint.step } });
    expect(await after.until('finished')).toMatchObject({ status: 'done', stepsDone: STEPS });
    const resumed = pointsOf(after);
    expect(resumed.map(computed)).toEqual(uninterrupted.slice(checkpoint.step).map(computed));
    expect(resumed[0].elapsed).toBeGreaterThanOrEqual(checkpoint.elapsed);
  }, 300_000);

  it('an older checkpoint (the learnable state alone) still resumes, with a fresh optimiser', async () => {
    const before = await readySession();
    await before.send({ type: 'start', runId: 'o', config: protonetRun(6) });
    await before.until('progress', (p) => p.step >= 1);
    await before.send({ type: 'pause', runId: 'o' });
    const paused = await before.until('progress', (p) => p.paused);
    const { checkpoint } = await before.until('checkpoint', (e) => e.checkpoint.step === paused.step);
    await before.send({ type: 'stop', runId: 'o' });
    await before.until('finished');
    const state = Object.fromEntries(Object.entries(checkpoint.state).filter(([name]) => !name.startsWith(TRAINING_PREFIX)));
    const after = await readySession();
    await after.send({ type: 'start', runId: 'o', config: protonetRun(6), resume: { checkpoint: { ...checkpoint, state }, shownSteps: checkpoint.step } });
    expect(await after.until('finished')).toMatchObject({ status: 'done', stepsDone: 6 });
    expect(pointsOf(after).map((p) => p.step)).toEqual(Array.from({ length: 6 - checkpoint.step }, (_, i) => checkpoint.step + i + 1));
  }, 300_000);

  it("restores a finished run from its kept state: it evaluates, inspects and fits as the original, on the same episodes", async () => {
    const original = await readySession();
    await original.send({ type: 'start', runId: 'k', config: protonetRun(5) });
    await original.until('finished');
    const state = (await original.send({ type: 'runState', runId: 'k' })) as SavedTensors;
    await original.send({ type: 'evaluate', runId: 'k', episodes: 10, seed: 3 });
    const evaluated = (await original.until('evaluated')).evaluation;
    const inspected = await original.send({ type: 'inspectEpisode', runId: 'k', seed: 4 });

    const later = sessionHarness();
    await later.send({ type: 'init', backend: 'wasm' });
    await expect(later.send({ type: 'restore', runId: 'k', config: protonetRun(5), state })).rejects.toThrow(
      /Dataset "glyphs" is not loaded; load it before restoring a run trained on it/,
    );
    await later.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    // A state that is not this method's is refused, saying why.
    await expect(later.send({ type: 'restore', runId: 'x', config: { ...protonetRun(5), method: 'metalstm' }, state })).rejects.toThrow(
      /The kept state does not fit this run's settings: Saved state has no tensor named/,
    );
    await later.send({ type: 'restore', runId: 'k', config: protonetRun(5), state });
    await later.send({ type: 'evaluate', runId: 'k', episodes: 10, seed: 3 });
    const again = (await later.until('evaluated')).evaluation;
    expect(again.results).toEqual(evaluated.results);
    expect(await later.send({ type: 'inspectEpisode', runId: 'k', seed: 4 })).toEqual(inspected);
    expect(later.of('progress')).toHaveLength(0); // nothing was trained
  }, 300_000);

  it('restores a finished sine-wave run: its sine plot fits as the original', async () => {
    const original = await readySession('sine');
    await original.send({ type: 'start', runId: 's', config: sineRun(5) });
    await original.until('finished');
    const state = (await original.send({ type: 'runState', runId: 's' })) as SavedTensors;
    const fit = await original.send({ type: 'fitSine', runId: 's', seed: 2, maxSteps: 3 });
    const later = await readySession('sine');
    await later.send({ type: 'restore', runId: 's', config: sineRun(5), state });
    expect(await later.send({ type: 'fitSine', runId: 's', seed: 2, maxSteps: 3 })).toEqual(fit);
  }, 120_000);
});
