// Reads a run's JSON export (exportRun.ts, format 'few-shot-lab-run' version 1) back into a run the
// history can keep, so a user can compare their own earlier runs or a colleague's with theirs.
// Nothing in the file is trusted: every field's type and range is checked, the setup goes through
// the panel's own checks, and every evaluation's summary is recomputed from its per-episode values
// (a stored mean that disagrees means the file was changed, and it is refused). A refusal is a
// RunImportError whose message says what is wrong and what to do. Fields this version does not know
// are ignored. Pure: no DOM, no React, no IndexedDB.
//
// An imported run is marked by StoredRun's optional field `imported` ({ fileName, at }): the history
// keeps it (runs are saved whole), the panel shows where the run came from, and exports leave it
// out, so exporting an imported run gives back its file.
import { DATASET_IDS, FAMILIES } from '../../core/experiment/datasets';
import type { MetricName } from '../../core/experiment/taskFamily';
import { resolveHyperparameters, type Hyperparameters } from '../../core/methods/catalog';
import { summarise, type AccuracySummary } from '../../core/train/stats';
import { BACKEND_ORDER, type BackendPreference, type EvaluationMessage, type ProgressPoint, type SamplerConfig, type ValidationPointMessage } from '../../worker/protocol';
import type { ChosenBackend } from '../../worker/protocol';
import type { MethodLabels } from '../../core/methods/method';
import type { SavedTensors } from '../../core/nn/params';
import type { RunStatus, StoredRun } from '../state/runTypes';
import { methodsFor, type Setup } from '../state/setup';
import { setupProblems } from '../state/setupProblems';
import { RUN_EXPORT_FORMAT, RUN_EXPORT_MAX_TEXT, RUN_EXPORT_VERSION, runToExport } from './exportRun';

/** Bounds of what a run export can hold; beyond them a file is damaged or not a run export. */
export const IMPORT_LIMITS = {
  /** Characters of the whole file (a run of 1,000,000 steps exports to about 110 MB). */
  textLength: RUN_EXPORT_MAX_TEXT,
  /** Ids, names, labels of results, the dataset's description. */
  name: 200,
  /** Other text: the backend's description, the run's message, a method's labels. */
  text: 10_000,
  /** Training points and validation points: one per step, and training has at most 1,000,000 steps. */
  points: 1_000_000,
  evaluations: 1_000,
  /** Results per evaluation (regression: one per adaptation step count). */
  results: 100,
  /** Per-episode values of one result: an evaluation has at most 10,000 test episodes. */
  episodes: 10_000,
  hyperparameters: 100,
  labels: 100,
  /** Tensors and values of a run's weights (a Conv-4 has 9 to 20 tensors and about 120,000 values). */
  stateTensors: 1_000,
  stateValues: 50_000_000,
} as const;

/** How far a stored mean may be from the mean of its per-episode values (accuracy; MSE: relative). */
export const MEAN_TOLERANCE = 1e-6;

/** A file that cannot be imported; the message says what is wrong and what to do. */
export class RunImportError extends Error {
  /** The field at fault, e.g. "evaluations[0].results[0].perEpisode[3]", when one is. */
  readonly field?: string;

  constructor(message: string, field?: string) {
    super(message);
    this.name = 'RunImportError';
    this.field = field;
  }
}

/** A run read from a file: a StoredRun that says where it came from. */
export type ImportedRun = StoredRun & { imported: NonNullable<StoredRun['imported']> };

export interface RunImportOptions {
  /** The file's name: messages name it and the run keeps it. */
  fileName: string;
  /** The time of the import (ms since the epoch); default now. */
  now?: number;
}

export interface ParsedRunExport {
  run: ImportedRun;
  /** Things the user should know about an accepted file (no curves; still training when exported). */
  warnings: string[];
  /** False for files written before exports held the training curves (the run's points are empty). */
  hasCurves: boolean;
  /**
   * The run's weights, when the file carries them (run.py of a PyTorch export writes them, named as
   * in the core): the history keeps them as the run's state, for evaluation, the episode viewer and backbones.
   */
  state?: SavedTensors;
}

