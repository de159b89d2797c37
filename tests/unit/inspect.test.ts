// The episode viewer's and the sine plot's requests (inspectEpisode, fitSine) driven through the
// worker session in Node on the wasm backend, as the page drives them: real (short) training and
// real inspection of the trained model, no mocks. Also the PCA behind the embedding projection.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { principalComponents2D } from '../../src/core/train/pca';
import { FINETUNE_DEFAULTS } from '../../src/core/methods/catalog';
import { BetweenSteps } from '../../src/worker/betweenSteps';
import type { EpisodeInspection, RunConfig, SineFit } from '../../src/worker/protocol';
import { sessionHarness } from './fixtures/sessionHarness';

function harness() {
  const { send, until, of } = sessionHarness();
  const inspect = async (runId: string, seed: number) => (await send({ type: 'inspectEpisode', runId, seed })) as EpisodeInspection;
  /** Trains a run to its end. */
  const trained = async (runId: string, config: RunConfig) => {
    await send({ type: 'start', runId, config });
    expect((await until('finished', (f) => f.runId === runId)).status).toBe('done');
  };
  return { send, until, of, inspect, trained };
}

// 3-way 1-shot 4-query episodes and a handful of steps: enough to exercise everything, fast on a busy machine.
const SAMPLER = { way: 3, shot: 1, query: 4 };
const imageRun = (method: string, steps: number, hyperparameters?: Record<string, number | string>): RunConfig => ({
  datasetId: 'glyphs',
  sampler: SAMPLER,
  method,
  steps,
  seed: 1,
  metaBatch: 1,
  hyperparameters,
});

