// Embed mode: the embed keys of the query (hide list, allowed origins, notices, the full playground
// link), the strict validation of host messages, and the postMessage API driving the REAL playground
// store (a scripted stand-in for the compute worker, as in playground.test.tsx) through a fake
// window whose parent records what is posted: foreign origins are ignored, setConfig applies and
// reports notices, start trains the setup, and progress/finished/evaluated reach the allowed origin only.
import { describe, expect, it } from 'vitest';
import { summarise } from '../../../src/core/train/stats';
import { embedOptionsFromQuery, fullPlaygroundUrl, HIDEABLE_CONTROLS, parseOrigin } from '../../../src/ui/embed/embedOptions';
import {
  connectHostApi,
  HOST_API_SOURCE,
  HOST_API_VERSION,
  MAX_STRING_LENGTH,
  setupPatchToQuery,
  validateHostMessage,
  type EmbedEvent,
  type HostApiWindow,
} from '../../../src/ui/embed/hostApi';
import { DEFAULT_SETUP } from '../../../src/ui/state/setup';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { scriptedClient as baseScriptedClient } from './fixtures/scriptedClient';
import type { ClientEvent } from '../../../src/worker/client';
import type { RunConfig } from '../../../src/worker/protocol';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';

const HOST = 'https://host.example';
const OTHER = 'https://evil.example';
const scriptedClient = () => baseScriptedClient({ settings: { way: 5, shot: 5, query: 15 } });


