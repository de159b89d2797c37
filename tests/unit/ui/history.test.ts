// The run history (IndexedDB through fake-indexeddb, a fresh database per test), its failure
// messages, and the JSON / CSV exports and file names made from a run.
import 'fake-indexeddb/auto'; // IDB globals (IDBRequest, ...) that idb's wrappers check against
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRunHistory, listRuns, saveRun, getRun, deleteRun } from '../../../src/ui/history/runHistory';
import { DB_NAME, DB_VERSION, openDatabase } from '../../../src/ui/history/database';
import { fileNameFor, runCurvesToCsv, runToJson, type RunExport } from '../../../src/ui/history/exportRun';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { summarise } from '../../../src/core/train/stats';
import { classificationRun } from './fixtures/storedRuns';

/** A run as the store keeps it after training `steps` steps of ProtoNet on glyphs and one evaluation. */
function makeRun(overrides: Partial<StoredRun> = {}, steps = 300): StoredRun {
  return classificationRun(
    {
      id: 'run-1',
      name: 'ProtoNet 5-way 1-shot',
      createdAt: Date.UTC(2024, 4, 1, 9, 5, 0),
      evaluationSeed: 12345,
      settings: { way: 5, shot: 1, query: 15 },
      noiseSeed: 7,
      perEpisode: (count) => Array.from({ length: count }, (_, i) => ((i * 7) % 16) / 15),
    },
    overrides,
    steps,
  );
}