describe('inspecting a run', () => {
  const h = harness();

  beforeAll(async () => {
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    await h.send({ type: 'loadDataset', datasetId: 'sine', source: { kind: 'sinusoid' } });
  }, 120_000);

  it('shows a ProtoNet test episode: its images, consistent predictions and a projection of embeddings', async () => {
    await h.trained('proto', imageRun('protonet', 3));
    const e = await h.inspect('proto', 1);
    const { way, shot, query } = SAMPLER;
    expect(e).toMatchObject({ runId: 'proto', seed: 1, way, shot, query, imageShape: [28, 28, 1] });
    expect(e.classNames).toHaveLength(way);
    expect(new Set(e.classNames).size).toBe(way);
    expect(e.support.pixels).toHaveLength(way * shot);
    expect(e.queries.pixels).toHaveLength(way * query);
    for (const image of [...e.support.pixels, ...e.queries.pixels]) {
      expect(image).toBeInstanceOf(Uint8ClampedArray);
      expect(image).toHaveLength(28 * 28);
      const values = Array.from(image);
      expect(Math.max(...values)).toBeGreaterThan(Math.min(...values)); // a drawing, not a blank
      expect(Math.max(...values)).toBeLessThanOrEqual(255);
    }
    expect(e.support.labels).toEqual([0, 1, 2]);
    expect(e.queries.labels).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(e.queries.probabilities).toHaveLength(way * query);
    e.queries.probabilities.forEach((row, i) => {
      expect(row).toHaveLength(way);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(e.queries.predicted[i]).toBe(row.indexOf(Math.max(...row)));
    });
    const hits = e.queries.predicted.filter((p, i) => p === e.queries.labels[i]).length;
    expect(e.accuracy).toBe(hits / (way * query));
    expect(e.accuracyByStep).toBeUndefined(); // ProtoNet does not adapt in steps
    const p = e.projection!;
    expect(p.queries).toHaveLength(way * query);
    expect(p.prototypes).toHaveLength(way);
    for (const point of [...p.queries, ...p.prototypes]) point.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    expect(p.explainedVariance[0]).toBeGreaterThan(0);
    expect(p.explainedVariance[0]).toBeGreaterThanOrEqual(p.explainedVariance[1]);
    expect(p.explainedVariance[0] + p.explainedVariance[1]).toBeLessThanOrEqual(1 + 1e-9);
  }, 120_000);

  it('gives the same episode for the same seed and another for another seed, without leaking tensors', async () => {
    const first = await h.inspect('proto', 5);
    const tensors = tf.memory().numTensors;
    const again = await h.inspect('proto', 5);
    const other = await h.inspect('proto', 6);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(again.classNames).toEqual(first.classNames);
    expect(again.support.pixels).toEqual(first.support.pixels);
    expect(again.queries.pixels).toEqual(first.queries.pixels);
    expect(again.queries.probabilities).toEqual(first.queries.probabilities);
    const same = other.classNames.join() === first.classNames.join() && other.queries.pixels.every((px, i) => px.join() === first.queries.pixels[i].join());
    expect(same).toBe(false);
  }, 120_000);

  it('reports MAML query accuracy after 0..testInnerSteps steps, the last being the episode accuracy', async () => {
    await h.trained('maml', imageRun('fomaml', 2, { testInnerSteps: 3 }));
    const first = await h.inspect('maml', 2);
    const tensors = tf.memory().numTensors;
    const e = await h.inspect('maml', 2);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(e.accuracyByStep).toHaveLength(4);
    e.accuracyByStep!.forEach((a) => expect(a * SAMPLER.way * SAMPLER.query).toBeCloseTo(Math.round(a * SAMPLER.way * SAMPLER.query), 9));
    expect(e.accuracyByStep!.at(-1)).toBeCloseTo(e.accuracy, 9);
    expect(e.accuracyByStep).toEqual(first.accuracyByStep);
    expect(e.projection).toBeUndefined(); // MAML has no embedding hook
  }, 120_000);

  it('reports Meta-LSTM accuracy after 0..T updates, fine-tuning accuracy after each head step, and projects fine-tuning features', async () => {
    await h.trained('lstm', imageRun('metalstm', 1, { updates: 2 }));
    await h.inspect('lstm', 1);
    const tensors = tf.memory().numTensors;
    const lstm = await h.inspect('lstm', 1);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(lstm.accuracyByStep).toHaveLength(3);
    expect(lstm.accuracyByStep!.at(-1)).toBeCloseTo(lstm.accuracy, 9);
    expect(lstm.projection).toBeUndefined();

    await h.trained('tune', imageRun('finetune', 2));
    const tune = await h.inspect('tune', 1);
    // The new head starts untrained; its adaptSteps Adam steps are the episode's adaptation steps.
    expect(tune.accuracyByStep).toHaveLength(FINETUNE_DEFAULTS.adaptSteps + 1);
    expect(tune.accuracyByStep!.at(-1)).toBeCloseTo(tune.accuracy, 9);
    expect(tune.projection!.prototypes).toHaveLength(SAMPLER.way);
    expect(tune.projection!.queries).toHaveLength(SAMPLER.way * SAMPLER.query);
    expect(tune.projection!.explainedVariance[0]).toBeGreaterThan(0);
  }, 120_000);

  it('inspects a training run between two steps, at once while it is paused, and training goes on', async () => {
    await h.send({ type: 'start', runId: 'live', config: imageRun('protonet', 10_000) });
    await h.until('progress', (p) => p.runId === 'live' && p.step >= 2);
    const during = await h.inspect('live', 3);
    expect(during.queries.predicted).toHaveLength(SAMPLER.way * SAMPLER.query);
    const stepAfter = h.of('progress').filter((p) => p.runId === 'live').at(-1)!.step;
    await h.until('progress', (p) => p.runId === 'live' && p.step >= stepAfter + 3);

    await h.send({ type: 'pause', runId: 'live' });
    const paused = await h.until('progress', (p) => p.runId === 'live' && p.paused);
    const whilePaused = await h.inspect('live', 3);
    expect(whilePaused.queries.labels).toEqual(during.queries.labels);
    expect(h.of('progress').filter((p) => p.runId === 'live').at(-1)!.step).toBe(paused.step);
    await h.send({ type: 'resume', runId: 'live' });
    await h.until('progress', (p) => p.runId === 'live' && p.step >= paused.step + 3);
    await h.send({ type: 'stop', runId: 'live' });

    const finished = await h.until('finished', (f) => f.runId === 'live');
    expect(finished.status).toBe('stopped');
    expect(h.of('error')).toHaveLength(0);
    const steps = h.of('progress').filter((p) => p.runId === 'live').flatMap((p) => p.points.map((q) => q.step));
    expect(steps).toEqual(Array.from({ length: finished.stepsDone }, (_, i) => i + 1));
  }, 120_000);

  it('fits a sine task after 0..maxSteps steps and refuses to view its episodes', async () => {
    const K = 10;
    await h.trained('sine', { datasetId: 'sine', sampler: { way: 1, shot: K, query: 20 }, method: 'maml', steps: 5, seed: 1 });
    const fit = (await h.send({ type: 'fitSine', runId: 'sine', seed: 4, maxSteps: 5 })) as SineFit;
    expect(fit).toMatchObject({ runId: 'sine', seed: 4 });
    expect(fit.amplitude).toBeGreaterThanOrEqual(0.1);
    expect(fit.amplitude).toBeLessThanOrEqual(5);
    expect(fit.grid).toHaveLength(100);
    expect(fit.grid[0]).toBe(-5);
    expect(fit.grid.at(-1)).toBe(5);
    fit.grid.forEach((x, i) => expect(fit.target[i]).toBeCloseTo(fit.amplitude * Math.sin(x - fit.phase), 9));
    expect(fit.support.x).toHaveLength(K);
    fit.support.x.forEach((x, i) => expect(fit.support.y[i]).toBeCloseTo(fit.amplitude * Math.sin(x - fit.phase), 4));
    expect(fit.fits.map((f) => f.steps)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const f of fit.fits) {
      expect(f.y).toHaveLength(100);
      f.y.forEach((y) => expect(Number.isFinite(y)).toBe(true));
    }
    // Adapting to the support points changes the curve.
    expect(fit.fits[5].y).not.toEqual(fit.fits[0].y);
    const again = (await h.send({ type: 'fitSine', runId: 'sine', seed: 4, maxSteps: 5 })) as SineFit;
    expect(again.fits).toEqual(fit.fits);

    await expect(h.inspect('sine', 1)).rejects.toThrow(/fits sine waves .*use the sine plot \(fitSine\)/);
    await expect(h.send({ type: 'fitSine', runId: 'proto', seed: 1, maxSteps: 3 })).rejects.toThrow(/classifies images .*episode viewer/);
    await expect(h.send({ type: 'fitSine', runId: 'sine', seed: 1, maxSteps: -1 })).rejects.toThrow(/whole number from 0 to/);
    await expect(h.inspect('nope', 1)).rejects.toThrow(/No run "nope"/);
  }, 120_000);
});

