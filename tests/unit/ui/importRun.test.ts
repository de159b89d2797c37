// Importing a run's JSON export back into the history (src/ui/history/importRun.ts): a round trip
// export -> import gives the same run (setup, curves, validation, evaluations with per-episode
// values), older files without curves still import, unknown fields are ignored, and every kind of
// bad file is refused with a message that says what is wrong and what to do.
import { describe, expect, it } from 'vitest';
import { summarise } from '../../../src/core/train/stats';
import { runToExport, runToJson } from '../../../src/ui/history/exportRun';
import { IMPORT_LIMITS, parseRunExport, RunImportError, sameRunContent, type ParsedRunExport } from '../../../src/ui/history/importRun';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { DEFAULT_SETUP } from '../../../src/ui/state/setup';
import type { ProgressPoint } from '../../../src/worker/protocol';
import { classificationRun as storedClassificationRun, randoms } from './fixtures/storedRuns';

const IMPORTED_AT = Date.UTC(2025, 0, 2, 3, 4, 5);

/** A ProtoNet run on glyphs after `steps` steps and one 600-episode evaluation, as the store keeps it. */
function classificationRun(overrides: Partial<StoredRun> = {}, steps = 300): StoredRun {
  return storedClassificationRun(
    {
      id: 'run-lx1-1',
      name: 'Prototypical Networks 5-way 1-shot #1',
      createdAt: Date.UTC(2024, 4, 1, 9, 5, 0, 123),
      evaluationSeed: 2017,
      settings: { way: 5, shot: 1, query: 15, trainWay: 5, trainShot: 1, trainQuery: 15 },
      hyperparameters: { learningRate: 0.002 },
      noiseSeed: 3,
      // A typed array, as a structured clone from IndexedDB may hand back.
      perEpisode: (count, rand) => Float64Array.from({ length: count }, () => Math.round(rand() * 75) / 75) as unknown as number[],
    },
    overrides,
    steps,
  );
}

/** A MAML sine-regression run: no accuracy on the curve, MSE after 1 and 10 steps, a diverged point. */
function regressionRun(): StoredRun {
  const setup = { ...DEFAULT_SETUP, dataset: 'sinusoid' as const, method: 'maml', shot: 10, query: 100, steps: 40, valEvery: 20, evalEpisodes: 50 };
  const rand = randoms(99);
  const points: ProgressPoint[] = Array.from({ length: 40 }, (_, i) => ({ step: i + 1, loss: 3 * Math.exp(-i / 10) + rand(), learningRate: 0.001, elapsed: (i + 1) * 0.02 }));
  points[39] = { ...points[39], loss: NaN };
  const mse = (scale: number) => Array.from({ length: 50 }, () => scale * rand());
  const after1 = mse(2);
  const after10 = mse(0.5);
  return {
    id: 'run-sine',
    name: 'MAML sine K=10 #2',
    createdAt: Date.UTC(2024, 6, 7, 8, 9, 10),
    setup,
    datasetLabel: 'sine-wave regression',
    status: 'diverged',
    message: 'Training diverged at step 40 (loss is NaN); lower the learning rate.',
    points,
    validation: [
      { step: 0, metric: 'mse', summary: summarise(mse(3)) },
      { step: 20, metric: 'mse', summary: summarise(mse(1)) },
    ],
    progress: { step: 40, totalSteps: 40, stepsPerSecond: 0, etaSeconds: 0 },
    metaBatch: 25,
    backend: null,
    seconds: 0.8,
    evaluations: [
      {
        runId: 'run-sine',
        metric: 'mse',
        results: [
          { label: 'MSE after 1 step', summary: summarise(after1), perEpisode: after1 },
          { label: 'MSE after 10 steps', summary: summarise(after10), perEpisode: after10 },
        ],
        episodes: 50,
        seed: 2017,
        settings: { way: 1, shot: 10, query: 100, trainShot: 10, trainQuery: 10 },
        split: 'test tasks',
        splitClasses: 0,
        labels: {},
        backend: 'cpu',
        stoppedEarly: false,
      },
    ],
  };
}

