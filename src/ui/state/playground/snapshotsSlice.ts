// Trained snapshots (src/snapshots): "Start from a trained model" adds a shipped run to the history
// with its curves and evaluation and makes it live in the worker through the same `restore` a kept
// run uses, so the episode viewer, the inner-step accuracy, the PCA, the comparison table and the
// sine fit work at once; "Train on" continues it through the same `start` with a checkpoint that
// resuming uses (a fresh optimiser: snapshots do not ship Adam's moments).
import { decodeState, snapshotsMatching, type SnapshotEntry } from '../../../snapshots/snapshot';
import { fetchSnapshotSource, type SnapshotSource } from '../../../snapshots/source';
import type { SavedTensors } from '../../../core/nn/params';
import { familyOf } from '../../../core/experiment/datasets';
import { runConfigOf } from '../runConfig';
import type { StoredRun } from '../runTypes';
import { isActive, isRunLive, isTraining } from '../selectors';
import { DEFAULT_SETUP } from '../setup';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import { keptStateTools } from './keptStates';
import type { SnapshotsSlice } from './types';

/** Steps "Train on" adds to a run when not told (the page's default run length). */
export const TRAIN_ON_STEPS = DEFAULT_SETUP.steps;

/** "glyphs 5-way 1-shot: Prototypical Networks, MAML, ..." for each setup that has snapshots. */
export function describeSnapshots(entries: readonly SnapshotEntry[]): string {
  const bySetup = new Map<string, string[]>();
  for (const e of entries) if (!bySetup.get(e.setupLabel)?.includes(e.title)) bySetup.set(e.setupLabel, [...(bySetup.get(e.setupLabel) ?? []), e.title]);
  return [...bySetup].map(([setup, titles]) => `${setup}: ${titles.join(', ')}`).join('; ');
}