/** Lets the store's chains of awaits (backend, dataset, start) settle. */
async function settle() {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** A fake iframe window: 'message' listeners the test dispatches to, and a parent recording postMessage. */
function fakeFrame() {
  const listeners = new Set<(event: Event) => void>();
  const posted: Array<{ message: EmbedEvent; origin: string }> = [];
  const parent = { postMessage: (message: EmbedEvent, origin: string) => void posted.push({ message: structuredClone(message), origin }) };
  const win = {
    parent,
    addEventListener: (type: string, listener: (event: Event) => void) => type === 'message' && listeners.add(listener),
    removeEventListener: (type: string, listener: (event: Event) => void) => type === 'message' && listeners.delete(listener),
  };
  /** Dispatches a message event as the browser would, then lets the store settle. */
  const send = async (data: unknown, origin = HOST, source: unknown = parent) => {
    for (const l of [...listeners]) l({ data, origin, source } as unknown as Event);
    await settle();
  };
  const ofType = <T extends EmbedEvent['type']>(type: T) => posted.filter((p) => p.message.type === type) as Array<{ message: Extract<EmbedEvent, { type: T }>; origin: string }>;
  return { window: win as unknown as HostApiWindow, parent, posted, listeners, send, ofType };
}

const msg = (type: string, fields: Record<string, unknown> = {}) => ({ source: HOST_API_SOURCE, version: HOST_API_VERSION, type, ...fields });

async function embedded(options: { allowedOrigins?: string[]; progressIntervalMs?: number; now?: () => number } = {}) {
  const scripted = scriptedClient();
  let t = 1_700_000_000_000;
  const store = createPlaygroundStore({ client: scripted.client, history: memoryHistory(), omniglot: noOmniglot, now: () => (t += 1000) });
  await store.getState().start();
  const frame = fakeFrame();
  const logs: string[] = [];
  const disconnect = connectHostApi({
    store,
    window: frame.window,
    allowedOrigins: options.allowedOrigins ?? [HOST, 'http://127.0.0.1:4173'],
    log: (m) => logs.push(m),
    progressIntervalMs: options.progressIntervalMs,
    now: options.now,
  });
  return { ...scripted, store, frame, logs, disconnect };
}

function point(step: number) {
  return { step, loss: 1 / step, accuracy: 0.5 + step / 1000, learningRate: 1e-3, elapsed: step * 0.5 };
}
function progress(runId: string, step: number, totalSteps = 300): ClientEvent {
  return { type: 'progress', runId, points: [point(step)], validation: [], step, totalSteps, stepsPerSecond: 20, etaSeconds: (totalSteps - step) / 20, paused: false };
}

describe('embed options from the query', () => {
  it('is off without embed=1, and then ignores hide and origin with a notice', () => {
    expect(embedOptionsFromQuery('')).toEqual({ embed: false, hidden: new Set(), allowedOrigins: [], notices: [] });
    const off = embedOptionsFromQuery('?shot=5&hide=history&origin=https://host.example');
    expect(off.embed).toBe(false);
    expect(off.hidden.size).toBe(0);
    expect(off.allowedOrigins).toEqual([]);
    expect(off.notices).toEqual([expect.stringMatching(/only with embed=1/)]);
    expect(embedOptionsFromQuery('?embed=maybe').notices).toEqual([expect.stringMatching(/embed must be 1 \(on\) or 0 \(off\)/)]);
    expect(embedOptionsFromQuery('?embed').embed).toBe(true);
    expect(embedOptionsFromQuery('embed=0').embed).toBe(false);
  });

  it('reads the hide list: known controls hidden, an unknown one named in a notice', () => {
    const options = embedOptionsFromQuery('?embed=1&hide=history,presets,%20seed,,teleporter&hide=comparison');
    expect(options.embed).toBe(true);
    expect([...options.hidden].sort()).toEqual(['comparison', 'history', 'presets', 'seed']);
    expect(options.notices).toEqual([expect.stringContaining('"teleporter" in hide=: no such control')]);
    expect(options.notices[0]).toContain(HIDEABLE_CONTROLS.join(', '));
  });

  it('keeps valid origins (normalised, once each) and skips "*", paths, other schemes and junk with notices', () => {
    const options = embedOptionsFromQuery(
      `?embed=1&origin=${encodeURIComponent('https://Host.Example:443,http://127.0.0.1:4173/,*,https://a.example/page,ftp://b.example,not a url,null,https://host.example')}`,
    );
    expect(options.allowedOrigins).toEqual(['https://host.example', 'http://127.0.0.1:4173']);
    expect(options.notices).toHaveLength(5);
    expect(options.notices.join('\n')).toMatch(/"\*".*not allowed/);
    expect(options.notices.join('\n')).toMatch(/no path or query; did you mean https:\/\/a.example\?/);
    expect(options.notices.join('\n')).toMatch(/only http and https/);
    expect(parseOrigin('https://user:pw@host.example')).toEqual({ error: expect.stringMatching(/user name/) });
    expect(parseOrigin('https://host.example?x=1')).toEqual({ error: expect.stringMatching(/no path or query/) });
    expect(parseOrigin('http://localhost:5173')).toEqual({ origin: 'http://localhost:5173' });
  });

  it('links to the full playground with the same setup and without the embed keys', () => {
    const location = { origin: 'http://127.0.0.1:4173', pathname: '/', search: '?embed=1&shot=5&hide=history,presets&split=60,20,20&origin=https%3A%2F%2Fhost.example&h.learningRate=0.01' };
    expect(fullPlaygroundUrl(location)).toBe('http://127.0.0.1:4173/?shot=5&split=60,20,20&h.learningRate=0.01');
    expect(fullPlaygroundUrl({ ...location, search: '?embed=1&hide=seed' })).toBe('http://127.0.0.1:4173/');
  });
});

describe('host message validation', () => {
  it('accepts every request type and both forms of setConfig', () => {
    for (const type of ['start', 'stop', 'pause', 'resume', 'evaluate', 'getState']) expect(validateHostMessage(msg(type))).toEqual(msg(type));
    expect(validateHostMessage(msg('start', { requestId: 'r1' }))).toEqual(msg('start', { requestId: 'r1' }));
    expect(validateHostMessage(msg('setConfig', { query: 'shot=5' }))).toEqual(msg('setConfig', { query: 'shot=5' }));
    const setup = { shot: 5, split: { train: 60, val: 20, test: 20 }, augmentFlip: true, hyperparameters: { learningRate: 0.01 } };
    expect(validateHostMessage(msg('setConfig', { setup }))).toEqual(msg('setConfig', { setup }));
  });

  it('rejects malformed messages, each with a reason', () => {
    const bad: unknown[] = [
      null,
      'start',
      [msg('start')],
      { ...msg('start'), source: 'other' },
      { ...msg('start'), version: 2 },
      msg('launch'),
      msg('start', { extra: 1 }),
      msg('start', { requestId: { id: 1 } }),
      msg('setConfig'),
      msg('setConfig', { query: 'shot=5', setup: { shot: 5 } }),
      msg('setConfig', { query: 5 }),
      msg('setConfig', { query: 'x'.repeat(MAX_STRING_LENGTH + 1) }),
      msg('setConfig', { setup: { shot: '5' } }),
      msg('setConfig', { setup: { shot: Number.NaN } }),
      msg('setConfig', { setup: { warp: 9 } }),
      msg('setConfig', { setup: { split: { train: 60, val: 20 } } }),
      msg('setConfig', { setup: { augmentFlip: 'yes' } }),
      msg('setConfig', { setup: { hyperparameters: { learningRate: [1] } } }),
      msg('setConfig', { setup: { hyperparameters: { 'a=b&embed': 1 } } }),
      msg('setConfig', { setup: { method: 'm'.repeat(MAX_STRING_LENGTH + 1) } }),
      msg('setConfig', { setup: [1, 2] }),
    ];
    for (const data of bad) expect(validateHostMessage(data), JSON.stringify(data)?.slice(0, 80)).toEqual({ error: expect.any(String) });
  });

  it('writes a setup patch as a link query, so its values are checked as a link\'s are', () => {
    expect(setupPatchToQuery({ shot: 5, split: { train: 60, val: 20, test: 20 }, augmentShift: 2, augmentFlip: true, hyperparameters: { learningRate: 0.01 } })).toBe(
      'shot=5&split=60%2C20%2C20&shift=2&flip=1&h.learningRate=0.01',
    );
  });
});

describe('the postMessage API', () => {
  it('stays off without an allowed origin: no listener, nothing posted', async () => {
    const { frame, logs } = await embedded({ allowedOrigins: [] });
    expect(frame.listeners.size).toBe(0);
    expect(frame.posted).toEqual([]);
    expect(logs.join()).toMatch(/no allowed origin/);
  });

  it('says ready to each allowed origin (never "*") with the current setup', async () => {
    const { frame } = await embedded();
    expect(frame.posted.map((p) => p.origin)).toEqual([HOST, 'http://127.0.0.1:4173']);
    const ready = frame.ofType('ready')[0].message;
    expect(ready).toMatchObject({ source: HOST_API_SOURCE, version: 1, setup: DEFAULT_SETUP, query: '', run: null });
    expect(ready.requestTypes).toContain('start');
  });

  it('ignores a message from a foreign origin or not from the parent: no store call, no reply', async () => {
    const { frame, calls, store, logs } = await embedded();
    frame.posted.length = 0;
    const callsBefore = calls.length;
    await frame.send(msg('setConfig', { query: 'shot=5' }), OTHER);
    await frame.send(msg('start'), OTHER);
    await frame.send(msg('start'), HOST, { postMessage() {} });
    expect(calls.length).toBe(callsBefore);
    expect(store.getState().setup.shot).toBe(1);
    expect(store.getState().runs).toEqual([]);
    expect(frame.posted).toEqual([]);
    expect(logs.filter((l) => /not an allowed origin|not from the parent/.test(l))).toHaveLength(3);
  });

  it('answers a malformed message from the host with an error, to the host only; ignores untagged messages', async () => {
    const { frame } = await embedded();
    frame.posted.length = 0;
    await frame.send({ hello: 'some other library' });
    expect(frame.posted).toEqual([]);
    await frame.send(msg('launch'));
    expect(frame.posted).toEqual([{ origin: HOST, message: expect.objectContaining({ type: 'error', requestType: 'launch', message: expect.stringMatching(/Unknown message type "launch"/) }) }]);
  });

  it('setConfig applies a setup (query or fields) over the current one and reports what was ignored', async () => {
    const { frame, store } = await embedded();
    await frame.send(msg('setConfig', { query: 'shot=5&way=1&origin=*', requestId: 7 }));
    expect(store.getState().setup).toMatchObject({ shot: 5, way: 5 });
    const config = frame.ofType('config').at(-1)!;
    expect(config.origin).toBe(HOST);
    expect(config.message).toMatchObject({ requestId: 7, query: 'shot=5', setup: { ...DEFAULT_SETUP, shot: 5 } });
    expect(config.message.notices).toEqual([expect.stringMatching(/Ignored "origin" in setConfig/), expect.stringMatching(/Ignored "way=1".*Ways \(N\) must be a whole number of at least 2/)]);

    await frame.send(msg('setConfig', { setup: { steps: 50, seed: 7, hyperparameters: { learningRate: 0.01 }, evalEpisodes: 5 } }));
    expect(store.getState().setup).toMatchObject({ shot: 5, steps: 50, seed: 7, hyperparameters: { learningRate: 0.01 }, evalEpisodes: 600 });
    expect(frame.ofType('config').at(-1)!.message.notices).toEqual([expect.stringMatching(/evalEpisodes.*from 10 to 10,000/)]);

    await frame.send(msg('getState'));
    expect(frame.ofType('config').at(-1)!.message).toMatchObject({ query: 'shot=5&h.learningRate=0.01&steps=50&seed=7', notices: [] });
  });

  it('start trains the setup: the client gets it and the host gets the run id; a second start is refused', async () => {
    const { frame, calls } = await embedded();
    await frame.send(msg('setConfig', { setup: { shot: 5, steps: 40 } }));
    await frame.send(msg('start', { requestId: 'go' }));
    const start = calls.find((c) => c.type === 'start')!;
    const [runId, config] = start.args as [string, RunConfig];
    expect(config.sampler).toMatchObject({ way: 5, shot: 5, query: 15 });
    expect(config.steps).toBe(40);
    expect(frame.ofType('started')).toEqual([{ origin: HOST, message: expect.objectContaining({ runId, requestId: 'go', query: 'shot=5&steps=40' }) }]);

    await frame.send(msg('start'));
    expect(calls.filter((c) => c.type === 'start')).toHaveLength(1);
    expect(frame.ofType('error').at(-1)!.message).toMatchObject({ requestType: 'start', message: expect.stringMatching(/already training/) });
  });

  it('start with an impossible setup answers why, and pause/stop without a run are errors', async () => {
    const { frame, calls, store } = await embedded();
    store.getState().setSetup({ way: 1 });
    await frame.send(msg('start'));
    expect(calls.some((c) => c.type === 'start')).toBe(false);
    expect(frame.ofType('error').at(-1)!.message.message).toMatch(/Training did not start: Ways \(N\) must be a whole number/);
    await frame.send(msg('stop'));
    await frame.send(msg('pause'));
    expect(frame.ofType('error').slice(-2).map((e) => e.message.requestType)).toEqual(['stop', 'pause']);
  });

  it('posts throttled progress, the last progress and finished, then the evaluation, to the allowed origin only', async () => {
    let clock = 0;
    const { frame, calls, emit, finishEvaluation } = await embedded({ progressIntervalMs: 40, now: () => clock });
    await frame.send(msg('start'));
    const runId = (calls.find((c) => c.type === 'start')!.args[0]) as string;

    emit(progress(runId, 10));
    clock = 10;
    emit(progress(runId, 20));
    emit(progress(runId, 30));
    expect(frame.ofType('progress').map((p) => p.message.step)).toEqual([10]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    clock = 100;
    expect(frame.ofType('progress').map((p) => p.message.step)).toEqual([10, 30]);
    expect(frame.ofType('progress')[1].message).toMatchObject({ runId, status: 'training', totalSteps: 300, loss: 1 / 30, accuracy: 0.53, stepsPerSecond: 20, validation: null });

    await frame.send(msg('pause'));
    expect(calls.at(-1)).toEqual({ type: 'pause', args: [runId] });
    emit({ ...progress(runId, 35), paused: true } as ClientEvent);
    await frame.send(msg('resume'));
    expect(calls.at(-1)).toEqual({ type: 'resume', args: [runId] });
    await frame.send(msg('stop'));
    expect(calls.at(-1)).toEqual({ type: 'stop', args: [runId] });
    clock = 110;
    emit(progress(runId, 40));
    emit({ type: 'finished', runId, status: 'stopped', message: 'Stopped at step 40.', stepsDone: 40, seconds: 20 });
    const progressSteps = frame.ofType('progress').map((p) => p.message.step);
    expect(progressSteps.at(-1)).toBe(40);
    expect(frame.ofType('finished')).toEqual([{ origin: HOST, message: expect.objectContaining({ runId, status: 'stopped', message: 'Stopped at step 40.' }) }]);
    // The end comes after the last progress.
    const types = frame.posted.map((p) => p.message.type);
    expect(types.lastIndexOf('progress')).toBeLessThan(types.indexOf('finished'));

    await frame.send(msg('evaluate'));
    expect(calls.at(-1)).toEqual({ type: 'evaluate', args: [runId, 600, expect.any(Number)] });
    finishEvaluation(runId, [0.6, 0.7, 0.8, 0.9]);
    await settle();
    const evaluated = frame.ofType('evaluated');
    expect(evaluated).toHaveLength(1);
    const expected = summarise([0.6, 0.7, 0.8, 0.9]);
    expect(evaluated[0]).toEqual({
      origin: HOST,
      message: expect.objectContaining({ runId, metric: 'accuracy', mean: expected.mean, ci95: expected.ci95, episodes: 4, seed: 2017, settings: { way: 5, shot: 5, query: 15 } }),
    });

    // Once the host has spoken, nothing goes to the other allowed origin, and nothing ever to '*' or a foreign one.
    const afterReady = frame.posted.filter((p) => p.message.type !== 'ready');
    expect(new Set(afterReady.map((p) => p.origin))).toEqual(new Set([HOST]));
    expect(frame.posted.some((p) => p.origin === '*' || p.origin === OTHER)).toBe(false);
  });

  it('stops listening and posting once disconnected', async () => {
    const { frame, disconnect, emit, calls } = await embedded();
    await frame.send(msg('start'));
    const runId = calls.find((c) => c.type === 'start')!.args[0] as string;
    disconnect();
    expect(frame.listeners.size).toBe(0);
    const count = frame.posted.length;
    emit(progress(runId, 10));
    await frame.send(msg('getState'));
    expect(frame.posted.length).toBe(count);
  });
});