/** A minimal RFC 4180 reader, to check the CSV as a spreadsheet would read it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('run history in IndexedDB', () => {
  it('saves, lists newest first, gets, renames and deletes runs', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    expect(await history.listRuns()).toEqual([]);
    const older = makeRun({ id: 'a', name: 'older', createdAt: 1_000 }, 20);
    const newest = makeRun({ id: 'b', name: 'newest', createdAt: 3_000 }, 20);
    const middle = makeRun({ id: 'c', name: 'middle', createdAt: 2_000 }, 20);
    for (const run of [older, newest, middle]) await history.saveRun(run);

    expect((await history.listRuns()).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(await history.getRun('c')).toEqual(middle);
    expect(await history.getRun('missing')).toBeUndefined();

    await history.renameRun('a', '  baseline  ');
    expect(await history.getRun('a')).toEqual({ ...older, name: 'baseline' });

    await history.deleteRun('b');
    await history.deleteRun('b'); // already gone: not an error
    expect((await history.listRuns()).map((r) => r.id)).toEqual(['c', 'a']);
  });

  it('saving the same run again replaces it (the periodic save while training)', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    const run = makeRun({}, 10);
    await history.saveRun({ ...run, status: 'training', points: run.points.slice(0, 3) });
    await history.saveRun(run);
    const runs = await history.listRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toEqual(run);
  });

  it('keeps a run with 1000 points exactly: full doubles, NaN, -0 and typed arrays', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    const run = makeRun({ status: 'diverged', message: 'Loss became NaN at step 1000; lower the learning rate.' }, 1000);
    run.points[999] = { ...run.points[999], loss: NaN };
    run.points[998] = { ...run.points[998], loss: -0 };
    run.points[997] = { ...run.points[997], loss: Number.MIN_VALUE, accuracy: 1 / 3 };
    const perEpisode = Float64Array.from({ length: 600 }, (_, i) => (i % 7) / 7);
    run.evaluations[0].results[0].perEpisode = perEpisode as unknown as number[];
    await history.saveRun(run);

    const back = await history.getRun(run.id);
    expect(back).toStrictEqual(run);
    expect(back!.points).toHaveLength(1000);
    expect(Object.is(back!.points[998].loss, -0)).toBe(true);
    expect(back!.points[999].loss).toBeNaN();
    expect(back!.evaluations[0].results[0].perEpisode).toBeInstanceOf(Float64Array);
    expect(back!.points.every((p, i) => Object.is(p.elapsed, run.points[i].elapsed))).toBe(true);
  });

  it('keeps a finished run\'s trained state apart from the run, and deletes it with the run', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    const run = makeRun({}, 5);
    await history.saveRun(run);
    const state = { 'conv0.weight': { shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => i / 7) } };
    await history.saveRunState(run.id, state);
    expect(await history.runStateIds()).toEqual([run.id]);
    expect(await history.getRunState(run.id)).toEqual(state);
    // Listing runs does not carry the states along.
    expect(Object.keys((await history.listRuns())[0])).not.toContain('state');
    await history.deleteRun(run.id);
    expect(await history.runStateIds()).toEqual([]);
    expect(await history.getRunState(run.id)).toBeUndefined();
  });

  it('keeps a state of many tensors as one Blob, exactly, and still reads states written before as arrays', async () => {
    const factory = new IDBFactory();
    const history = createRunHistory({ factory });
    const state = {
      'params/w': { shape: [2, 3], values: Float32Array.from([1.5, -0, NaN, 3e-39, -2, 7]) },
      'training/m/w': { shape: [2, 3], values: new Float32Array(6).fill(0.25) },
      'training/step': { shape: [], values: Float32Array.of(41) },
    };
    await history.saveRunState('packed', state);
    const db = await openDatabase({ factory });
    const record = await db.get('runStates', 'packed');
    expect(record!.packed!.blob.size).toBe(13 * 4);
    expect(record!.packed!.tensors.map((t) => [t.name, t.offset, t.length])).toEqual([['params/w', 0, 6], ['training/m/w', 6, 6], ['training/step', 12, 1]]);
    const back = await history.getRunState('packed');
    expect(Object.keys(back!)).toEqual(Object.keys(state));
    for (const [name, t] of Object.entries(state)) {
      expect(back![name].shape).toEqual(t.shape);
      expect(Array.from(back![name].values, (v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(t.values, (v) => Object.is(v, -0) ? '-0' : v));
    }
    // A record from before states were packed.
    await db.put('runStates', { runId: 'old', state: { w: { shape: [2], values: Float32Array.of(4, 5) } }, savedAt: 1 });
    expect(await history.getRunState('old')).toEqual({ w: { shape: [2], values: Float32Array.of(4, 5) } });
  });

  it('keeps runs, archives, the user\'s datasets and models in one database version', async () => {
    const factory = new IDBFactory();
    const db = await openDatabase({ factory });
    expect(db.name).toBe(DB_NAME);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['archives', 'models', 'ownDatasets', 'runStates', 'runs']);
    await db.put('archives', { name: 'images_background.zip', bytes: new Uint8Array([1, 2, 3]), savedAt: 5 });
    expect((await db.get('archives', 'images_background.zip'))?.bytes).toEqual(new Uint8Array([1, 2, 3]));
    // The history shares the connection and the database.
    const history = createRunHistory({ factory });
    await history.saveRun(makeRun({}, 5));
    expect(await db.count('runs')).toBe(1);
  });

  it('renaming a run not saved yet changes nothing; an empty name rejects with a clear message', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    await history.renameRun('not-saved-yet', 'x');
    expect(await history.listRuns()).toEqual([]);
    await history.saveRun(makeRun({}, 5));
    await expect(history.renameRun('run-1', '   ')).rejects.toThrow(/needs a name/);
    expect((await history.getRun('run-1'))?.name).toBe('ProtoNet 5-way 1-shot');
  });

  it('rejects every call with what happened and what to do when IndexedDB cannot open', async () => {
    const throwing = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const history = createRunHistory({ factory: throwing });
    const expected =
      /^Runs cannot be saved in this browser \(opening the database failed: SecurityError: The operation is insecure\.\); export them as JSON to keep them\.$/;
    await expect(history.saveRun(makeRun({}, 5))).rejects.toThrow(expected);
    await expect(history.listRuns()).rejects.toThrow(expected);
    await expect(history.getRun('run-1')).rejects.toThrow(expected);
    await expect(history.renameRun('run-1', 'x')).rejects.toThrow(expected);
    await expect(history.deleteRun('run-1')).rejects.toThrow(expected);
  });

  it('rejects when the open request fails (private mode), without hanging', async () => {
    const failing = {
      open: () => {
        const request = Object.assign(new EventTarget(), {
          error: new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'),
        });
        setTimeout(() => request.dispatchEvent(new Event('error', { cancelable: true })), 0);
        return request;
      },
    } as unknown as IDBFactory;
    const history = createRunHistory({ factory: failing, timeoutMs: 60_000 });
    await expect(history.listRuns()).rejects.toThrow(
      /^Runs cannot be saved in this browser \(opening the database failed: InvalidStateError: A mutation .*\); export them as JSON to keep them\.$/,
    );
  });

  it('gives up on a database that never opens, instead of waiting forever', async () => {
    const silent = { open: () => new EventTarget() } as unknown as IDBFactory;
    const history = createRunHistory({ factory: silent, timeoutMs: 50 });
    // The refusal itself is the proof: without the time limit this would wait forever.
    await expect(history.saveRun(makeRun({}, 5))).rejects.toThrow(
      /^Runs cannot be saved in this browser \(the database did not open within 50 ms\); export them as JSON to keep them\.$/,
    );
  });

  it('rejects when there is no IndexedDB at all', async () => {
    vi.stubGlobal('indexedDB', undefined);
    await expect(createRunHistory().listRuns()).rejects.toThrow(
      /^Runs cannot be saved in this browser \(IndexedDB is not available.*\); export them as JSON to keep them\.$/,
    );
  });

  it('a save that fails after opening says the run was not saved and to export it', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    const unclonable = { ...makeRun({}, 5), onDone: () => undefined } as unknown as StoredRun;
    await expect(history.saveRun(unclonable)).rejects.toThrow(/^The run could not be saved \(DataCloneError.*\); export it as JSON to keep it\.$/);
    expect(await history.listRuns()).toEqual([]);
  });

  it('a full storage says so, and to delete old runs or export them', async () => {
    const history = createRunHistory({ factory: new IDBFactory() });
    await history.saveRun(makeRun({ id: 'kept' }, 5));
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    await expect(history.saveRun(makeRun({ id: 'new' }, 5))).rejects.toThrow(
      /^The browser's storage for this site is full \(QuotaExceededError: The quota has been exceeded\.\); nothing stored before was lost\. Drop kept states or delete old runs in the history, or export runs as JSON to keep them\.$/,
    );
    vi.restoreAllMocks();
    expect((await history.listRuns()).map((r) => r.id)).toEqual(['kept']);
  });

  it("the page's history uses the browser's IndexedDB", async () => {
    const run = makeRun({ id: 'page-run' }, 5);
    await saveRun(run);
    expect(await getRun('page-run')).toEqual(run);
    expect((await listRuns()).map((r) => r.id)).toContain('page-run');
    await deleteRun('page-run');
    expect(await getRun('page-run')).toBeUndefined();
  });
});

describe('JSON export', () => {
  it('holds the setup, results with mean ± CI and per-episode values, and parses back', () => {
    const run = makeRun();
    const parsed = JSON.parse(runToJson(run)) as RunExport;
    expect(parsed.format).toBe('few-shot-lab-run');
    expect(parsed.version).toBe(1);
    expect(parsed.name).toBe(run.name);
    expect(parsed.createdAt).toBe('2024-05-01T09:05:00.000Z');
    expect(parsed.setup).toEqual(run.setup);
    expect(parsed.dataset).toBe('glyphs (120 classes, 28x28x1)');
    expect(parsed).toMatchObject({ status: 'done', message: null, backend: run.backend, seconds: run.seconds, stepsDone: 300, metaBatch: 1 });
    expect(parsed.finalTraining).toEqual({ step: 300, loss: run.points[299].loss, accuracy: run.points[299].accuracy });
    expect(parsed.validation).toHaveLength(6);
    expect(parsed.validation[0]).toEqual({ step: 50, metric: 'accuracy', ...run.validation[0].summary });

    const [evaluation] = parsed.evaluations;
    const source = run.evaluations[0];
    expect(evaluation).toMatchObject({ metric: 'accuracy', episodes: 600, seed: 12345, split: 'test', splitClasses: 24, backend: 'wasm' });
    expect(evaluation.sampler).toEqual({ way: 5, shot: 1, query: 15 });
    expect(evaluation.labels).toEqual({ batchNormAtTest: 'running' });
    expect(evaluation.results[0].mean).toBe(source.results[0].summary.mean);
    expect(evaluation.results[0].ci95).toBe(source.results[0].summary.ci95);
    expect(evaluation.results[0].perEpisode).toEqual(source.results[0].perEpisode);
    // The per-episode values give back the same summary, so paired comparisons can be recomputed.
    expect(summarise(evaluation.results[0].perEpisode)).toEqual(source.results[0].summary);
  });

  it('writes per-episode values from typed arrays as plain numbers, and a NaN loss as null', () => {
    const run = makeRun({ status: 'diverged', message: 'Loss became NaN; lower the learning rate.' }, 20);
    run.points[19] = { ...run.points[19], loss: NaN };
    const values = Float64Array.from([1, 0.8, 2 / 3]);
    run.evaluations[0].results[0].perEpisode = values as unknown as number[];
    const text = runToJson(run);
    const parsed = JSON.parse(text) as RunExport;
    expect(parsed.evaluations[0].results[0].perEpisode).toEqual([1, 0.8, 2 / 3]);
    expect(text).toContain('"perEpisode": [1,0.8,0.6666666666666666]');
    expect(parsed.finalTraining?.loss).toBeNull();
    expect(parsed.message).toBe('Loss became NaN; lower the learning rate.');
  });
});

describe('CSV export of the curves', () => {
  it('has a header, one row per point, and validation at the validated steps, in full precision', () => {
    const run = makeRun();
    const rows = parseCsv(runCurvesToCsv(run));
    expect(rows[0]).toEqual(['run', 'step', 'loss', 'accuracy', 'learning_rate', 'elapsed_seconds', 'val_mean', 'val_ci95']);
    expect(rows).toHaveLength(1 + 300);
    const validated = new Map(run.validation.map((v) => [v.step, v.summary]));
    rows.slice(1).forEach((row, i) => {
      const p = run.points[i];
      expect(row).toHaveLength(8);
      expect(row[0]).toBe(run.name);
      expect(Number(row[1])).toBe(p.step);
      expect(Number(row[2])).toBe(p.loss);
      expect(Number(row[3])).toBe(p.accuracy);
      expect(Number(row[4])).toBe(p.learningRate);
      expect(Number(row[5])).toBe(p.elapsed);
      const v = validated.get(p.step);
      expect(row.slice(6)).toEqual(v ? [String(v.mean), String(v.ci95)] : ['', '']);
    });
    expect(rows.filter((row) => row[6] !== '').map((row) => Number(row[1])).slice(1)).toEqual([50, 100, 150, 200, 250, 300]);
  });

  it('uses CRLF line ends and quotes a name with commas, quotes and line breaks', () => {
    const name = 'MAML, "fast" run\nsecond line';
    const text = runCurvesToCsv(makeRun({ name }, 3));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[1].startsWith('"MAML, ""fast"" run\nsecond line",1,')).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(4);
    expect(rows.slice(1).map((row) => row[0])).toEqual([name, name, name]);
  });

  it('leaves regression accuracy empty and gives a validation before the first step its own row', () => {
    const run = makeRun({}, 3);
    run.points = run.points.map(({ accuracy: _omit, ...p }) => p);
    run.validation = [{ step: 0, metric: 'mse', summary: { mean: 2.5, ci95: 0.1, std: 1, episodes: 100 } }];
    const rows = parseCsv(runCurvesToCsv(run));
    expect(rows.map((row) => row[1])).toEqual(['step', '0', '1', '2', '3']);
    expect(rows[1]).toEqual([run.name, '0', '', '', '', '', '2.5', '0.1']);
    expect(rows[2][3]).toBe('');
  });
});

describe('fileNameFor', () => {
  it('keeps letters and digits of the name and the local date, and drops unsafe characters', () => {
    const createdAt = new Date(2024, 4, 1, 9, 5).getTime();
    expect(fileNameFor({ name: 'ProtoNet 5-way 1-shot', createdAt }, 'json')).toBe('ProtoNet-5-way-1-shot_2024-05-01_09-05.json');
    const nasty = fileNameFor({ name: '../../etc/pass:wd *?"<>| \\ Café\u0000\n', createdAt }, '.csv');
    expect(nasty).toBe('etc-pass-wd-Cafe_2024-05-01_09-05.csv');
    expect(nasty).not.toMatch(/[/\\:*?"<>|\s\u0000]/);
  });

  it('names a run without usable characters "run" and keeps long names short', () => {
    const createdAt = new Date(2024, 0, 2, 3, 4).getTime();
    expect(fileNameFor({ name: '///', createdAt }, 'csv')).toBe('run_2024-01-02_03-04.csv');
    expect(fileNameFor({ name: 'x'.repeat(300), createdAt }, 'json').length).toBeLessThanOrEqual(80 + '_2024-01-02_03-04.json'.length);
  });
});
