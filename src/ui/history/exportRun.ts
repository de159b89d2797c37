// Exports of a run as files a user keeps or analyses elsewhere: JSON with the configuration,
// results (enough to recompute paired comparisons from the per-episode values) and training curves
// (so importRun.ts can bring the run back into a history), and CSV with the training curves. Pure
// string building, no DOM: download.ts turns the strings into files.
import type { StoredRun } from '../state/runTypes';
import type { Setup } from '../state/setup';
import type { ChosenBackend } from '../../worker/protocol';
import type { SamplerConfig } from '../../worker/protocol';
import type { MethodLabels } from '../../core/methods/method';
import type { MetricName } from '../../core/experiment/taskFamily';

export const RUN_EXPORT_FORMAT = 'few-shot-lab-run';
export const RUN_EXPORT_VERSION = 1;
/** Longest run export read back (characters; a run of 1,000,000 steps exports to about 110 MB). */
export const RUN_EXPORT_MAX_TEXT = 200_000_000;

export interface ExportedSummary {
  mean: number;
  ci95: number;
  std: number;
  episodes: number;
}

/** A training-curve point of the JSON export (NaN or ±Infinity, e.g. a diverged loss, written as null). */
export interface ExportedPoint {
  step: number;
  loss: number;
  accuracy: number | null;
  learningRate: number;
  elapsed: number;
}

/** The JSON export. Numbers JSON cannot hold (NaN, ±Infinity, e.g. a diverged loss) become null. */
export interface RunExport {
  format: typeof RUN_EXPORT_FORMAT;
  version: typeof RUN_EXPORT_VERSION;
  id: string;
  name: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  dataset: string;
  setup: Setup;
  status: StoredRun['status'];
  message: string | null;
  backend: ChosenBackend | null;
  seconds: number;
  stepsDone: number;
  metaBatch: number | null;
  /** The last training step's loss and accuracy (accuracy null for regression). */
  finalTraining: { step: number; loss: number; accuracy: number | null } | null;
  validation: Array<{ step: number; metric: MetricName } & ExportedSummary>;
  evaluations: Array<{
    metric: MetricName;
    episodes: number;
    seed: number;
    sampler: SamplerConfig;
    split: string;
    splitClasses: number;
    /** e.g. batchNormAtTest: which statistics normalise the queries (transductive or not). */
    labels: MethodLabels;
    backend: string;
    stoppedEarly: boolean;
    /** One per label (regression: one per adaptation step count), each with every episode's value. */
    results: Array<{ label: string; perEpisode: number[] } & ExportedSummary>;
  }>;
  /**
   * The training curve, one point per step (accuracy null for regression), last in the file. Written
   * since the curves became importable, still version 1: files without it import as runs without curves.
   */
  points?: ExportedPoint[];
  /** A run trained or evaluated outside the browser (run.py of a PyTorch export): where. */
  trainedElsewhere?: StoredRun['trainedElsewhere'];
}

export function runToExport(run: StoredRun): RunExport {
  const last = run.points.at(-1);
  return {
    format: RUN_EXPORT_FORMAT,
    version: RUN_EXPORT_VERSION,
    id: run.id,
    name: run.name,
    createdAt: new Date(run.createdAt).toISOString(),
    dataset: run.datasetLabel,
    setup: run.setup,
    status: run.status,
    message: run.message ?? null,
    backend: run.backend,
    seconds: run.seconds,
    stepsDone: stepsDone(run),
    metaBatch: run.metaBatch,
    finalTraining: last ? { step: last.step, loss: last.loss, accuracy: last.accuracy ?? null } : null,
    validation: run.validation.map((v) => ({ step: v.step, metric: v.metric, ...summary(v.summary) })),
    evaluations: run.evaluations.map((e) => ({
      metric: e.metric,
      episodes: e.episodes,
      seed: e.seed,
      sampler: e.settings,
      split: e.split,
      splitClasses: e.splitClasses,
      labels: e.labels,
      backend: e.backend,
      stoppedEarly: e.stoppedEarly,
      results: e.results.map((r) => ({ label: r.label, ...summary(r.summary), perEpisode: Array.from(r.perEpisode) })),
    })),
    ...(run.trainedElsewhere && { trainedElsewhere: run.trainedElsewhere }),
    points: run.points.map((p) => ({ step: p.step, loss: p.loss, accuracy: p.accuracy ?? null, learningRate: p.learningRate, elapsed: p.elapsed })),
  };
}