export const createSnapshotsSlice =
  (env: PlaygroundEnv): PlaygroundSlice<SnapshotsSlice> =>
  (set, get) => {
    const { deps } = env;
    const { runById, updateRun, save } = playgroundTools(env, set, get);
    const { readyFor, keep } = keptStateTools(env, set, get);
    let source: SnapshotSource | null = deps.snapshots ?? null;
    const sourceOf = () => (source ??= fetchSnapshotSource());
    const fail = (message: string, id?: string) => {
      set({ snapshotStatus: { id, status: 'error', message } });
      return null;
    };

    return {
      snapshotStatus: null,
      snapshotEntries: () => (deps.snapshots ?? sourceOf()).entries,

      async startFromSnapshot(id) {
        const entries = get().snapshotEntries();
        const { setup } = get();
        const entry = id !== undefined ? entries.find((e) => e.id === id) : snapshotsMatching(entries, setup)[0];
        if (!entry) {
          return fail(
            id !== undefined
              ? `There is no trained model "${id}". Trained models: ${entries.map((e) => e.id).join(', ')}.`
              : `No trained model matches this setup. Trained models exist for ${describeSnapshots(entries)}.`,
          );
        }
        if (isTraining(get())) return fail('A run is training: stop it or let it finish, then start from a trained model.', entry.id);
        set({ snapshotStatus: { id: entry.id, status: 'loading' } });
        let state: SavedTensors;
        let run: StoredRun;
        try {
          const loaded = await sourceOf().load(entry);
          state = decodeState(loaded.bin, loaded.run.tensors);
          const data = loaded.run;
          const runId = env.newRunId();
          const backend = { backend: 'wasm' as const, info: entry.versions.backend, reason: 'trained in Node by npm run snapshots' };
          run = {
            id: runId,
            name: data.name,
            createdAt: env.now(),
            // The user's backend choice stays; the rest is exactly the setup the model was trained with.
            setup: { ...structuredClone(data.setup), backend: get().setup.backend },
            datasetLabel: data.datasetLabel,
            status: 'done',
            points: data.points,
            validation: data.validation,
            progress: { step: data.steps, totalSteps: data.steps, stepsPerSecond: 0, etaSeconds: 0 },
            metaBatch: data.metaBatch,
            backend,
            seconds: data.seconds,
            evaluations: [{ ...data.evaluation, runId, backend: 'wasm' }],
            snapshot: { id: entry.id, steps: data.steps },
          };
        } catch (error) {
          return fail(`The trained model "${entry.title} (${entry.setupLabel})" could not be loaded: ${(error as Error).message}.`, entry.id);
        }
        let reason = '';
        if (!(await readyFor(run, (r) => (reason = r)))) return fail(reason, entry.id);
        try {
          await deps.client.restore!(run.id, runConfigOf(run.setup), state);
        } catch (error) {
          return fail(`The trained model could not be loaded into the worker: ${(error as Error).message}.`, entry.id);
        }
        set((s) => ({
          runs: [run, ...s.runs],
          currentRunId: run.id,
          liveRunIds: [...s.liveRunIds, run.id],
          inspection: null,
          sineFit: null,
          snapshotStatus: null,
        }));
        // The panel shows the setup the model was trained with, so Train and Evaluate mean that.
        get().applySetup(structuredClone(run.setup));
        await save(run.id);
        // Kept like a finished run's state, so it stays usable after a reload.
        void keep(run.id, state, { step: run.progress!.step, elapsed: run.seconds, resumable: false });
        return run.id;
      },

      async trainOn(runId = get().currentRunId ?? undefined, moreSteps = TRAIN_ON_STEPS) {
        const run = runById(runId);
        if (!run || !runId) return;
        const say = (message: string) => updateRun(runId, (r) => ({ ...r, message }));
        if (run.status !== 'done' && run.status !== 'stopped') return say('Only a finished run trains on.');
        if (isTraining(get())) return say('Another run is training: stop it or let it finish, then train this one on.');
        let reason = '';
        if (!(await readyFor(run, (r) => (reason = r)))) return say(reason);
        let state: SavedTensors | undefined;
        try {
          state = isRunLive(get(), runId) && deps.client.runState ? await deps.client.runState(runId) : await deps.history.getRunState?.(runId);
        } catch (error) {
          return say(`Its trained state could not be read: ${(error as Error).message}`);
        }
        if (!state) return say('Its trained state is not kept: apply its setup and train again.');
        const step = run.progress?.step ?? run.points.at(-1)?.step ?? 0;
        const setup = { ...run.setup, steps: step + moreSteps };
        set((s) => ({ liveRunIds: s.liveRunIds.includes(runId) ? s.liveRunIds : [...s.liveRunIds, runId], currentRunId: runId }));
        updateRun(runId, (r) => ({ ...r, setup, status: 'starting', message: undefined, progress: { step, totalSteps: setup.steps, stepsPerSecond: 0, etaSeconds: Infinity } }));
        try {
          // The same path as resuming a run: a checkpoint at `step` (weights only, so a fresh
          // optimiser) and the steps already shown; training goes on with the episodes from there.
          await deps.client.start(runId, runConfigOf(setup), { checkpoint: { step, elapsed: run.seconds, state }, shownSteps: step });
        } catch (error) {
          updateRun(runId, (r) => ({ ...r, setup: run.setup, status: run.status, progress: run.progress, message: `It could not train on: ${(error as Error).message}` }));
          return;
        }
        env.checkpoints.keptStep.set(runId, step);
        env.checkpoints.keptAt.set(runId, env.now());
        if (deps.locks) env.releaseLock.set(runId, deps.locks.hold(runId));
        updateRun(runId, (r) => ({ ...r, status: r.status === 'starting' ? 'training' : r.status }));
        void save(runId);
      },

      dismissSnapshotStatus() {
        set({ snapshotStatus: null });
      },
    };
  };

/** Whether a run can train on now (a finished run, nothing else training). */
export function canTrainOn(run: StoredRun | undefined, training: boolean): boolean {
  return !!run && !training && !isActive(run) && (run.status === 'done' || run.status === 'stopped') && familyOf(run.setup.dataset) !== undefined;
}
