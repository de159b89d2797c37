// Backbone models kept in IndexedDB (store "models", by id), so a model is downloaded or picked
// once and works offline afterwards: the pretrained catalog's models under their catalog id
// (loadPretrained.ts), models the user picked from disk, and classifiers exported from the
// playground. `put` saves under the record's id; `saveNew` never replaces a saved model of the
// same name unless the caller passes the user's answer ('replace' or 'keepBoth').
import type { DatabaseOptions, FewShotLabDatabase, ModelOrigin, ModelRecord } from '../history/database';
import type { InputRange, ModelFiles } from '../../core/features/types';
import { randomId } from '../userData/ownDataset';
import { type OnConflict, type StoreAction, exactBytes, placeNewRecord, useDatabase } from '../userData/savedRecords';

export type { ModelOrigin, ModelRecord } from '../history/database';

/** The name the page's store uses for a saved model. */
export type StoredModel = ModelRecord;

/** A model record without its files, for listings. */
export type ModelSummary = Omit<ModelRecord, 'files'>;

export interface ModelStore {
  /** Every saved model (without files), most recently saved first. */
  list(): Promise<ModelSummary[]>;
  get(id: string): Promise<ModelRecord | undefined>;
  /** Saves under the record's id, over a previous version with that id. */
  put(record: ModelRecord): Promise<void>;
  /** Deleting a model that is not there is not an error. */
  delete(id: string): Promise<void>;
  /**
   * Saves a new model. When a saved one has the same name (ignoring case), 'ask' (the default)
   * rejects with a NameConflictError carrying the suggested "name (2)"; 'replace' puts the new one
   * in the old one's place (its id); 'keepBoth' saves it under the suggested name.
   */
  saveNew(record: ModelRecord, options?: { onConflict?: OnConflict }): Promise<{ model: ModelRecord; replacedId?: string }>;
}

/** A record for model files (id made, size counted, saved now). */
export function modelRecord(
  name: string,
  origin: ModelOrigin,
  files: ModelFiles,
  extra: { id?: string; layer?: string; inputRange?: InputRange; now?: number } = {},
): ModelRecord {
  const record: ModelRecord = { id: extra.id ?? randomId(), name, origin, files, bytes: modelFilesBytes(files), savedAt: extra.now ?? Date.now() };
  if (extra.layer !== undefined) record.layer = extra.layer;
  if (extra.inputRange !== undefined) record.inputRange = extra.inputRange;
  return record;
}

/** Bytes of model.json (as JSON text) and every weight file. */
export function modelFilesBytes(files: ModelFiles): number {
  const json = new TextEncoder().encode(JSON.stringify(files.modelJson) ?? '').length;
  return files.weights.reduce((sum, w) => sum + w.bytes.length, json);
}

export function createModelStore(options: DatabaseOptions = {}): ModelStore {
  const use = <T>(action: StoreAction, work: (db: FewShotLabDatabase) => Promise<T>) => useDatabase(options, 'models', action, work);
  return {
    list: () =>
      use('list', async (db) => {
        // A cursor still reads whole records (IndexedDB cannot read part of one); the weights are
        // dropped as each record passes, so only one model's bytes are held at a time.
        const summaries: ModelSummary[] = [];
        for (let cursor = await db.transaction('models').store.openCursor(); cursor; cursor = await cursor.continue()) {
          summaries.push(summarise(cursor.value));
        }
        return summaries.sort((a, b) => b.savedAt - a.savedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),
    get: (id) => use('read', (db) => db.get('models', id)),
    put: (record) =>
      use('save', async (db) => {
        await db.put('models', storable(record));
      }),
    delete: (id) =>
      use('delete', async (db) => {
        await db.delete('models', id);
      }),
    saveNew: (record, { onConflict = 'ask' } = {}) =>
      use('save', async (db) => {
        const tx = db.transaction('models', 'readwrite');
        const saved: Array<{ id: string; name: string }> = [];
        for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
          saved.push({ id: cursor.value.id, name: cursor.value.name });
        }
        let place: ReturnType<typeof placeNewRecord>;
        try {
          place = placeNewRecord('model', record, saved, onConflict, randomId);
        } catch (error) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw error;
        }
        const model = storable({ ...record, id: place.id, name: place.name });
        await tx.store.put(model);
        await tx.done;
        return place.replacedId === undefined ? { model } : { model, replacedId: place.replacedId };
      }),
  };
}

function summarise(record: ModelRecord): ModelSummary {
  const { files: _files, ...summary } = record;
  return summary;
}

/** The record with every weight file's bytes exactly its own (not a view into a larger buffer). */
function storable(record: ModelRecord): ModelRecord {
  return { ...record, files: { modelJson: record.files.modelJson, weights: record.files.weights.map((w) => ({ path: w.path, bytes: exactBytes(w.bytes) })) } };
}

// The page's own store, on the browser's IndexedDB; created on first use.
let pageStore: ModelStore | undefined;
export const modelStore = (): ModelStore => (pageStore ??= createModelStore());