const AGAIN = 'export the run again from the Run history and import that file';
const STATUSES: readonly RunStatus[] = ['starting', 'training', 'paused', 'interrupted', 'done', 'stopped', 'diverged', 'failed'];
/** Statuses of a run that had not ended: imported without its state, it can only be stopped. */
const ACTIVE: readonly RunStatus[] = ['starting', 'training', 'paused', 'interrupted'];
const BACKENDS: readonly BackendPreference[] = ['auto', ...BACKEND_ORDER];
const METRICS: readonly MetricName[] = Object.values(FAMILIES).map((family) => family.metric.name);
const BATCH_NORM = ['running', 'support', 'batch'] as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads the text of a run's JSON export into a run for the history. Throws RunImportError when the
 * file is not a run export, is of a newer version, or has any field of the wrong type or out of
 * range, an unusable setup, or summaries that do not match their per-episode values.
 */
export function parseRunExport(text: string, options: RunImportOptions): ParsedRunExport {
  const file = shownFileName(options.fileName);
  if (typeof text !== 'string' || text.trim() === '') {
    throw new RunImportError(`${file} is empty; export a run from the Run history and import that file.`);
  }
  if (text.length > IMPORT_LIMITS.textLength) {
    throw new RunImportError(
      `${file} is ${formatCount(text.length)} characters long; a run export is at most ${formatCount(IMPORT_LIMITS.textLength)}. It is not a run export or is damaged; ${AGAIN}.`,
    );
  }
  const data = parseJson(text, file);
  checkFormat(data, file);
  const f = new Fields(file);
  const o = data as Record<string, unknown>;

  const id = f.name(o.id, 'id');
  const name = f.name(o.name, 'name');
  const createdAt = f.date(o.createdAt, 'createdAt');
  const datasetLabel = f.name(o.dataset, 'dataset');
  const setup = readSetup(f, o.setup);
  const exportedStatus = f.oneOf(o.status, 'status', STATUSES);
  const message = o.message === null ? undefined : f.text(o.message, 'message', IMPORT_LIMITS.text);
  const backend = o.backend === null ? null : readBackend(f, o.backend, 'backend');
  const trainedElsewhere = o.trainedElsewhere === undefined || o.trainedElsewhere === null ? undefined : readTrainedElsewhere(f, o.trainedElsewhere);
  const seconds = f.number(o.seconds, 'seconds', { min: 0 });
  const stepsDone = f.number(o.stepsDone, 'stepsDone', { integer: true, min: 0, max: setup.steps });
  const metaBatch = o.metaBatch === null ? null : f.number(o.metaBatch, 'metaBatch', { integer: true, min: 1, max: 100_000 });
  if (o.finalTraining !== null) readFinalTraining(f, o.finalTraining, setup.steps);
  const hasCurves = o.points !== undefined;
  const points = hasCurves ? readPoints(f, o.points, setup.steps) : [];
  const lastStep = points.at(-1)?.step ?? 0;
  if (lastStep > stepsDone) f.fail('stepsDone', `at least the curve's last step (${lastStep})`, stepsDone);
  const validation = readValidation(f, o.validation, setup.steps);
  const evaluations = f.list(o.evaluations, 'evaluations', IMPORT_LIMITS.evaluations).map((e, i) => readEvaluation(f, e, `evaluations[${i}]`, id));

  const warnings: string[] = [];
  if (!hasCurves && stepsDone > 0) {
    warnings.push(`${file} has no training curves (it was exported before exports held them), so this run's charts stay empty; its setup and results are imported.`);
  }
  let status = exportedStatus;
  let runMessage = message;
  if (ACTIVE.includes(exportedStatus)) {
    status = 'stopped';
    const was = exportedStatus === 'paused' ? 'paused' : exportedStatus === 'interrupted' ? 'interrupted' : 'still training';
    runMessage = `This run was ${was} when it was exported; the ${stepsDone} steps it had done are kept.`;
    warnings.push(`${name} was ${was} when it was exported; it is imported as stopped after step ${stepsDone}.`);
  }

  const run: ImportedRun = {
    id,
    name,
    createdAt,
    setup,
    datasetLabel,
    status,
    ...(runMessage !== undefined && { message: runMessage }),
    points,
    validation,
    progress: stepsDone > 0 ? { step: stepsDone, totalSteps: setup.steps, stepsPerSecond: 0, etaSeconds: 0 } : null,
    metaBatch,
    backend,
    seconds,
    evaluations,
    ...(trainedElsewhere && { trainedElsewhere }),
    imported: { fileName: options.fileName.slice(0, IMPORT_LIMITS.name), at: options.now ?? Date.now() },
  };
  const state = o.state === undefined || o.state === null ? undefined : readState(f, o.state);
  return { run, warnings, hasCurves, ...(state && { state }) };
}

