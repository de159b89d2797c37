// The compute worker's session driven end to end in Node, as the page drives it: messages in,
// events out. Real training on the wasm backend (no mocks): throttled but complete progress,
// pause and resume, a backend failure mid-run that moves to the next backend and resumes from the
// last checkpoint with the curve intact, settings errors as messages, evaluation, regression runs.
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/node/decodeImage';
import { WorkerSession } from '../../src/worker/session';
import { nodeBackends } from './fixtures/nodeBackends';
import { sessionHarness } from './fixtures/sessionHarness';

const protonetRun = (steps: number) => ({
  datasetId: 'glyphs',
  sampler: { way: 5, shot: 1, query: 5 },
  method: 'protonet',
  steps,
  seed: 1,
});

describe('worker session', () => {
  it('chooses one backend at a time: a second choice made while the first is starting waits for it', async () => {
    let active = 0;
    let overlapped = false;
    const order: string[] = [];
    const session = new WorkerSession({
      post: () => {},
      decode: decodeImage,
      backends: {
        ...nodeBackends,
        choose: async (preference) => {
          overlapped ||= active > 0;
          active++;
          order.push(`start ${preference}`);
          const chosen = await nodeBackends.choose(preference);
          order.push(`end ${preference}`);
          active--;
          return chosen;
        },
      },
    });
    // The page's own "auto" at start-up and the user's choice right after it.
    await Promise.all([session.handle({ type: 'init', id: 1, backend: 'auto' }), session.handle({ type: 'init', id: 2, backend: 'cpu' })]);
    expect(overlapped).toBe(false);
    expect(order).toEqual(['start auto', 'end auto', 'start cpu', 'end cpu']);
  });

  it('trains with throttled but complete progress, then evaluates on held-out classes', async () => {
    const h = sessionHarness();
    const backend = (await h.send({ type: 'init', backend: 'auto' })) as { backend: string };
    expect(backend.backend).toBe('wasm');
    expect(h.of('backend')[0].reason).toMatch(/wasm/);
    const summary = (await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } })) as { classes: number };
    expect(summary.classes).toBe(800);
    const started = performance.now();
    await h.send({ type: 'start', runId: 'a', config: protonetRun(40) });
    const finished = await h.until('finished');
    const seconds = (performance.now() - started) / 1000;
    expect(finished).toMatchObject({ runId: 'a', status: 'done', stepsDone: 40 });
    const progress = h.of('progress');
    const steps = progress.flatMap((p) => p.points.map((q) => q.step));
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1)); // every point, once, in order
    // Throttled: at most 4 messages a second (the default) however fast steps go, plus the first and
    // the last; a rate bound, so a slow, busy machine (steps slower than the throttle) passes too.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    // ... and between two messages a quarter of a second or more passed, except where a message was
    // forced: before each checkpoint (points first) and at the end.
    const times = progress.map((p) => h.postedAt.get(p)!);
    const shortGaps = times.slice(1).filter((t, i) => t - times[i] < 249).length;
    expect(shortGaps).toBeLessThanOrEqual(h.of('checkpoint').length + 1);
    expect(progress.at(-1)!.step).toBe(40);
    await h.send({ type: 'evaluate', runId: 'a', episodes: 30, seed: 3 });
    const evaluated = (await h.until('evaluated')).evaluation;
    expect(evaluated).toMatchObject({ runId: 'a', metric: 'accuracy', episodes: 30, split: 'test', backend: 'wasm' });
    expect(evaluated.results[0].summary.mean).toBeGreaterThan(0.3);
    expect(evaluated.results[0].perEpisode).toHaveLength(30);
  });

  it('pauses between steps and resumes where it stopped', async () => {
    const h = sessionHarness();
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    await h.send({ type: 'start', runId: 'p', config: protonetRun(60) });
    await h.until('progress', (p) => p.step >= 3);
    await h.send({ type: 'pause', runId: 'p' });
    const paused = await h.until('progress', (p) => p.paused);
    const stepWhenPaused = paused.step;
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.of('progress').at(-1)!.step).toBe(stepWhenPaused);
    expect(h.of('finished')).toHaveLength(0);
    await h.send({ type: 'resume', runId: 'p' });
    expect((await h.until('finished')).status).toBe('done');
    const steps = h.of('progress').flatMap((p) => p.points.map((q) => q.step));
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('moves to the next backend when the backend fails mid-run and resumes from its checkpoint, keeping the curve', async () => {
    const h = sessionHarness({ checkpointSeconds: 0.2 });
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    await h.send({ type: 'start', runId: 'f', config: protonetRun(24) });
    await h.until('checkpoint');
    await h.send({ type: 'injectFault', fault: 'backend' });
    const warning = await h.until('warning');
    expect(warning.message).toMatch(/The wasm backend failed at step \d+ .*Training continues on cpu from its checkpoint at step \d+; the curve so far is kept/);
    expect(h.of('backend').at(-1)).toMatchObject({ backend: 'cpu', reason: 'wasm failed mid-run; switched to cpu' });
    const finished = await h.until('finished');
    expect(finished).toMatchObject({ status: 'done', stepsDone: 24 });
    const steps = h.of('progress').flatMap((p) => p.points.map((q) => q.step));
    expect(steps).toEqual(Array.from({ length: 24 }, (_, i) => i + 1)); // nothing lost, nothing twice
  }, 300_000);

  it('answers impossible settings with what to change, and runs nothing', async () => {
    const h = sessionHarness();
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'glyphs', source: { kind: 'glyphs' } });
    // Each refusal says which setting to change, so the page marks that control without reading words.
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), sampler: { way: 500, shot: 1, query: 5 } } })).rejects.toMatchObject({
      code: 'too-few-classes',
      field: 'way',
      message: expect.stringMatching(/^Ways \(N\) is 500 but the test split has \d+ classes: choose at most \d+, or give the test split a bigger share\.$/),
    });
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), sampler: { way: 5, shot: 1, query: 5, trainWay: 700 } } })).rejects.toMatchObject({
      code: 'too-few-classes',
      field: 'trainWay',
      message: expect.stringMatching(/^Training ways is 700 but the training split has \d+ classes: choose at most \d+/),
    });
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), sampler: { way: 5, shot: 1, query: 5, trainWay: 5 }, split: { train: 0.7, val: 0.1, test: 0.3 } } })).rejects.toMatchObject({
      code: 'bad-split',
      field: 'split',
    });
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), hyperparameters: { learningRate: -1 } } })).rejects.toMatchObject({
      code: 'out-of-range',
      field: 'hyper.learningRate',
      message: expect.stringMatching(/learningRate must be between/),
    });
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), method: 'nope' } })).rejects.toMatchObject({ code: 'unknown-method', field: 'method' });
    await expect(h.send({ type: 'start', runId: 'x', config: { ...protonetRun(5), datasetId: 'nope' } })).rejects.toMatchObject({
      code: 'failed',
      field: undefined,
      message: expect.stringMatching(/Dataset "nope" is not loaded/),
    });
    expect(h.of('finished')).toHaveLength(0);
  });

  it('runs sine-wave regression and reports MSE after 1 and 10 steps', async () => {
    const h = sessionHarness();
    await h.send({ type: 'init', backend: 'wasm' });
    await h.send({ type: 'loadDataset', datasetId: 'sine', source: { kind: 'sinusoid' } });
    await h.send({ type: 'start', runId: 's', config: { datasetId: 'sine', sampler: { way: 1, shot: 10, query: 50 }, method: 'maml', steps: 30, seed: 1 } });
    expect((await h.until('finished')).status).toBe('done');
    const points = h.of('progress').flatMap((p) => p.points);
    expect(points).toHaveLength(30);
    expect(points[0].accuracy).toBeUndefined();
    await h.send({ type: 'evaluate', runId: 's', episodes: 20, seed: 3 });
    const e = (await h.until('evaluated')).evaluation;
    expect(e.metric).toBe('mse');
    expect(e.results.map((r) => r.label)).toEqual(['MSE after 1 step', 'MSE after 10 steps']);
  });
});
