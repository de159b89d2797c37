// @vitest-environment jsdom
// Nothing trained is lost (issue 15): the page keeps a training run's checkpoints in the browser
// (about every 10 s, and at a pause), a reload shows the run as interrupted with Resume, which
// continues from the kept checkpoint; a run from an earlier visit with a kept state can be evaluated
// and inspected again; kept states can be dropped; a full storage loses nothing kept; a run training
// in another tab is left to it; leaving the page while training asks first. The compute worker is a
// scripted stand-in (real resumption is checked step by step in workerSession.test.ts and the
// conformance suite); the clock is the test's.
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SavedTensors } from '../../../src/core/nn/params';
import { StoreContext } from '../../../src/ui/state/context';
import type { RunLocks } from '../../../src/ui/state/runLocks';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { KEEP_CHECKPOINT_EVERY_MS } from '../../../src/ui/state/playground/keptStates';
import { App } from '../../../src/ui/views/App';
import type { ClientEvent } from '../../../src/worker/client';
import type { Checkpoint, RunConfig } from '../../../src/worker/protocol';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';
import { scriptedClient } from './fixtures/scriptedClient';

const state = (value: number): SavedTensors => ({ 'params/w': { shape: [2, 2], values: Float32Array.of(value, value, value, value) } });
/** A kept state's values as plain numbers (structuredClone under jsdom makes typed arrays of another realm). */
const plain = (saved: SavedTensors | undefined) => saved && Object.fromEntries(Object.entries(saved).map(([n, t]) => [n, { shape: t.shape, values: Array.from(t.values) }]));
const checkpoint = (step: number): Checkpoint => ({ step, elapsed: step / 2, state: state(step) });
const point = (step: number) => ({ step, loss: 1 / step, accuracy: 0.5, learningRate: 1e-3, elapsed: step / 2 });
const progress = (runId: string, steps: number[], paused = false): ClientEvent => ({
  type: 'progress',
  runId,
  points: steps.map(point),
  validation: [],
  step: steps.at(-1)!,
  totalSteps: 300,
  stepsPerSecond: 4,
  etaSeconds: 60,
  paused,
});

/** The scripted client with what keeping states needs: a run's trained state and restoring one. */
function client() {
  const scripted = scriptedClient();
  const c = scripted.client;
  c.runState = async (runId) => {
    scripted.calls.push({ type: 'runState', args: [runId] });
    return state(99);
  };
  c.restore = async (runId, config, saved) => void scripted.calls.push({ type: 'restore', args: [runId, config, saved] });
  const start = c.start;
  c.start = (runId, config, resume) => {
    if (resume) scripted.calls.push({ type: 'resumeFrom', args: [runId, resume] });
    return start(runId, config);
  };
  // A checkpoint is written in a task after the one that received it (keptStates.ts): let one pass.
  const emit = async (event: ClientEvent) => {
    await act(() => scripted.emit(event));
    await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  };
  return { ...scripted, emit };
}

/** The playground on `history` at the test's clock (advance it with `clock.t += ms`). */
async function open(history = memoryHistory(), locks?: RunLocks) {
  const scripted = client();
  const clock = { t: 1_700_000_000_000 };
  const store = createPlaygroundStore({ client: scripted.client, history, omniglot: noOmniglot, locks, now: () => clock.t });
  const view = render(
    <StoreContext.Provider value={store}>
      <App omniglotSize={9_464_212} />
    </StoreContext.Provider>,
  );
  await act(() => store.getState().start());
  return { ...scripted, store, history, clock, view, user: userEvent.setup() };
}

/** Trains a run to step `steps` with a checkpoint every step, `seconds` apart; its id. */
async function trainTo(page: Awaited<ReturnType<typeof open>>, steps: number, seconds: number): Promise<string> {
  await page.user.click(screen.getByRole('button', { name: 'Train' }));
  const runId = page.calls.find((c) => c.type === 'start')!.args[0] as string;
  for (let step = 1; step <= steps; step++) {
    page.clock.t += seconds * 1000;
    await page.emit(progress(runId, [step]));
    await page.emit({ type: 'checkpoint', runId, checkpoint: checkpoint(step) });
  }
  return runId;
}

