// The user's own datasets kept in IndexedDB (store "ownDatasets", by id) across reloads. `put`
// saves the user's edits to a dataset over its previous version; `saveImported` saves a dataset
// that came from elsewhere (a zip, a folder) and never replaces a saved dataset of the same name
// unless the caller passes the user's answer ('replace' or 'keepBoth').
import type { DatabaseOptions, FewShotLabDatabase } from '../history/database';
import { type OwnDatasetRecord, datasetStats, randomId } from './ownDataset';
import { type OnConflict, type StoreAction, exactBytes, placeNewRecord, useDatabase } from './savedRecords';

export interface OwnDatasetSummary {
  id: string;
  name: string;
  classes: number;
  images: number;
  /** Encoded bytes of the images. */
  bytes: number;
  createdAt: number;
  updatedAt: number;
}

export interface SavedImport {
  /** The dataset as saved (its id and name may differ from what was passed). */
  dataset: OwnDatasetRecord;
  /** The saved dataset it replaced, with 'replace'. */
  replacedId?: string;
}

export interface OwnDatasetStore {
  /** Every saved dataset, most recently changed first. */
  list(): Promise<OwnDatasetSummary[]>;
  get(id: string): Promise<OwnDatasetRecord | undefined>;
  /** Saves the dataset under its id, over its previous version. */
  put(ds: OwnDatasetRecord): Promise<void>;
  /** Deleting a dataset that is not there is not an error. */
  delete(id: string): Promise<void>;
  /**
   * Saves a new dataset. When a saved one has the same name (ignoring case), 'ask' (the default)
   * rejects with a NameConflictError carrying the suggested "name (2)"; 'replace' puts the new one
   * in the old one's place (its id); 'keepBoth' saves the new one under the suggested name.
   */
  saveImported(ds: OwnDatasetRecord, options?: { onConflict?: OnConflict }): Promise<SavedImport>;
}

export function createOwnDatasetStore(options: DatabaseOptions = {}): OwnDatasetStore {
  const use = <T>(action: StoreAction, work: (db: FewShotLabDatabase) => Promise<T>) => useDatabase(options, 'datasets', action, work);
  return {
    list: () =>
      use('list', async (db) => {
        // IndexedDB cannot read part of a record, so this reads the images too: fine for the few
        // MB of downscaled photos a handful of datasets hold.
        const all = await db.getAll('ownDatasets');
        return all.map(summarise).sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),
    get: (id) => use('read', (db) => db.get('ownDatasets', id)),
    put: (ds) =>
      use('save', async (db) => {
        await db.put('ownDatasets', storable(ds));
      }),
    delete: (id) =>
      use('delete', async (db) => {
        await db.delete('ownDatasets', id);
      }),
    saveImported: (ds, { onConflict = 'ask' } = {}) =>
      use('save', async (db) => {
        // One transaction: no other tab can save a dataset of that name between the check and the put.
        const tx = db.transaction('ownDatasets', 'readwrite');
        const saved = (await tx.store.getAll()).map(({ id, name }) => ({ id, name }));
        let place: ReturnType<typeof placeNewRecord>;
        try {
          place = placeNewRecord('dataset', ds, saved, onConflict, randomId);
        } catch (error) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw error;
        }
        const dataset = storable({ ...ds, id: place.id, name: place.name });
        await tx.store.put(dataset);
        await tx.done;
        return place.replacedId === undefined ? { dataset } : { dataset, replacedId: place.replacedId };
      }),
  };
}

export function summarise(ds: OwnDatasetRecord): OwnDatasetSummary {
  const stats = datasetStats(ds);
  return { id: ds.id, name: ds.name, classes: stats.classes, images: stats.images, bytes: stats.bytes, createdAt: ds.createdAt, updatedAt: ds.updatedAt };
}

/** The record with every image's bytes exactly its own (not a view into a larger buffer). */
function storable(ds: OwnDatasetRecord): OwnDatasetRecord {
  return { ...ds, classes: ds.classes.map((cls) => ({ ...cls, images: cls.images.map((img) => ({ ...img, bytes: exactBytes(img.bytes) })) })) };
}

// The page's own store, on the browser's IndexedDB; created on first use so importing this
// module never touches storage.
let pageStore: OwnDatasetStore | undefined;
export const ownDatasetStore = (): OwnDatasetStore => (pageStore ??= createOwnDatasetStore());
