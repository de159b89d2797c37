// What the playground's slices share besides the state: the injected deps, the clock, run ids, and
// small tools over the runs (find, update, save to the history) that more
// than one slice needs. Made once per store (createPlaygroundStore), handed to every slice.
import type { StateCreator } from 'zustand/vanilla';
import type { Checkpoint } from '../../../worker/protocol';
import type { StoredRun } from '../runTypes';
import { runOf } from '../selectors';
import type { DatasetChoice } from '../setup';
import type { DatasetState, PlaygroundDeps, PlaygroundState } from './types';

export interface PlaygroundEnv {
  deps: PlaygroundDeps;
  now(): number;
  /** A new run id, unique in this store. */
  newRunId(): string;
  /** When each run was last written to the history. */
  lastSaved: Map<string, number>;
  /** Each training run's latest checkpoint from the worker, and when and at which step one was last kept. */
  checkpoints: { latest: Map<string, Checkpoint>; keptAt: Map<string, number>; keptStep: Map<string, number> };
  /** Releases the lock telling other tabs a run trains here (runLocks.ts), per run. */
  releaseLock: Map<string, () => void>;
}

export function playgroundEnv(deps: PlaygroundDeps): PlaygroundEnv {
  const now = deps.now ?? (() => Date.now());
  let runCounter = 0;
  return {
    deps,
    now,
    newRunId: () => `run-${now().toString(36)}-${(++runCounter).toString(36)}`,
    lastSaved: new Map(),
    checkpoints: { latest: new Map(), keptAt: new Map(), keptStep: new Map() },
    releaseLock: new Map(),
  };
}

/** A slice of the playground store, made with the store's env. */
export type PlaygroundSlice<T> = StateCreator<PlaygroundState, [], [], T>;
export type SetState = Parameters<PlaygroundSlice<unknown>>[0];
export type GetState = Parameters<PlaygroundSlice<unknown>>[1];

/** The tools over runs and datasets that several slices use, bound to one store's set and get. */
export function playgroundTools(env: PlaygroundEnv, set: SetState, get: GetState) {
  const { deps } = env;
  const runById = (id: string | null | undefined) => runOf(get(), id);
  const updateRun = (id: string, update: (run: StoredRun) => StoredRun) => set((s) => ({ runs: s.runs.map((r) => (r.id === id ? update(r) : r)) }));

  const save = async (id: string) => {
    const run = runById(id);
    if (!run) return;
    env.lastSaved.set(id, env.now());
    try {
      await deps.history.saveRun(run);
    } catch (error) {
      set({ historyMessage: (error as Error).message });
    }
  };

  const setDataset = (dataset: DatasetChoice, patch: Partial<DatasetState>) =>
    set((s) => ({ datasets: { ...s.datasets, [dataset]: { ...(s.datasets[dataset] ?? { status: 'absent' }), ...patch } } }));

  return { runById, updateRun, save, setDataset };
}
