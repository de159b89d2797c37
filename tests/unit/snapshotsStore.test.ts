// "Start from a trained model" in the playground's store and in the embed API, over a scripted
// worker and the shipped snapshot files read from disk: the run joins the history with its curve
// and recorded evaluation, is restored in the worker with the setup's run config and the decoded
// weights, its setup is applied and its state kept; with no snapshot for the setup the page says
// which setups have one; "Train on" resumes it through `start` with a weights-only checkpoint at
// its last step; the host API answers `started` (naming the snapshot) before its `evaluated`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectHostApi, HOST_API_SOURCE, HOST_API_VERSION, type EmbedEvent, type HostApiWindow } from '../../src/ui/embed/hostApi';
import { runConfigOf } from '../../src/ui/state/runConfig';
import { createPlaygroundStore } from '../../src/ui/state/store';
import { checkedSnapshot, SNAPSHOT_MANIFEST, type SnapshotSource } from '../../src/snapshots/source';
import type { SavedTensors } from '../../src/core/nn/params';
import { scriptedClient } from './ui/fixtures/scriptedClient';
import { memoryHistory, noOmniglot } from './ui/fixtures/memoryHistory';

const DIR = join(__dirname, '../../public/snapshots');
const read = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));
const diskSource: SnapshotSource = {
  entries: SNAPSHOT_MANIFEST.entries,
  load: async (entry) => checkedSnapshot(entry, read(`${entry.id}.json`), read(`${entry.id}.bin`)),
};

async function settle() {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 0));
}

async function playground() {
  const scripted = scriptedClient();
  const restored: Array<{ runId: string; config: unknown; state: SavedTensors }> = [];
  const starts: unknown[][] = [];
  const client = {
    ...scripted.client,
    start: (...args: Parameters<typeof scripted.client.start>) => {
      starts.push(args);
      return scripted.client.start(...args);
    },
    restore: async (runId: string, config: unknown, state: SavedTensors) => void restored.push({ runId, config, state }),
    runState: async (runId: string) => restored.find((r) => r.runId === runId)!.state,
  };
  const history = memoryHistory();
  let t = 1_700_000_000_000;
  const store = createPlaygroundStore({ client, history, omniglot: noOmniglot, snapshots: diskSource, now: () => (t += 1000) });
  await store.getState().start();
  return { ...scripted, store, restored, history, starts };
}

describe('starting from a trained model', () => {
  it('adds the run with its curves and evaluation, restores its weights in the worker and applies its setup', async () => {
    const { store, restored, history } = await playground();
    const entry = SNAPSHOT_MANIFEST.entries.find((e) => e.id === 'protonet-glyphs-5w1s')!;
    const runId = await store.getState().startFromSnapshot();
    expect(runId).not.toBeNull();
    const s = store.getState();
    const run = s.runs.find((r) => r.id === runId)!;
    expect(run.snapshot).toEqual({ id: entry.id, steps: entry.steps });
    expect(run.status).toBe('done');
    expect(run.points).toHaveLength(entry.steps);
    expect(run.validation.length).toBeGreaterThan(0);
    expect(run.evaluations).toHaveLength(1);
    expect(run.evaluations[0].results[0].summary.mean).toBeCloseTo(entry.evaluation.shipped[0].mean, 10);
    expect(run.evaluations[0].results[0].perEpisode).toHaveLength(600);
    expect(s.currentRunId).toBe(runId);
    expect(s.liveRunIds).toContain(runId);
    expect(s.setup).toEqual({ ...run.setup });
    expect(restored).toHaveLength(1);
    expect(restored[0].config).toEqual(runConfigOf(run.setup));
    expect(Object.keys(restored[0].state).length).toBeGreaterThan(4);
    await settle();
    // Kept like a finished run's state, so it stays usable after a reload.
    expect(await history.getRunState!(runId!)).toBeDefined();
    expect((await history.listRuns()).map((r) => r.id)).toContain(runId);
  });

  it('says which setups have a trained model when the setup has none', async () => {
    const { store, restored } = await playground();
    store.getState().setSetup({ way: 7 });
    expect(await store.getState().startFromSnapshot()).toBeNull();
    expect(store.getState().snapshotStatus?.message).toMatch(/No trained model matches this setup\. Trained models exist for glyphs 5-way 1-shot: Prototypical Networks, .*MAML/);
    expect(await store.getState().startFromSnapshot('nope')).toBeNull();
    expect(store.getState().snapshotStatus?.message).toMatch(/no trained model "nope"/);
    expect(restored).toHaveLength(0);
  });

  it('trains a snapshot on from its last step with its weights and a fresh optimiser', async () => {
    const { store, starts, restored } = await playground();
    const runId = (await store.getState().startFromSnapshot('maml-sine-k10'))!;
    const steps = store.getState().runs.find((r) => r.id === runId)!.progress!.step;
    await store.getState().trainOn(runId, 100);
    expect(starts).toHaveLength(1);
    const [id, config, resume] = starts[0] as [string, ReturnType<typeof runConfigOf>, { checkpoint: { step: number; state: SavedTensors }; shownSteps: number }];
    expect(id).toBe(runId);
    expect(config.steps).toBe(steps + 100);
    expect(config.method).toBe('maml');
    expect(resume.checkpoint.step).toBe(steps);
    expect(resume.shownSteps).toBe(steps);
    // Weights only: no training/ (optimiser) tensors, so the worker starts a fresh optimiser.
    expect(Object.keys(resume.checkpoint.state).some((n) => n.startsWith('training/'))).toBe(false);
    expect(Object.keys(resume.checkpoint.state)).toEqual(Object.keys(restored[0].state));
    const run = store.getState().runs.find((r) => r.id === runId)!;
    expect(run.status).toBe('training');
    expect(run.progress).toMatchObject({ step: steps, totalSteps: steps + 100 });
  });
});