/**
 * Whether two runs hold the same results: everything an export holds but the id, the name (a user
 * may have renamed their copy) and the message. With `curves` false (a file without curves) the
 * curves are left out of the comparison too.
 */
export function sameRunContent(a: StoredRun, b: StoredRun, options: { curves?: boolean } = {}): boolean {
  const content = (run: StoredRun) => {
    const { id: _id, name: _name, message: _message, points, finalTraining, ...rest } = runToExport(run);
    return options.curves === false ? rest : { ...rest, points, finalTraining };
  };
  return sameJson(content(a), content(b));
}

// ---------------------------------------------------------------------------------------------
// The file as a whole

function parseJson(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    if (/^\s*run,step,loss,/.test(body)) {
      throw new RunImportError(`${file} is the CSV of a run's curves, not its JSON export; import the file the JSON button of the Run history saves.`);
    }
    throw new RunImportError(
      `${file} is not valid JSON (${jsonProblem((error as Error).message, body)}), so it is not a run export (or it was damaged); ${AGAIN}.`,
    );
  }
}

/** JSON.parse's reason, with the line and column when it gives a position (browsers differ). */
function jsonProblem(reason: string, text: string): string {
  const trimmed = reason.replace(/\s+/g, ' ').replace(/^JSON\.parse: /, '').replace(/\.$/, '');
  const position = /at position (\d+)/.exec(trimmed);
  if (!position || /line \d+/.test(trimmed)) return trimmed;
  const at = Number(position[1]);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return `${trimmed}: line ${line}, column ${column}`;
}

