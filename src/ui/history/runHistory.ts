// The run history: every run the user trained, kept in IndexedDB (store "runs") across reloads.
// Runs are saved whole, with one put, every few seconds while they train, so saving stays cheap and
// a crash loses seconds at most. Structured clone keeps numbers (NaN, -0, full doubles) and typed
// arrays exact. Every failure rejects, with a message that says what happened and what to do.
import type { SavedTensors } from '../../core/nn/params';
import type { StoredRun } from '../state/runTypes';
import {
  DEFAULT_TIMEOUT_MS,
  StorageUnavailableError,
  describeError,
  formatDuration,
  isQuotaError,
  openDatabase,
  withTimeout,
  type DatabaseOptions,
  type FewShotLabDatabase,
  type PackedTensor,
  type RunStateRecord,
} from './database';

export interface RunHistory {
  /** Every saved run, newest first. */
  listRuns(): Promise<StoredRun[]>;
  /** Adds the run or replaces the saved run with its id. */
  saveRun(run: StoredRun): Promise<void>;
  /**
   * Renames a saved run (the name trimmed; an empty one rejects). A run not saved yet is left alone:
   * the caller renames it in memory, and its next save writes the name.
   */
  renameRun(id: string, name: string): Promise<void>;
  /** Deleting a run that is not there is not an error (it may be gone already, from another tab). */
  deleteRun(id: string): Promise<void>;
  getRun(id: string): Promise<StoredRun | undefined>;
  /**
   * Keeps a run's state (deleted with the run), replacing what was kept: a training run's latest
   * checkpoint (which may hold its optimiser's state too, to resume), or a finished run's trained
   * state, so it can be evaluated, inspected or be a backbone on a later visit.
   */
  saveRunState(runId: string, state: SavedTensors): Promise<void>;
  getRunState(runId: string): Promise<SavedTensors | undefined>;
  /** Ids of the runs whose state is kept. */
  runStateIds(): Promise<string[]>;
  /** Drops the kept states of these runs (the runs and their curves stay). */
  dropRunStates(runIds: readonly string[]): Promise<void>;
}

/** A run history on the given IndexedDB (tests pass a fresh fake-indexeddb IDBFactory). */
export function createRunHistory(options: DatabaseOptions = {}): RunHistory {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** Opens the database, runs `work`, and turns every failure into an Error a user can act on. */
  async function use<T>(action: Action, work: (db: FewShotLabDatabase) => Promise<T>): Promise<T> {
    let db: FewShotLabDatabase;
    try {
      db = await openDatabase({ ...options, timeoutMs });
    } catch (error) {
      const reason = error instanceof StorageUnavailableError ? error.reason : describeError(error);
      throw new Error(`Runs cannot be saved in this browser (${reason}); export them as JSON to keep them.`, {
        cause: error,
      });
    }
    try {
      return await withTimeout(work(db), timeoutMs, () => new Error(`it took longer than ${formatDuration(timeoutMs)}`));
    } catch (error) {
      throw new Error(failureMessage(action, error), { cause: error });
    }
  }

  return {
    listRuns: () =>
      use('list', async (db) => {
        const runs = await db.getAll('runs');
        // A handful to a few hundred runs: sorting here is cheaper than maintaining an index on every put.
        return runs.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    saveRun: (run) =>
      use('save', async (db) => {
        await db.put('runs', run);
      }),

    renameRun: (id, name) => {
      const trimmed = name.trim();
      if (!trimmed) return Promise.reject(new Error('A run needs a name; type at least one character.'));
      return use('rename', async (db) => {
        // Read and write in one transaction, so a save from another tab cannot slip in between.
        const tx = db.transaction('runs', 'readwrite');
        const run = await tx.store.get(id);
        // Not saved (yet): a run that just started is saved, with its new name, a few seconds later.
        if (run && run.name !== trimmed) await tx.store.put({ ...run, name: trimmed });
        await tx.done;
      });
    },

    deleteRun: (id) =>
      use('delete', async (db) => {
        const tx = db.transaction(['runs', 'runStates'], 'readwrite');
        await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('runStates').delete(id), tx.done]);
      }),

    getRun: (id) => use('get', (db) => db.get('runs', id)),

    saveRunState: (runId, state) =>
      use('save', async (db) => {
        await db.put('runStates', { runId, packed: pack(state), savedAt: Date.now() });
      }),

    getRunState: (runId) =>
      use('get', async (db) => {
        const record = await db.get('runStates', runId);
        return record && unpack(record);
      }),

    runStateIds: () => use('list', (db) => db.getAllKeys('runStates')),

    dropRunStates: (runIds) =>
      use('delete', async (db) => {
        const tx = db.transaction('runStates', 'readwrite');
        await Promise.all([...runIds.map((id) => tx.store.delete(id)), tx.done]);
      }),
  };
}

/** A kept state as IndexedDB holds it: every tensor's values in one Blob (see RunStateRecord). */
function pack(state: SavedTensors): NonNullable<RunStateRecord['packed']> {
  const entries = Object.entries(state);
  const all = new Float32Array(entries.reduce((n, [, t]) => n + t.values.length, 0));
  const tensors: PackedTensor[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    all.set(t.values, offset);
    tensors.push({ name, shape: t.shape, offset, length: t.values.length });
    offset += t.values.length;
  }
  return { blob: new Blob([all]), tensors };
}

async function unpack(record: RunStateRecord): Promise<SavedTensors> {
  if (!record.packed) {
    if (!record.state) throw new Error(`The kept state of run ${record.runId} is empty.`);
    return record.state;
  }
  const all = new Float32Array(await record.packed.blob.arrayBuffer());
  const out: SavedTensors = {};
  for (const t of record.packed.tensors) out[t.name] = { shape: t.shape, values: all.slice(t.offset, t.offset + t.length) };
  return out;
}

type Action = 'list' | 'save' | 'rename' | 'delete' | 'get';

function failureMessage(action: Action, error: unknown): string {
  const reason = describeError(error);
  if (isQuotaError(error)) {
    return `The browser's storage for this site is full (${reason}); nothing stored before was lost. Drop kept states or delete old runs in the history, or export runs as JSON to keep them.`;
  }
  switch (action) {
    case 'save':
      return `The run could not be saved (${reason}); export it as JSON to keep it.`;
    case 'rename':
      return `The run could not be renamed (${reason}); try again, or export it as JSON to keep it.`;
    case 'delete':
      return `The run could not be deleted (${reason}); reload the page and try again.`;
    case 'list':
    case 'get':
      return `Saved runs could not be read (${reason}); reload the page and try again.`;
  }
}

// The page's own history, on the browser's IndexedDB; created on first use so importing this
// module never touches storage (and works where there is none, e.g. in Node).
let pageHistory: RunHistory | undefined;
const pageRunHistory = (): RunHistory => (pageHistory ??= createRunHistory());

export const listRuns = (): Promise<StoredRun[]> => pageRunHistory().listRuns();
export const saveRun = (run: StoredRun): Promise<void> => pageRunHistory().saveRun(run);
export const renameRun = (id: string, name: string): Promise<void> => pageRunHistory().renameRun(id, name);
export const deleteRun = (id: string): Promise<void> => pageRunHistory().deleteRun(id);
export const getRun = (id: string): Promise<StoredRun | undefined> => pageRunHistory().getRun(id);