describe('kept runs', () => {
  it('keeps a checkpoint about every 10 s of training and at a pause, and the run says what is kept', async () => {
    const page = await open();
    // One step and one checkpoint every 3 s: kept at steps 1 (the first), 5 (12 s later) and 9.
    const runId = await trainTo(page, 10, 3);
    expect(KEEP_CHECKPOINT_EVERY_MS).toBe(10_000);
    expect(plain(page.history.states.get(runId))).toEqual(plain(state(9)));
    expect(page.history.runs.get(runId)!.kept).toMatchObject({ step: 9, elapsed: 4.5, resumable: true, bytes: 16 });
    // A pause keeps the checkpoint of the paused step at once.
    await page.emit(progress(runId, [11], true));
    await page.emit({ type: 'checkpoint', runId, checkpoint: checkpoint(11) });
    expect(plain(page.history.states.get(runId))).toEqual(plain(state(11)));
    expect(page.history.runs.get(runId)!.kept!.step).toBe(11);
    // At the end the trained state replaces the checkpoint (what evaluation and backbones load).
    await page.emit({ type: 'finished', runId, status: 'done', stepsDone: 11, seconds: 6 });
    await screen.findByText(/state kept at step 11 \(16 B\)/);
    expect(plain(page.history.states.get(runId))).toEqual(plain(state(99)));
    expect(page.history.runs.get(runId)!.kept).toMatchObject({ step: 11, resumable: false });
  });

  it('after a reload shows the run as interrupted at its last step, kept at its checkpoint, and resumes from there', async () => {
    const first = await open();
    const runId = await trainTo(first, 14, 3); // checkpoints kept at 1, 5, 9, 13; the curve reaches 14
    first.clock.t += 6000;
    await first.emit(progress(runId, [15])); // saved: more than 5 s since the last save
    expect(first.history.runs.get(runId)!.points.at(-1)!.step).toBe(15);
    first.view.unmount();

    const page = await open(memoryHistory([...first.history.runs.values()], Object.fromEntries(first.history.states)));
    expect(screen.getByText(/interrupted at step 15 of 300/)).toBeInTheDocument();
    expect(screen.getByText(/^Interrupted at step 15 \(kept at step 13\).*Resume continues from step 13 with the same episodes\.$/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Evaluate' })).toHaveAttribute('aria-disabled', 'true');
    await page.user.click(screen.getByRole('button', { name: 'Resume' }));
    const [resumedId, resume] = page.calls.find((c) => c.type === 'resumeFrom')!.args as [string, { checkpoint: Checkpoint; shownSteps: number }];
    expect(resumedId).toBe(runId);
    expect({ ...resume, checkpoint: { ...resume.checkpoint, state: plain(resume.checkpoint.state) } }).toEqual({
      checkpoint: { step: 13, elapsed: 6.5, state: plain(state(13)) },
      shownSteps: 15,
    });
    const [, config] = page.calls.find((c) => c.type === 'start')!.args as [string, RunConfig];
    expect(config).toMatchObject({ datasetId: 'glyphs', method: 'protonet', steps: 300, seed: 1 });
    // Training again, in this tab: steps go on from where the curve was.
    await page.emit(progress(runId, [16]));
    expect(screen.getByText(/training, step 16 of 300/)).toBeInTheDocument();
    expect(page.store.getState().runs.find((r) => r.id === runId)!.points.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('a run cut off before any checkpoint was kept says it cannot resume, and keeps its curve', async () => {
    const cut: StoredRun = { ...(await finishedRun('cut')), status: 'training', progress: { step: 98, totalSteps: 300, stepsPerSecond: 0, etaSeconds: 0 }, kept: undefined };
    await open(memoryHistory([cut]));
    expect(screen.getByText(/interrupted at step 98 of 300/)).toBeInTheDocument();
    expect(screen.getByText(/before a checkpoint was kept, so it cannot resume; its curve is kept/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Resume' })).toBeDisabled();
  });

  it('evaluates a run from an earlier visit from its kept state, and offers its episode viewer', async () => {
    const run = await finishedRun('earlier');
    const page = await open(memoryHistory([run], { earlier: state(7) }));
    expect(screen.getByText(/This run is from an earlier visit; its trained state is kept/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show a test episode' })).toBeEnabled();
    await page.user.click(screen.getByRole('button', { name: 'Evaluate' }));
    const restore = page.calls.find((c) => c.type === 'restore')!;
    expect(restore.args[0]).toBe('earlier');
    expect(restore.args[1]).toMatchObject({ datasetId: 'glyphs', method: 'protonet' });
    expect(plain(restore.args[2] as SavedTensors)).toEqual(plain(state(7)));
    expect(page.calls.filter((c) => c.type === 'loadDataset').length).toBeGreaterThan(0);
    expect(page.calls.at(-1)).toEqual({ type: 'evaluate', args: ['earlier', 600, 2017] });
    // Once brought back it is live in the worker, like a run of this visit.
    expect(page.store.getState().liveRunIds).toContain('earlier');
  });

  it('a run from an earlier visit without a kept state cannot be evaluated, and says why', async () => {
    await open(memoryHistory([await finishedRun('gone')]));
    expect(screen.getByRole('button', { name: 'Evaluate' })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByText(/its weights are not kept, so its episodes cannot be shown\. Apply its setup and train again/)).toBeInTheDocument();
  });

  it('a full storage keeps the earlier checkpoint and says the newer one was not kept', async () => {
    const history = memoryHistory();
    const page = await open(history);
    const runId = await trainTo(page, 1, 3);
    expect(plain(history.states.get(runId))).toEqual(plain(state(1)));
    history.saveRunState = async () => {
      throw new Error("The browser's storage for this site is full (QuotaExceededError); nothing stored before was lost.");
    };
    page.clock.t += 11_000;
    await page.emit(progress(runId, [2]));
    await page.emit({ type: 'checkpoint', runId, checkpoint: checkpoint(2) });
    expect(await screen.findByText(/its state at step 2 was not kept \(the one at step 1 still is\)\. The browser's storage for this site is full/)).toBeInTheDocument();
    expect(plain(history.states.get(runId))).toEqual(plain(state(1)));
    expect(history.runs.get(runId)!.kept!.step).toBe(1);
  });

  it('drops kept states on request: curves stay, the interrupted run can no longer resume', async () => {
    const cut: StoredRun = { ...(await finishedRun('cut')), status: 'training', kept: { step: 20, elapsed: 10, bytes: 2_400_000, savedAt: 1, resumable: true } };
    const done = { ...(await finishedRun('done')), kept: { step: 300, elapsed: 60, bytes: 1_200_000, savedAt: 1, resumable: false } };
    const page = await open(memoryHistory([cut, done], { cut: state(20), done: state(300) }));
    expect(screen.getByText(/Kept states of 2 runs: 3\.6 MB/)).toBeInTheDocument();
    await page.user.click(screen.getByRole('button', { name: 'Drop kept states' }));
    await page.user.click(screen.getByRole('button', { name: 'Drop them' }));
    expect(page.history.states.size).toBe(0);
    expect(screen.queryByText(/Kept states of/)).toBeNull();
    expect(page.history.runs.get('cut')!.kept).toBeUndefined();
    expect(page.history.runs.get('cut')!.points.length).toBeGreaterThan(0);
    page.store.getState().selectRun('cut');
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeDisabled();
  });

  it('leaves a run training in another tab to that tab', async () => {
    const other: StoredRun = { ...(await finishedRun('other-tab')), status: 'training' };
    const locks: RunLocks = { hold: () => () => {}, held: async () => new Set(['other-tab']) };
    const page = await open(memoryHistory([other]), locks);
    expect(page.store.getState().runs[0].status).toBe('training');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
    expect(screen.getByText(/^Training in another tab of this browser/)).toBeInTheDocument();
    expect(screen.getByText(/This run is training in another tab of this browser; look inside it there/)).toBeInTheDocument();
  });

  it('asks before leaving the page while a run trains, and not otherwise', async () => {
    const page = await open();
    const leave = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(false);
    const runId = await trainTo(page, 1, 1);
    expect(leave()).toBe(true);
    await page.emit({ type: 'finished', runId, status: 'stopped', stepsDone: 1, seconds: 1 });
    expect(leave()).toBe(false);
  });
});

/** A finished ProtoNet run from an earlier visit, trained in a real store of the test. */
async function finishedRun(id: string): Promise<StoredRun> {
  const page = await open();
  const runId = await trainTo(page, 3, 1);
  await page.emit({ type: 'finished', runId, status: 'done', stepsDone: 3, seconds: 2 });
  const run = page.store.getState().runs.find((r) => r.id === runId)!;
  page.view.unmount();
  return { ...structuredClone(run), id, kept: undefined };
}