function checkFormat(data: unknown, file: string): void {
  const isObject = typeof data === 'object' && data !== null && !Array.isArray(data);
  const format = isObject ? (data as Record<string, unknown>).format : undefined;
  if (format !== RUN_EXPORT_FORMAT) {
    const found = typeof format === 'string' ? `its "format" is "${clip(format, 60)}", not "${RUN_EXPORT_FORMAT}"` : `no "format": "${RUN_EXPORT_FORMAT}"`;
    throw new RunImportError(`${file} is not a Few-Shot Lab run export (${found}); export a run from the Run history and import that file.`, 'format');
  }
  const version = (data as Record<string, unknown>).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new RunImportError(
      `${file} has no valid "version" (it is ${describe(version)}); a run export of this app says "version": ${RUN_EXPORT_VERSION}. The file is damaged or was edited; ${AGAIN}.`,
      'version',
    );
  }
  if (version > RUN_EXPORT_VERSION) {
    throw new RunImportError(
      `${file} is a version ${version} run export, made by a newer Few-Shot Lab; this app reads version ${RUN_EXPORT_VERSION} only. Reload the page to get the newest Few-Shot Lab and import the file again.`,
      'version',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Parts of a run

function readSetup(f: Fields, value: unknown): Setup {
  const o = f.object(value, 'setup');
  const split = f.object(o.split, 'setup.split');
  const hyper = f.object(o.hyperparameters, 'setup.hyperparameters');
  const hyperEntries = Object.entries(hyper);
  if (hyperEntries.length > IMPORT_LIMITS.hyperparameters) f.fail('setup.hyperparameters', `at most ${IMPORT_LIMITS.hyperparameters} settings`, hyper);
  const hyperparameters: Hyperparameters = Object.fromEntries(
    hyperEntries.map(([name, v]) => {
      const path = `setup.hyperparameters.${clip(name, 60)}`;
      if (name.length > IMPORT_LIMITS.name) f.fail(path, `a setting name of at most ${IMPORT_LIMITS.name} characters`, name);
      return [name, typeof v === 'string' ? f.text(v, path, IMPORT_LIMITS.name) : f.number(v, path, {}, 'a number or a choice (text)')];
    }),
  );
  const setup: Setup = {
    dataset: f.oneOf(o.dataset, 'setup.dataset', DATASET_IDS),
    way: f.number(o.way, 'setup.way'),
    shot: f.number(o.shot, 'setup.shot'),
    query: f.number(o.query, 'setup.query'),
    trainWay: f.number(o.trainWay, 'setup.trainWay'),
    split: { train: f.number(split.train, 'setup.split.train'), val: f.number(split.val, 'setup.split.val'), test: f.number(split.test, 'setup.split.test') },
    augmentShift: f.number(o.augmentShift, 'setup.augmentShift'),
    augmentFlip: f.boolean(o.augmentFlip, 'setup.augmentFlip'),
    method: f.name(o.method, 'setup.method'),
    hyperparameters,
    steps: f.number(o.steps, 'setup.steps'),
    valEvery: f.number(o.valEvery, 'setup.valEvery'),
    evalEpisodes: f.number(o.evalEpisodes, 'setup.evalEpisodes'),
    seed: f.number(o.seed, 'setup.seed'),
    backend: f.oneOf(o.backend, 'setup.backend', BACKENDS),
  };

  // The panel's own checks, so an imported setup can be applied and trained again as it is.
  const { method: methodProblem, ...others } = setupProblems({ ...setup, hyperparameters: {} });
  const problems = Object.values(others).filter((p): p is string => typeof p === 'string');
  const info = methodsFor(setup.dataset).find((m) => m.name === setup.method);
  if (!info) {
    problems.push(methodProblem ?? `Unknown method "${clip(setup.method, 60)}"; the methods for ${setup.dataset} are ${methodsFor(setup.dataset).map((m) => m.name).join(', ')}.`);
  } else {
    const unknown = Object.keys(hyperparameters).filter((name) => !Object.hasOwn(info.defaults, name) || !Object.hasOwn(info.hyperparameters, name));
    if (unknown.length > 0) {
      problems.push(`${info.title} has no setting ${unknown.map((n) => `"${clip(n, 60)}"`).join(', ')} (it has: ${Object.keys(info.defaults).join(', ')}).`);
    } else {
      try {
        resolveHyperparameters(info, hyperparameters);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  if (problems.length > 0) {
    throw new RunImportError(
      `${f.file} cannot be imported: its setup cannot be used. ${problems.map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(' ')} Fix the setup in the file, or ${AGAIN}.`,
      'setup',
    );
  }
  return setup;
}

function readBackend(f: Fields, value: unknown, path: string): ChosenBackend {
  const o = f.object(value, path);
  return {
    backend: f.oneOf(o.backend, `${path}.backend`, BACKEND_ORDER),
    info: f.text(o.info, `${path}.info`, IMPORT_LIMITS.text),
    reason: f.text(o.reason, `${path}.reason`, IMPORT_LIMITS.text),
  };
}

/** Weights as run.py writes them: { encoding: 'float32-le-base64', tensors: [{ name, shape, data }] }. */
function readState(f: Fields, value: unknown): SavedTensors {
  const o = f.object(value, 'state');
  f.oneOf(o.encoding, 'state.encoding', ['float32-le-base64']);
  const items = f.list(o.tensors, 'state.tensors', IMPORT_LIMITS.stateTensors, 'tensors');
  const state: SavedTensors = {};
  let total = 0;
  items.forEach((item, i) => {
    const path = `state.tensors[${i}]`;
    const t = f.object(item, path);
    const name = f.name(t.name, `${path}.name`);
    const shape = f.list(t.shape, `${path}.shape`, 8, 'sizes').map((n, k) => f.number(n, `${path}.shape[${k}]`, { integer: true, min: 1, max: IMPORT_LIMITS.stateValues }));
    const size = shape.reduce((a, b) => a * b, 1);
    total += size;
    if (total > IMPORT_LIMITS.stateValues) f.fail(`${path}.shape`, `at most ${formatCount(IMPORT_LIMITS.stateValues)} values in all`, t.shape);
    const data = f.text(t.data, `${path}.data`, Math.ceil((size * 4) / 3) * 4 + 4);
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    } catch {
      f.fail(`${path}.data`, 'base64 text', data);
    }
    if (bytes.length !== size * 4) f.fail(`${path}.data`, `${size} float32 values (${size * 4} bytes) for shape [${shape.join(', ')}]`, `${bytes.length} bytes`);
    const values = new Float32Array(bytes.buffer, 0, size);
    if (!values.every(Number.isFinite)) f.fail(`${path}.data`, 'finite numbers', 'non-finite values');
    state[name] = { shape, values };
  });
  return state;
}

/** Where a run from an exported experiment's run.py ran (PyTorch, its device and processes). */
function readTrainedElsewhere(f: Fields, value: unknown): NonNullable<StoredRun['trainedElsewhere']> {
  const o = f.object(value, 'trainedElsewhere');
  return {
    engine: f.name(o.engine, 'trainedElsewhere.engine'),
    version: f.text(o.version, 'trainedElsewhere.version', IMPORT_LIMITS.name),
    device: f.name(o.device, 'trainedElsewhere.device'),
    deviceName: f.text(o.deviceName, 'trainedElsewhere.deviceName', IMPORT_LIMITS.name),
    processes: f.number(o.processes, 'trainedElsewhere.processes', { integer: true, min: 1, max: 100_000 }),
  };
}

function readFinalTraining(f: Fields, value: unknown, maxStep: number): void {
  const o = f.object(value, 'finalTraining');
  f.number(o.step, 'finalTraining.step', { integer: true, min: 0, max: maxStep });
  f.nullableNumber(o.loss, 'finalTraining.loss');
  f.nullableNumber(o.accuracy, 'finalTraining.accuracy', { min: 0, max: 1 }, 'a number from 0 to 1 (an accuracy) or null');
}

function readPoints(f: Fields, value: unknown, maxStep: number): ProgressPoint[] {
  const items = f.list(value, 'points', IMPORT_LIMITS.points, 'training points (one per step)');
  const points: ProgressPoint[] = new Array(items.length);
  let previous = -1;
  for (let i = 0; i < items.length; i++) {
    const path = `points[${i}]`;
    const o = f.object(items[i], path);
    const step = f.number(o.step, `${path}.step`, { integer: true, min: 0, max: maxStep }, `a whole number from 0 to ${maxStep} (the setup's training steps)`);
    if (step <= previous) f.fail(`${path}.step`, `greater than the step before it (${previous}): the curve is in step order`, step);
    previous = step;
    const loss = f.nullableNumber(o.loss, `${path}.loss`);
    const accuracy = f.nullableNumber(o.accuracy, `${path}.accuracy`, { min: 0, max: 1 }, 'a number from 0 to 1 (an accuracy) or null');
    const learningRate = f.number(o.learningRate, `${path}.learningRate`, { min: 0 });
    const elapsed = f.number(o.elapsed, `${path}.elapsed`, { min: 0 });
    // Regression curves have no accuracy (exported as null): the key stays absent, as in training.
    points[i] = Number.isNaN(accuracy) ? { step, loss, learningRate, elapsed } : { step, loss, accuracy, learningRate, elapsed };
  }
  return points;
}

function readValidation(f: Fields, value: unknown, maxStep: number): ValidationPointMessage[] {
  return f.list(value, 'validation', IMPORT_LIMITS.points, 'validation points').map((item, i) => {
    const path = `validation[${i}]`;
    const o = f.object(item, path);
    const step = f.number(o.step, `${path}.step`, { integer: true, min: 0, max: maxStep });
    const metric = f.oneOf(o.metric, `${path}.metric`, METRICS);
    const summary = readSummary(f, o, path, metric);
    return { step, summary, metric };
  });
}

/** A summary as exported (NaN written as null): mean, ci95, std, episodes. */
function readSummary(f: Fields, o: Record<string, unknown>, path: string, metric: MetricName): AccuracySummary {
  const mean =
    metric === 'accuracy'
      ? f.nullableNumber(o.mean, `${path}.mean`, { min: 0, max: 1 }, 'a number from 0 to 1 (an accuracy) or null')
      : f.nullableNumber(o.mean, `${path}.mean`, { min: 0 }, 'a number of at least 0 (an MSE) or null');
  return {
    mean,
    ci95: f.nullableNumber(o.ci95, `${path}.ci95`, { min: 0 }, 'a number of at least 0 or null'),
    std: f.nullableNumber(o.std, `${path}.std`, { min: 0 }, 'a number of at least 0 or null'),
    episodes: f.number(o.episodes, `${path}.episodes`, { integer: true, min: 0, max: IMPORT_LIMITS.episodes }),
  };
}

function readEvaluation(f: Fields, value: unknown, path: string, runId: string): EvaluationMessage {
  const o = f.object(value, path);
  const metric = f.oneOf(o.metric, `${path}.metric`, METRICS);
  const episodes = f.number(o.episodes, `${path}.episodes`, { integer: true, min: 0, max: IMPORT_LIMITS.episodes });
  const seed = f.number(o.seed, `${path}.seed`, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  const sampler = readSampler(f, o.sampler, `${path}.sampler`);
  const split = f.name(o.split, `${path}.split`);
  const splitClasses = f.number(o.splitClasses, `${path}.splitClasses`, { integer: true, min: 0, max: 10_000_000 });
  const labels = readLabels(f, o.labels, `${path}.labels`);
  const backend = f.oneOf(o.backend, `${path}.backend`, BACKEND_ORDER);
  const stoppedEarly = f.boolean(o.stoppedEarly, `${path}.stoppedEarly`);
  const items = f.list(o.results, `${path}.results`, IMPORT_LIMITS.results, 'results');
  if (items.length === 0) f.fail(`${path}.results`, 'a list of at least one result', items);
  const results = items.map((item, i) => readResult(f, item, `${path}.results[${i}]`, metric, episodes));
  return { runId, metric, results, episodes, seed, settings: sampler, split, splitClasses, labels, backend, stoppedEarly };
}

function readResult(f: Fields, value: unknown, path: string, metric: MetricName, episodes: number): EvaluationMessage['results'][number] {
  const o = f.object(value, path);
  const label = f.name(o.label, `${path}.label`);
  const stored = readSummary(f, o, path, metric);
  const items = f.list(o.perEpisode, `${path}.perEpisode`, IMPORT_LIMITS.episodes, 'per-episode values');
  const perEpisode: number[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    perEpisode[i] =
      metric === 'accuracy'
        ? f.number(items[i], `${path}.perEpisode[${i}]`, { min: 0, max: 1 }, 'a number from 0 to 1 (an accuracy)')
        : f.nullableNumber(items[i], `${path}.perEpisode[${i}]`, { min: 0 }, 'a number of at least 0 (an MSE) or null');
  }
  const damaged = (what: string) =>
    new RunImportError(`${f.file} is damaged: "${path}" ${what}; the numbers were changed after export. ${capitalise(AGAIN)}.`, path);
  if (stored.episodes !== perEpisode.length) throw damaged(`says ${stored.episodes} episodes but has ${perEpisode.length} per-episode values`);
  if (perEpisode.length !== episodes) throw damaged(`has ${perEpisode.length} per-episode values but its evaluation says ${episodes} episodes`);
  // The summary the file's own values give: the one the comparison table and the paired differences use.
  const summary = summarise(perEpisode);
  const tolerance = MEAN_TOLERANCE * (metric === 'mse' ? Math.max(1, Math.abs(summary.mean)) : 1);
  const agrees = Number.isFinite(summary.mean) ? Math.abs(stored.mean - summary.mean) <= tolerance : Number.isNaN(stored.mean);
  if (!agrees) {
    const given = Number.isNaN(stored.mean) ? 'null' : String(stored.mean);
    throw damaged(`says its mean is ${given} but its ${perEpisode.length} per-episode values average ${Number.isFinite(summary.mean) ? summary.mean.toPrecision(7) : 'nothing finite'}`);
  }
  return { label, summary, perEpisode };
}

function readSampler(f: Fields, value: unknown, path: string): SamplerConfig {
  const o = f.object(value, path);
  const count = (v: unknown, key: string) => f.number(v, `${path}.${key}`, { integer: true, min: 1, max: 100_000 });
  const sampler: SamplerConfig = { way: count(o.way, 'way'), shot: count(o.shot, 'shot'), query: count(o.query, 'query') };
  for (const key of ['trainWay', 'trainShot', 'trainQuery'] as const) if (o[key] !== undefined) sampler[key] = count(o[key], key);
  return sampler;
}

function readLabels(f: Fields, value: unknown, path: string): MethodLabels {
  const o = f.object(value, path);
  const entries = Object.entries(o).filter(([, v]) => v !== null);
  if (entries.length > IMPORT_LIMITS.labels) f.fail(path, `at most ${IMPORT_LIMITS.labels} labels`, o);
  const labels: MethodLabels = Object.fromEntries(
    entries.map(([key, v]) => {
      const at = `${path}.${clip(key, 60)}`;
      if (key.length > IMPORT_LIMITS.name) f.fail(at, `a label name of at most ${IMPORT_LIMITS.name} characters`, key);
      if (key === 'batchNormAtTest') return [key, f.oneOf(v, at, BATCH_NORM)];
      if (typeof v === 'boolean') return [key, v];
      if (typeof v === 'string') return [key, f.text(v, at, IMPORT_LIMITS.text)];
      return [key, f.number(v, at, {}, 'text, a number or true/false')];
    }),
  );
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Checking one field at a time

interface Range {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** Type and range checks of fields; a failure names the field, what it must be and what it is. */
class Fields {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, got: unknown): never {
    const why = got === null ? ' (an export writes NaN and ±Infinity as null)' : '';
    throw new RunImportError(
      `${this.file} cannot be imported: "${path}" must be ${expected}, but it is ${describe(got)}${why}. The file is damaged or was edited; ${AGAIN}.`,
      path,
    );
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object', value);
    return value as Record<string, unknown>;
  }

  list(value: unknown, path: string, max: number, what = 'items'): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `a list of ${what}`, value);
    if (value.length > max) this.fail(path, `a list of at most ${formatCount(max)} ${what}`, value);
    return value;
  }

  /** Non-empty text of at most IMPORT_LIMITS.name characters (ids, names). */
  name(value: unknown, path: string): string {
    const text = this.text(value, path, IMPORT_LIMITS.name);
    if (text.trim() === '') this.fail(path, `text of 1 to ${IMPORT_LIMITS.name} characters`, value);
    return text;
  }

  text(value: unknown, path: string, max: number): string {
    if (typeof value !== 'string' || value.length > max) this.fail(path, `text of at most ${formatCount(max)} characters`, value);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'true or false', value);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
    if (typeof value !== 'string' || !choices.includes(value as T)) this.fail(path, `one of ${choices.map((c) => `"${c}"`).join(', ')}`, value);
    return value as T;
  }

  /** ISO 8601 date and time (as exports write it), to ms since the epoch. */
  date(value: unknown, path: string): number {
    const ms = typeof value === 'string' && ISO_DATE.test(value) ? Date.parse(value) : NaN;
    if (!Number.isFinite(ms)) this.fail(path, 'a date and time such as "2024-05-01T09:05:00.000Z"', value);
    return ms;
  }

  /** A finite number (JSON has no NaN: null is refused) within the range. */
  number(value: unknown, path: string, range: Range = {}, expected = expectation(range)): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value, range)) this.fail(path, expected, value);
    return value;
  }

  /** A number within the range, or null (how exports write NaN and ±Infinity), read as NaN. */
  nullableNumber(value: unknown, path: string, range: Range = {}, expected = `${expectation(range)} or null`): number {
    if (value === null) return NaN;
    if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value, range)) this.fail(path, expected, value);
    return value;
  }
}