describe('the embed API', () => {
  it('answers startFromSnapshot with started, then the recorded evaluation', async () => {
    const { store } = await playground();
    const listeners = new Set<(event: Event) => void>();
    const posted: EmbedEvent[] = [];
    const parent = { postMessage: (message: EmbedEvent) => void posted.push(structuredClone(message)) };
    const win = { parent, addEventListener: (_: string, l: (e: Event) => void) => listeners.add(l), removeEventListener: () => {} } as unknown as HostApiWindow;
    connectHostApi({ store, window: win, allowedOrigins: ['https://host.example'] });
    expect((posted[0] as Extract<EmbedEvent, { type: 'ready' }>).requestTypes).toContain('startFromSnapshot');
    const send = async (data: unknown) => {
      for (const l of listeners) l({ data, origin: 'https://host.example', source: parent } as unknown as Event);
      await settle();
    };
    await send({ source: HOST_API_SOURCE, version: HOST_API_VERSION, type: 'startFromSnapshot', snapshot: 'finetune-glyphs-5w1s', requestId: 7 });
    const types = posted.map((p) => p.type);
    expect(types.indexOf('started')).toBeGreaterThan(0);
    expect(types.indexOf('evaluated')).toBeGreaterThan(types.indexOf('started'));
    const started = posted.find((p) => p.type === 'started') as Extract<EmbedEvent, { type: 'started' }>;
    expect(started).toMatchObject({ requestId: 7, snapshot: 'finetune-glyphs-5w1s', setup: { method: 'finetune', dataset: 'glyphs' } });
    const evaluated = posted.find((p) => p.type === 'evaluated') as Extract<EmbedEvent, { type: 'evaluated' }>;
    const entry = SNAPSHOT_MANIFEST.entries.find((e) => e.id === 'finetune-glyphs-5w1s')!;
    expect(evaluated.mean).toBeCloseTo(entry.evaluation.shipped[0].mean, 10);
    expect(evaluated.episodes).toBe(600);
    // A bad name is refused with the reason; a wrong field type before any action.
    await send({ source: HOST_API_SOURCE, version: HOST_API_VERSION, type: 'startFromSnapshot', snapshot: 'nope' });
    expect(posted.at(-1)).toMatchObject({ type: 'error', requestType: 'startFromSnapshot', message: expect.stringMatching(/no trained model "nope"/) });
    await send({ source: HOST_API_SOURCE, version: HOST_API_VERSION, type: 'startFromSnapshot', snapshot: 3 });
    expect(posted.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/snapshot must be a string/) });
    expect(store.getState().runs).toHaveLength(1);
  });
});
