// The playground's one IndexedDB database. Every object store is created here, in one versioned
// upgrade, so the modules that use the database (run history, dataset archives, ...) never race
// each other over version numbers: a new store or index is a new step below and a DB_VERSION bump.
// Opening never hangs and never throws anything vaguer than a StorageUnavailableError saying why.
import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredRun } from '../state/runTypes';
import type { OwnDatasetRecord } from '../userData/ownDataset';
import type { InputRange, ModelFiles } from '../../core/features/types';
import type { SavedTensors } from '../../core/nn/params';

export const DB_NAME = 'few-shot-lab';
/** Bump together with a new step in `upgradeDatabase`. */
export const DB_VERSION = 3;

/** A downloaded dataset archive kept so it need not be downloaded again (owned by the dataset code). */
/** A backbone kept in the browser (the models store): pretrained, picked from disk, or exported. */
export type ModelOrigin = 'pretrained' | 'file' | 'exported';

export interface ModelRecord {
  /** The catalog id for pretrained models, a random id otherwise. */
  id: string;
  name: string;
  origin: ModelOrigin;
  files: ModelFiles;
  /** model.json (as JSON text) plus weight files, in bytes: what the model takes in storage. */
  bytes: number;
  /** ms since the epoch. */
  savedAt: number;
  /** The feature layer to use, when known (the catalog's, or the user's choice). */
  layer?: string;
  inputRange?: InputRange;
}

export interface ArchiveRecord {
  /** e.g. "images_background.zip". */
  name: string;
  bytes: Uint8Array;
  /** ms since the epoch. */
  savedAt: number;
}

export interface FewShotLabSchema extends DBSchema {
  runs: { key: string; value: StoredRun };
  archives: { key: string; value: ArchiveRecord };
  /** The user's own image datasets (src/ui/userData), by id. */
  ownDatasets: { key: string; value: OwnDatasetRecord };
  /** Backbone models kept for offline use: the pretrained catalog's under their catalog id, the user's files, exports (src/ui/models). */
  models: { key: string; value: ModelRecord };
  /** A finished run's trained state (its method's tensors), kept apart from the run so lists stay light. */
  runStates: { key: string; value: RunStateRecord };
}

/**
 * A run's kept state (a checkpoint or its trained state), so it can resume or serve on a later
 * visit: every tensor's float32 values one after another in one Blob, with each tensor's name,
 * shape and place in it. Putting a Blob into IndexedDB stores a reference; putting the
 * Float32Arrays themselves serialised the whole 1.3 MB checkpoint on the page's main thread
 * (16-31 ms quiet, 45-65 ms when the worker kept both cores busy: a long task in the middle of
 * training), and one Blob per tensor cost about 1 ms each for 45 tensors. Records written before
 * hold `state` and still read.
 */
export interface RunStateRecord {
  runId: string;
  packed?: { blob: Blob; tensors: PackedTensor[] };
  /** Written before states were packed. */
  state?: SavedTensors;
  /** ms since the epoch. */
  savedAt: number;
}

/** Where one tensor's values lie in a packed state's Blob (in float32 elements). */
export interface PackedTensor {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export type FewShotLabDatabase = IDBPDatabase<FewShotLabSchema>;

export interface DatabaseOptions {
  /** Default: globalThis.indexedDB (tests pass a fresh fake-indexeddb IDBFactory). */
  factory?: IDBFactory;
  /** Give up on opening after this long (Safari has been known to leave open() pending forever). */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The database cannot be used at all; `reason` says why in words, for the caller's own message. */
export class StorageUnavailableError extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`IndexedDB is unusable: ${reason}`, options);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * Brings a database of any older version (0: new) up to DB_VERSION. Steps only ever add: each
 * `if` runs once, in order, so users skipping versions get every step.
 */
export function upgradeDatabase(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('runs', { keyPath: 'id' });
    db.createObjectStore('archives', { keyPath: 'name' });
  }
  if (oldVersion < 2) {
    db.createObjectStore('ownDatasets', { keyPath: 'id' });
    db.createObjectStore('models', { keyPath: 'id' });
  }
  if (oldVersion < 3) {
    db.createObjectStore('runStates', { keyPath: 'runId' });
  }
}

// One connection per factory for the whole page: opening is slow-ish and connections are shared
// by all modules. A failed open is forgotten, so a later call tries again.
const connections = new WeakMap<IDBFactory, Promise<FewShotLabDatabase>>();

export function openDatabase(options: DatabaseOptions = {}): Promise<FewShotLabDatabase> {
  const factory = options.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) {
    return Promise.reject(new StorageUnavailableError('IndexedDB is not available here, as in some private windows'));
  }
  let connection = connections.get(factory);
  if (!connection) {
    const opened: Promise<FewShotLabDatabase> = openFresh(factory, options.timeoutMs ?? DEFAULT_TIMEOUT_MS).then(
      (raw) => {
        // A newer version in another tab wants to upgrade: let it (this page reopens on its next
        // call). The browser may also close the connection itself (storage cleared): reopen then too.
        raw.addEventListener('versionchange', () => {
          raw.close();
          forget(factory, opened);
        });
        raw.addEventListener('close', () => forget(factory, opened));
        return wrap(raw) as unknown as FewShotLabDatabase;
      },
      (error: unknown) => {
        forget(factory, opened);
        throw error;
      },
    );
    connection = opened;
    connections.set(factory, connection);
  }
  return connection;
}

function forget(factory: IDBFactory, connection: Promise<FewShotLabDatabase>): void {
  if (connections.get(factory) === connection) connections.delete(factory);
}

function openFresh(factory: IDBFactory, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let blocked = false;
    let settled = false;
    const fail = (error: StorageUnavailableError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(
        new StorageUnavailableError(
          blocked
            ? 'another Few-Shot Lab tab with an older version keeps the database open; close it and reload'
            : `the database did not open within ${formatDuration(timeoutMs)}`,
        ),
      );
    }, timeoutMs);

    let request: IDBOpenDBRequest;
    try {
      request = factory.open(DB_NAME, DB_VERSION);
    } catch (error) {
      // Some browsers throw right away (SecurityError on file://, InvalidStateError in private mode).
      fail(new StorageUnavailableError(`opening the database failed: ${describeError(error)}`, { cause: error }));
      return;
    }
    request.addEventListener('upgradeneeded', (event) => {
      upgradeDatabase(request.result, (event as IDBVersionChangeEvent).oldVersion);
    });
    request.addEventListener('blocked', () => {
      blocked = true;
    });
    request.addEventListener('error', (event) => {
      // Handled here; without preventDefault some browsers also report it as uncaught.
      event.preventDefault?.();
      fail(new StorageUnavailableError(`opening the database failed: ${describeError(request.error)}`, { cause: request.error }));
    });
    request.addEventListener('success', () => {
      const raw = request.result;
      if (settled) {
        // Opened after we gave up: nobody will use it, and it must not block a later upgrade.
        raw.close();
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(raw);
    });
  });
}

/** Rejects with `onTimeout()` if `promise` has not settled within `ms`, so no caller waits forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** "50 ms", "10 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

/** "QuotaExceededError: ..." for DOMExceptions, the message for other errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) {
    const { name, message } = error as Error;
    return message ? (name && name !== 'Error' ? `${name}: ${message}` : message) : name || 'unknown error';
  }
  return error == null ? 'unknown error' : String(error);
}

export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}