/** The run's export as a plain object, to edit before importing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exported(run: StoredRun = classificationRun()): any {
  return JSON.parse(runToJson(run));
}

function importText(text: string, fileName = 'run.json'): ParsedRunExport {
  return parseRunExport(text, { fileName, now: IMPORTED_AT });
}

function importObject(value: unknown, fileName = 'run.json'): ParsedRunExport {
  return importText(JSON.stringify(value), fileName);
}

/** The message of the RunImportError the text (or object, as JSON) is refused with. */
function refusal(value: unknown, fileName = 'run.json'): string {
  try {
    if (typeof value === 'string') importText(value, fileName);
    else importObject(value, fileName);
  } catch (error) {
    expect(error).toBeInstanceOf(RunImportError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('round trip: export -> import', () => {
  it('gives back the same run: setup, curves, validation and evaluations with per-episode values', () => {
    const run = classificationRun();
    run.points[120] = { ...run.points[120], loss: NaN };
    const { run: back, warnings, hasCurves } = importText(runToJson(run));
    expect(warnings).toEqual([]);
    expect(hasCurves).toBe(true);
    expect(back.setup).toStrictEqual(run.setup);
    expect(back.points).toStrictEqual(run.points);
    expect(back.points[120].loss).toBeNaN();
    expect(back.points.every((p, i) => Object.is(p.elapsed, run.points[i].elapsed) && Object.is(p.accuracy, run.points[i].accuracy))).toBe(true);
    expect(back.validation).toStrictEqual(run.validation);
    expect(back.evaluations).toEqual(run.evaluations.map((e) => ({ ...e, results: e.results.map((r) => ({ ...r, perEpisode: Array.from(r.perEpisode) })) })));
    expect(back.evaluations[0].results[0].summary).toStrictEqual(summarise(run.evaluations[0].results[0].perEpisode));
    expect(back).toMatchObject({
      id: run.id,
      name: run.name,
      createdAt: run.createdAt,
      datasetLabel: run.datasetLabel,
      status: 'done',
      metaBatch: 1,
      backend: run.backend,
      seconds: run.seconds,
      progress: { step: 300, totalSteps: 300 },
    });
    expect(back.message).toBeUndefined();
    expect(back.imported).toEqual({ fileName: 'run.json', at: IMPORTED_AT });
    // Exporting the imported run writes the same file, and the two count as the same content.
    expect(runToJson(back)).toBe(runToJson(run));
    expect(sameRunContent(back, run)).toBe(true);
  });

  it('keeps a regression run: no accuracy on the curve, a NaN loss, MSE results and a step-0 validation', () => {
    const run = regressionRun();
    const text = runToJson(run);
    expect(text).toContain('{"step":40,"loss":null,"accuracy":null,"learningRate":0.001,"elapsed":0.8}');
    const { run: back } = importText(text);
    expect(back.points).toStrictEqual(run.points);
    expect(back.points.some((p) => 'accuracy' in p)).toBe(false);
    expect(back.validation).toStrictEqual(run.validation);
    expect(back.evaluations).toStrictEqual(run.evaluations);
    expect(back).toMatchObject({ status: 'diverged', message: run.message, backend: null, metaBatch: 25 });
    expect(runToJson(back)).toBe(text);
  });

  it('writes the curve one point per line', () => {
    const text = runToJson(classificationRun({}, 20));
    const lines = text.split('\n').filter((l) => l.trim().startsWith('{"step":'));
    expect(lines).toHaveLength(20);
    expect(JSON.parse(`[${lines.map((l) => l.trim().replace(/,$/, '')).join(',')}]`)[3]).toEqual(exported(classificationRun({}, 20)).points[3]);
  });

  it('imports a file from before curves were exported, without curves and with a note', () => {
    const file = exported();
    delete file.points;
    const { run, warnings, hasCurves } = importObject(file);
    expect(hasCurves).toBe(false);
    expect(run.points).toEqual([]);
    expect(run.progress).toMatchObject({ step: 300 });
    expect(warnings).toEqual(["run.json has no training curves (it was exported before exports held them), so this run's charts stay empty; its setup and results are imported."]);
    expect(run.evaluations[0].results[0].perEpisode).toHaveLength(600);
  });

  it('imports a run exported while it trained as stopped, and says so', () => {
    const run = classificationRun({ status: 'training' }, 30);
    const { run: back, warnings } = importText(runToJson(run));
    expect(back.status).toBe('stopped');
    expect(back.message).toBe('This run was still training when it was exported; the 30 steps it had done are kept.');
    expect(warnings).toEqual([`${run.name} was still training when it was exported; it is imported as stopped after step 30.`]);
  });

  it('ignores fields it does not know, anywhere', () => {
    const file = exported();
    file.comment = 'from Ana';
    file.setup.colour = 'blue';
    file.points[0].gradientNorm = 3;
    file.evaluations[0].notes = ['x'];
    file.evaluations[0].results[0].median = 0.7;
    file.backend.gpu = 'none';
    const { run } = importObject(file);
    expect(run.setup).not.toHaveProperty('colour');
    expect(run.points[0]).not.toHaveProperty('gradientNorm');
    expect(run.backend).not.toHaveProperty('gpu');
    expect(runToJson(run)).toBe(runToJson(classificationRun()));
  });

  it('reads a file with a byte-order mark, and accepts a stored mean within 1e-6 of its values', () => {
    const file = exported();
    file.evaluations[0].results[0].mean += 5e-7;
    const { run } = importText(`\uFEFF${JSON.stringify(file)}`);
    expect(run.evaluations[0].results[0].summary.mean).toBe(summarise(classificationRun().evaluations[0].results[0].perEpisode).mean);
  });
});

describe('refusals say what is wrong and what to do', () => {
  it('not JSON, with the line and column when the parser gives a position', () => {
    const text = `${runToJson(classificationRun({}, 3))}\n}`;
    const message = refusal(text);
    expect(message).toMatch(/^run\.json is not valid JSON \(.+\), so it is not a run export \(or it was damaged\); export the run again from the Run history and import that file\.$/);
    const lines = text.split('\n').length;
    expect(message).toContain(`line ${lines}, column 1`);
    expect(refusal('{"format": "few-shot-lab-run", ')).toMatch(/^run\.json is not valid JSON \(.+: line 1, column \d+\)/);
    expect(refusal('   ')).toBe('run.json is empty; export a run from the Run history and import that file.');
    expect(refusal('run,step,loss,accuracy\r\nx,1,2,0.5\r\n', 'curves.csv')).toBe(
      "curves.csv is the CSV of a run's curves, not its JSON export; import the file the JSON button of the Run history saves.",
    );
  });

  it('not a Few-Shot Lab run export', () => {
    const expected = 'run.json is not a Few-Shot Lab run export (no "format": "few-shot-lab-run"); export a run from the Run history and import that file.';
    expect(refusal({ name: 'x' })).toBe(expected);
    expect(refusal([1, 2, 3])).toBe(expected);
    expect(refusal('42')).toBe(expected);
    expect(refusal({ ...exported(), format: 'tensorboard' })).toBe(
      'run.json is not a Few-Shot Lab run export (its "format" is "tensorboard", not "few-shot-lab-run"); export a run from the Run history and import that file.',
    );
  });

  it('a newer version, saying which version this app reads', () => {
    expect(refusal({ ...exported(), version: 2 })).toBe(
      'run.json is a version 2 run export, made by a newer Few-Shot Lab; this app reads version 1 only. Reload the page to get the newest Few-Shot Lab and import the file again.',
    );
    expect(refusal({ ...exported(), version: '1' })).toMatch(/^run\.json has no valid "version" \(it is "1"\); a run export of this app says "version": 1\./);
    const { version: _omit, ...noVersion } = exported();
    expect(refusal(noVersion)).toMatch(/has no valid "version" \(it is missing\)/);
  });

  it('a setup that cannot be used, with what is wrong', () => {
    const file = exported();
    file.setup.way = 1;
    file.setup.split = { train: 70, val: 10, test: 30 };
    expect(refusal(file)).toBe(
      'run.json cannot be imported: its setup cannot be used. Ways (N) must be a whole number of at least 2 (a classifier needs two classes), got 1. ' +
        "The split's percentages must be non-negative and add up to 100 (now 70 + 10 + 30 = 110). " +
        'Fix the setup in the file, or export the run again from the Run history and import that file.',
    );
    const unknownMethod = exported();
    unknownMethod.setup.method = 'constructor';
    expect(refusal(unknownMethod)).toMatch(/its setup cannot be used\. Unknown method "constructor"; the methods for glyphs are protonet, maml/);
    const badHyper = exported();
    badHyper.setup.hyperparameters = { learningRate: 7, toString: 1 };
    expect(refusal(badHyper)).toMatch(/its setup cannot be used\. Prototypical Networks has no setting "toString" \(it has: learningRate, /);
    badHyper.setup.hyperparameters = { learningRate: 7 };
    expect(refusal(badHyper)).toMatch(/its setup cannot be used\. learningRate must be between .* got 7\./);
    const wrongType = exported();
    wrongType.setup.shot = '1';
    expect(refusal(wrongType)).toBe(
      'run.json cannot be imported: "setup.shot" must be a finite number, but it is "1". The file is damaged or was edited; export the run again from the Run history and import that file.',
    );
    const noSetup = exported();
    delete noSetup.setup;
    expect(refusal(noSetup)).toMatch(/"setup" must be an object, but it is missing\./);
  });

  it('null (how NaN is written) where a finite number is required, and values out of range', () => {
    const file = exported();
    file.seconds = null;
    expect(refusal(file)).toBe(
      'run.json cannot be imported: "seconds" must be a finite number of at least 0, but it is null (an export writes NaN and ±Infinity as null). The file is damaged or was edited; export the run again from the Run history and import that file.',
    );
    const elapsed = exported();
    elapsed.points[7].elapsed = null;
    expect(refusal(elapsed)).toMatch(/"points\[7\]\.elapsed" must be a finite number of at least 0, but it is null/);
    const accuracy = exported();
    accuracy.evaluations[0].results[0].perEpisode[3] = 1.5;
    expect(refusal(accuracy)).toMatch(/"evaluations\[0\]\.results\[0\]\.perEpisode\[3\]" must be a number from 0 to 1 \(an accuracy\), but it is 1\.5\./);
    const nanAccuracy = exported();
    nanAccuracy.evaluations[0].results[0].perEpisode[0] = null;
    expect(refusal(nanAccuracy)).toMatch(/perEpisode\[0\]" must be a number from 0 to 1 \(an accuracy\), but it is null/);
    const order = exported();
    order.points[5].step = 3;
    expect(refusal(order)).toMatch(/"points\[5\]\.step" must be greater than the step before it \(5\): the curve is in step order, but it is 3\./);
    const beyond = exported();
    beyond.points.at(-1).step = 301;
    expect(refusal(beyond)).toMatch(/"points\[299\]\.step" must be a whole number from 0 to 300 \(the setup's training steps\), but it is 301\./);
    const steps = exported();
    steps.stepsDone = 299;
    expect(refusal(steps)).toMatch(/"stepsDone" must be at least the curve's last step \(300\), but it is 299\./);
    const status = exported();
    status.status = 'exploded';
    expect(refusal(status)).toMatch(/"status" must be one of "starting", "training", .*"failed", but it is "exploded"\./);
    const date = exported();
    date.createdAt = 'yesterday';
    expect(refusal(date)).toMatch(/"createdAt" must be a date and time such as "2024-05-01T09:05:00\.000Z", but it is "yesterday"\./);
    const backend = exported();
    backend.evaluations[0].backend = 'tpu';
    expect(refusal(backend)).toMatch(/"evaluations\[0\]\.backend" must be one of "webgpu", "webgl", "wasm", "cpu", but it is "tpu"\./);
  });

  it('ids and names of more than 200 characters, and empty ones', () => {
    expect(refusal({ ...exported(), name: 'n'.repeat(201) })).toMatch(/"name" must be text of at most 200 characters, but it is text of 201 characters\./);
    expect(refusal({ ...exported(), id: '' })).toMatch(/"id" must be text of 1 to 200 characters, but it is ""\./);
    expect(refusal({ ...exported(), id: 12 })).toMatch(/"id" must be text of at most 200 characters, but it is 12\./);
  });

  it('a stored mean that does not match its per-episode values, as a damaged file', () => {
    const file = exported();
    const values: number[] = file.evaluations[0].results[0].perEpisode;
    file.evaluations[0].results[0].mean = summarise(values).mean + 0.01;
    expect(refusal(file)).toBe(
      `run.json is damaged: "evaluations[0].results[0]" says its mean is ${file.evaluations[0].results[0].mean} but its 600 per-episode values average ${summarise(values).mean.toPrecision(7)}; ` +
        'the numbers were changed after export. Export the run again from the Run history and import that file.',
    );
    const dropped = exported();
    dropped.evaluations[0].results[0].perEpisode.pop();
    expect(refusal(dropped)).toMatch(/^run\.json is damaged: "evaluations\[0\]\.results\[0\]" says 600 episodes but has 599 per-episode values;/);
    const noValues = exported();
    delete noValues.evaluations[0].results[0].perEpisode;
    expect(refusal(noValues)).toMatch(/"evaluations\[0\]\.results\[0\]\.perEpisode" must be a list of per-episode values, but it is missing\./);
    const noResults = exported();
    noResults.evaluations[0].results = [];
    expect(refusal(noResults)).toMatch(/"evaluations\[0\]\.results" must be a list of at least one result, but it is a list of 0 items\./);
  });

  it('huge arrays, before reading their items', () => {
    // Every item is wrong too: had the items been read first, the refusal would name an item.
    const file = exported(classificationRun({}, 3));
    const points = `[${'"x",'.repeat(IMPORT_LIMITS.points)}"x"]`;
    const text = JSON.stringify(file).replace(/"points":\[[^\]]*\]/, `"points":${points}`);
    expect(refusal(text)).toMatch(/"points" must be a list of at most 1,000,000 training points \(one per step\), but it is a list of 1,000,001 items\./);
    const episodes = exported(classificationRun({}, 3));
    episodes.evaluations[0].results[0].perEpisode = new Array(10_001).fill('x');
    expect(refusal(episodes)).toMatch(/"evaluations\[0\]\.results\[0\]\.perEpisode" must be a list of at most 10,000 per-episode values, but it is a list of 10,001 items\./);
    const evaluations = exported(classificationRun({}, 3));
    evaluations.evaluations = new Array(1001).fill('x');
    expect(refusal(evaluations)).toMatch(/"evaluations" must be a list of at most 1000 items, but it is a list of 1001 items\./);
    expect(refusal(`{${' '.repeat(IMPORT_LIMITS.textLength)}}`)).toBe(
      'run.json is 200,000,002 characters long; a run export is at most 200,000,000. It is not a run export or is damaged; export the run again from the Run history and import that file.',
    );
  });
});

describe('sameRunContent', () => {
  it('ignores the id, name and message; compares everything else an export holds', () => {
    const run = classificationRun({}, 20);
    expect(sameRunContent(run, { ...run, id: 'other', name: 'renamed', message: 'x' })).toBe(true);
    expect(sameRunContent(run, { ...run, points: run.points.slice(0, 19) })).toBe(false);
    expect(sameRunContent(run, { ...run, points: run.points.slice(0, 19) }, { curves: false })).toBe(true);
    expect(sameRunContent(run, { ...run, setup: { ...run.setup, seed: 2 } })).toBe(false);
    const values = [...run.evaluations[0].results[0].perEpisode];
    values[0] = values[0] === 1 ? 0 : 1;
    const changed = { ...run.evaluations[0], results: [{ label: 'accuracy', summary: summarise(values), perEpisode: values }] };
    expect(sameRunContent(run, { ...run, evaluations: [changed] })).toBe(false);
    expect(runToExport(run).points).toHaveLength(20);
  });
});