describe('principalComponents2D', () => {
  it('finds a known dominant direction, then the next one orthogonal to it', () => {
    // 40 points in 5-D: large spread along u, smaller along w (orthogonal to u), tiny noise, offset.
    const u = [1, 2, 0, -2, 1].map((x) => x / Math.sqrt(10));
    const w = [2, 0, 1, 1, 0].map((x) => x / Math.sqrt(6));
    expect(u.reduce((s, x, j) => s + x * w[j], 0)).toBeCloseTo(0, 12);
    const count = 40;
    const values = new Float64Array(count * 5);
    for (let i = 0; i < count; i++) {
      const a = 10 * Math.sin(i * 1.3);
      const b = 2 * Math.cos(i * 0.7);
      for (let j = 0; j < 5; j++) values[i * 5 + j] = 3 + a * u[j] + b * w[j] + 1e-3 * Math.sin(i * 7 + j);
    }
    const p = principalComponents2D(values, count, 5);
    const along = (axis: Float64Array, v: number[]) => Math.abs(axis.reduce((s, x, j) => s + x * v[j], 0));
    expect(along(p.axes[0], u)).toBeCloseTo(1, 3);
    expect(along(p.axes[1], w)).toBeCloseTo(1, 2);
    expect(along(p.axes[0], Array.from(p.axes[1]))).toBeCloseTo(0, 9);
    // Largest entry positive: u's largest entries are +2 and -2 (index 1 first), so the axis is +u.
    expect(p.axes[0][1]).toBeGreaterThan(0);
    expect(p.explainedVariance[0]).toBeGreaterThan(0.9);
    expect(p.explainedVariance[0] + p.explainedVariance[1]).toBeGreaterThan(0.999999);
    // Coordinates are the centred points along the axes.
    const mean = Array.from({ length: 5 }, (_, j) => Array.from({ length: count }, (_, i) => values[i * 5 + j]).reduce((s, x) => s + x, 0) / count);
    const x0 = Array.from({ length: 5 }, (_, j) => values[j] - mean[j]);
    expect(p.coordinates[0][0]).toBeCloseTo(x0.reduce((s, x, j) => s + x * p.axes[0][j], 0), 9);
  });

  it('gives zeros, not NaN, for points that do not vary', () => {
    const p = principalComponents2D(new Float32Array(12).fill(0.5), 4, 3);
    expect(p.coordinates).toEqual(Array.from({ length: 4 }, () => [0, 0]));
    expect(p.explainedVariance).toEqual([0, 0]);
  });
});

describe('BetweenSteps', () => {
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('holds jobs while a step may run, runs them when the loop drains, and at once while parked', async () => {
    const jobs = new BetweenSteps(true);
    const order: string[] = [];
    const a = jobs.run(async () => (order.push('a'), 'A'));
    const b = jobs.run(async () => (order.push('b'), 'B'));
    await tick();
    expect(order).toEqual([]); // mid-step: nothing runs
    await jobs.drain();
    expect(order).toEqual(['a', 'b']);
    expect(await Promise.all([a, b])).toEqual(['A', 'B']);
    jobs.park();
    expect(await jobs.run(async () => 'now')).toBe('now');
  });

  it('makes a resuming loop wait for a job that runs while it is parked', async () => {
    const jobs = new BetweenSteps(false);
    let release = () => {};
    const job = jobs.run(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    let resumed = false;
    const unparked = jobs.unpark().then(() => (resumed = true));
    await tick();
    expect(resumed).toBe(false);
    release();
    await unparked;
    expect(await job).toBe('done');
    jobs.park(); // (unparked, a job would wait for the next drain)
    await expect(jobs.run(async () => { throw new Error('boom'); }).then(() => 'no', (e: Error) => e.message)).resolves.toBe('boom');
  });

  it('rejects queued and later jobs once the run is closed', async () => {
    const jobs = new BetweenSteps(true);
    const queued = jobs.run(async () => 1);
    jobs.close(new Error('model gone'));
    await expect(queued).rejects.toThrow('model gone');
    await expect(jobs.run(async () => 2)).rejects.toThrow('model gone');
  });
});