function inRange(n: number, { min, max, integer }: Range): boolean {
  return (!integer || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max);
}

function expectation({ min, max, integer }: Range): string {
  const kind = integer ? 'a whole number' : 'a finite number';
  if (min !== undefined && max !== undefined) return `${kind} from ${formatCount(min)} to ${formatCount(max)}`;
  if (min !== undefined) return `${kind} of at least ${formatCount(min)}`;
  if (max !== undefined) return `${kind} of at most ${formatCount(max)}`;
  return kind;
}

/** What a JSON value is, in a few words. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 60 ? `text of ${formatCount(value.length)} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${formatCount(value.length)} item${value.length === 1 ? '' : 's'}`;
  return 'an object';
}

function formatCount(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The file's name as messages show it (control characters dropped, long names cut). */
function shownFileName(fileName: string): string {
  // eslint-disable-next-line no-control-regex
  const name = clip(String(fileName ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(), 80);
  return name || 'The file';
}

/**
 * Whether two values write the same JSON, whatever their key order: NaN and ±Infinity equal each
 * other (all are null in JSON), undefined object fields count as absent. No text is built, so
 * runs of a million steps compare quickly.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (!Number.isFinite(a) && !Number.isFinite(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    const json = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
    return json(a) === json(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], other[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = (r: Record<string, unknown>) => Object.keys(r).filter((k) => r[k] !== undefined);
  const ka = keys(ra);
  if (ka.length !== keys(rb).length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}