/**
 * Indented for reading, but number arrays (per-episode values) and curve points kept on one line
 * each, so a run of 100,000 steps is 100,000 lines, not 700,000 (and is written in a fraction of
 * the time a pretty-printer takes over a million objects).
 */
export function runToJson(run: StoredRun): string {
  const { points = [], ...rest } = runToExport(run);
  const text = JSON.stringify({ ...rest, points: [] }, null, 2)
    // Matches only arrays of numbers/nulls (no strings, so no whitespace inside a value is touched).
    .replace(/\[(?:\s*(?:-?\d[\d.eE+-]*|null)\s*,)*\s*(?:-?\d[\d.eE+-]*|null)\s*\]/g, (m) => m.replace(/\s+/g, ''));
  if (points.length === 0) return text;
  // `"points": []` at the top level's indent is unique: a string value cannot hold a raw line break.
  const lines = points.map((p) => `    ${JSON.stringify(p)}`).join(',\n');
  return text.replace('\n  "points": []', () => `\n  "points": [\n${lines}\n  ]`);
}

export const CSV_COLUMNS = [
  'run',
  'step',
  'loss',
  'accuracy',
  'learning_rate',
  'elapsed_seconds',
  'val_mean',
  'val_ci95',
] as const;

/**
 * One row per training step (and per validation step without a training point, e.g. step 0),
 * ordered by step. The run name is a column so CSVs of several runs can be concatenated.
 * Numbers are written in full precision; absent values are empty cells.
 */
export function runCurvesToCsv(run: StoredRun): string {
  type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>;
  const rows = new Map<number, Row>();
  const rowAt = (step: number): Row => {
    let row = rows.get(step);
    if (!row) rows.set(step, (row = { run: run.name, step }));
    return row;
  };
  for (const p of run.points) {
    Object.assign(rowAt(p.step), {
      loss: p.loss,
      accuracy: p.accuracy,
      learning_rate: p.learningRate,
      elapsed_seconds: p.elapsed,
    });
  }
  for (const v of run.validation) Object.assign(rowAt(v.step), { val_mean: v.summary.mean, val_ci95: v.summary.ci95 });

  const lines = [CSV_COLUMNS.join(',')];
  for (const step of [...rows.keys()].sort((a, b) => a - b)) {
    const row = rows.get(step)!;
    lines.push(CSV_COLUMNS.map((column) => csvField(row[column])).join(','));
  }
  // RFC 4180: CRLF after every record.
  return lines.map((line) => `${line}\r\n`).join('');
}

/** RFC 4180 field: quoted (inner quotes doubled) when it holds a comma, quote or line break. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  // String(number) is the shortest text that reads back as the same double ("NaN", "Infinity" too).
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** e.g. "protonet-5-way-1-shot_2024-05-01_09-05.json": the run's name and local start time, safe on any OS. */
export function fileNameFor(run: Pick<StoredRun, 'name' | 'createdAt'>, ext: string): string {
  const base =
    run.name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '') // é -> e
      .replace(/[^\p{L}\p{N}._-]+/gu, '-') // slashes, spaces, quotes, control and reserved characters
      .replace(/-{2,}/g, '-')
      .replace(/^[-._]+|[-._]+$/g, '') // no hidden files, no trailing dots (Windows drops them)
      .slice(0, 80)
      .replace(/[-._]+$/g, '') || 'run';
  const d = new Date(run.createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = Number.isFinite(d.getTime())
    ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}-${pad(d.getMinutes())}`
    : 'undated';
  const extension = ext.replace(/^\.+/, '').replace(/[^A-Za-z0-9]/g, '');
  return extension ? `${base}_${stamp}.${extension}` : `${base}_${stamp}`;
}

function stepsDone(run: StoredRun): number {
  return Math.max(run.progress?.step ?? 0, run.points.at(-1)?.step ?? 0);
}

function summary(s: ExportedSummary): ExportedSummary {
  return { mean: s.mean, ci95: s.ci95, std: s.std, episodes: s.episodes };
}
