// The database upgrade to version 2 and the IndexedDB stores of the user's datasets and models
// (fake-indexeddb, a fresh factory per test): CRUD, listing, exact bytes, and the rule that saving
// something new never silently replaces a saved thing of the same name.
import 'fake-indexeddb/auto'; // IDB globals (IDBRequest, ...) that idb's wrappers check against
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DB_NAME, DB_VERSION, openDatabase } from '../../../src/ui/history/database';
import { createRunHistory } from '../../../src/ui/history/runHistory';
import { createModelStore, modelRecord, modelFilesBytes } from '../../../src/ui/models/modelStore';
import { createOwnDatasetStore } from '../../../src/ui/userData/ownDatasetStore';
import { addClass, addImages, createDataset, type OwnDatasetRecord } from '../../../src/ui/userData/ownDataset';
import { NameConflictError, nextFreeName } from '../../../src/ui/userData/savedRecords';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { deterministic, png, tinyModelFiles } from './helpers';

function pets(name = 'Pets', ctx = deterministic()): OwnDatasetRecord {
  let ds = createDataset(name, ctx);
  ds = addClass(ds, 'cats', ctx);
  ds = addClass(ds, 'dogs', ctx);
  ds = addImages(ds, ds.classes[0].id, [{ name: 'a.png', type: 'image/png', bytes: png(1), width: 12, height: 10 }], ctx).dataset;
  return ds;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** Opens the database at version 1 the way the released page did, and stores a run in it. */
async function makeVersion1Database(factory: IDBFactory, run: Record<string, unknown>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = factory.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('runs', { keyPath: 'id' });
      request.result.createObjectStore('archives', { keyPath: 'name' });
    };
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction('runs', 'readwrite');
      tx.objectStore('runs').put(run);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

describe('the database (version 3)', () => {
  it('creates every store in a new database', async () => {
    const db = await openDatabase({ factory: new IDBFactory() });
    expect(DB_VERSION).toBe(3);
    expect(db.version).toBe(3);
    expect([...db.objectStoreNames].sort()).toEqual(['archives', 'models', 'ownDatasets', 'runStates', 'runs']);
  });

  it('upgrades a version 1 database, keeping its runs', async () => {
    const factory = new IDBFactory();
    const run = { id: 'run-1', name: 'kept', createdAt: 5, points: [{ step: 1, loss: Number.NaN }] };
    await makeVersion1Database(factory, run);

    const db = await openDatabase({ factory });
    expect(db.version).toBe(3);
    expect([...db.objectStoreNames].sort()).toEqual(['archives', 'models', 'ownDatasets', 'runStates', 'runs']);
    const history = createRunHistory({ factory });
    expect(await history.getRun('run-1')).toEqual(run);
    expect((await history.listRuns()).map((r: StoredRun) => r.id)).toEqual(['run-1']);
    // The new stores work on the upgraded database.
    const datasets = createOwnDatasetStore({ factory });
    await datasets.put(pets());
    expect((await datasets.list()).map((d) => d.name)).toEqual(['Pets']);
  });
});

describe('the dataset store', () => {
  it('puts, lists (with counts, most recently changed first), gets and deletes', async () => {
    const store = createOwnDatasetStore({ factory: new IDBFactory() });
    expect(await store.list()).toEqual([]);
    const older = pets('Older');
    const newer = { ...pets('Newer'), id: 'newer', updatedAt: older.updatedAt + 10 };
    await store.put(older);
    await store.put(newer);
    expect(await store.list()).toEqual([
      { id: 'newer', name: 'Newer', classes: 2, images: 1, bytes: png(1).length, createdAt: newer.createdAt, updatedAt: newer.updatedAt },
      { id: older.id, name: 'Older', classes: 2, images: 1, bytes: png(1).length, createdAt: older.createdAt, updatedAt: older.updatedAt },
    ]);
    expect(await store.get(older.id)).toEqual(older);
    expect(await store.get('missing')).toBeUndefined();
    await store.delete(older.id);
    await store.delete(older.id); // already gone: not an error
    expect((await store.list()).map((d) => d.id)).toEqual(['newer']);
  });

  it('stores exactly the image bytes, not the buffer a view points into', async () => {
    const store = createOwnDatasetStore({ factory: new IDBFactory() });
    const big = new Uint8Array(1000);
    big.set(png(1), 100);
    const view = big.subarray(100, 100 + png(1).length);
    const ds = pets();
    const withView = { ...ds, classes: ds.classes.map((c, i) => (i === 0 ? { ...c, images: [{ ...c.images[0], bytes: view }] } : c)) };
    await store.put(withView);
    const back = (await store.get(ds.id))!.classes[0].images[0].bytes;
    expect(back).toEqual(png(1));
    expect(back.buffer.byteLength).toBe(png(1).length);
  });

  it('never replaces a saved dataset of the same name silently: it asks, then replaces or keeps both', async () => {
    const store = createOwnDatasetStore({ factory: new IDBFactory() });
    const saved = pets('Pets');
    await store.put(saved);
    // The same name ignoring case, under a new id (as an import makes).
    const fresh = { ...pets('pets'), id: 'imported-id' };

    const error = await rejection(store.saveImported(fresh));
    expect(error).toBeInstanceOf(NameConflictError);
    expect(error.message).toBe('A dataset named "Pets" is already saved; replace it, or keep both (the new one named "pets (2)").');
    expect(error).toMatchObject({ name: 'NameConflictError', takenName: 'Pets', existingId: saved.id, suggestedName: 'pets (2)' });
    expect(await store.list()).toHaveLength(1);
    expect(await store.get('imported-id')).toBeUndefined();

    const kept = await store.saveImported(fresh, { onConflict: 'keepBoth' });
    expect(kept.dataset).toMatchObject({ id: 'imported-id', name: 'pets (2)' });
    expect(kept.replacedId).toBeUndefined();
    const third = await store.saveImported({ ...fresh, id: 'third' }, { onConflict: 'keepBoth' });
    expect(third.dataset.name).toBe('pets (3)');
    expect((await store.list()).map((d) => d.name).sort()).toEqual(['Pets', 'pets (2)', 'pets (3)']);

    const replaced = await store.saveImported({ ...fresh, id: 'fourth', classes: [] }, { onConflict: 'replace' });
    expect(replaced.replacedId).toBe(saved.id);
    expect(replaced.dataset).toMatchObject({ id: saved.id, name: 'pets', classes: [] });
    expect((await store.list()).map((d) => d.name).sort()).toEqual(['pets', 'pets (2)', 'pets (3)']);
    expect((await store.get(saved.id))!.classes).toEqual([]);
  });

  it('gives a new dataset whose id is taken by another dataset a fresh id instead of overwriting it', async () => {
    const store = createOwnDatasetStore({ factory: new IDBFactory() });
    await store.put({ ...pets('One'), id: 'same' });
    const saved = await store.saveImported({ ...pets('Two'), id: 'same' });
    expect(saved.dataset.id).not.toBe('same');
    expect((await store.list()).map((d) => d.name).sort()).toEqual(['One', 'Two']);
  });

  it('says what to do when IndexedDB cannot be used', async () => {
    const broken = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const error = await rejection(createOwnDatasetStore({ factory: broken }).list());
    expect(error.message).toBe(
      'Your datasets cannot be kept in this browser (opening the database failed: SecurityError: The operation is insecure.); they last until the page is closed.',
    );
  });

  it('names a free copy "name (n)"', () => {
    expect(nextFreeName('cats', ['cats'])).toBe('cats (2)');
    expect(nextFreeName('cats', ['cats', 'CATS (2)'])).toBe('cats (3)');
    expect(nextFreeName('cats (2)', ['cats', 'cats (2)'])).toBe('cats (3)');
  });
});

describe('the model store', () => {
  it('puts, lists without files, gets and deletes', async () => {
    const store = createModelStore({ factory: new IDBFactory() });
    const files = tinyModelFiles();
    const record = modelRecord('Tiny', 'file', files, { id: 'tiny', layer: 'dense_1', inputRange: '0,1', now: 123 });
    expect(record.bytes).toBe(modelFilesBytes(files));
    expect(record.bytes).toBe(new TextEncoder().encode(JSON.stringify(files.modelJson)).length + 40);
    await store.put(record);
    expect(await store.list()).toEqual([{ id: 'tiny', name: 'Tiny', origin: 'file', bytes: record.bytes, savedAt: 123, layer: 'dense_1', inputRange: '0,1' }]);
    const back = await store.get('tiny');
    expect(back).toEqual(record);
    expect(back!.files.weights[1].bytes).toEqual(files.weights[1].bytes);
    await store.delete('tiny');
    expect(await store.list()).toEqual([]);
  });

  it('never replaces a saved model of the same name silently', async () => {
    const store = createModelStore({ factory: new IDBFactory() });
    await store.put(modelRecord('My model', 'file', tinyModelFiles(), { id: 'first' }));
    const second = modelRecord('my MODEL', 'exported', tinyModelFiles(), { id: 'second' });
    const error = await rejection(store.saveNew(second));
    expect(error).toBeInstanceOf(NameConflictError);
    expect(error.message).toBe('A model named "My model" is already saved; replace it, or keep both (the new one named "my MODEL (2)").');
    expect((await store.list()).map((m) => m.id)).toEqual(['first']);

    expect((await store.saveNew(second, { onConflict: 'keepBoth' })).model).toMatchObject({ id: 'second', name: 'my MODEL (2)' });
    const replaced = await store.saveNew({ ...second, id: 'third' }, { onConflict: 'replace' });
    expect(replaced).toMatchObject({ replacedId: 'first', model: { id: 'first', name: 'my MODEL', origin: 'exported' } });
    expect((await store.list()).map((m) => m.name).sort()).toEqual(['my MODEL', 'my MODEL (2)']);
  });
});
