// The experiment CLI's bridge to PyTorch: `--export-pytorch DIR` writes each method's run as a
// folder run.py trains and evaluates (core/export/pytorchExport.ts says what is in it), and
// `--import-run FILE` reads the results.json run.py wrote and puts it beside this run's methods,
// with the paired difference on identical test episodes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDataset } from '../core/data/dataset';
import { DEFAULT_SPLIT } from '../core/episodes/split';
import { exportPlanToPytorch } from '../core/export/exportPlan';
import type { ExperimentData, ExperimentPlan } from '../core/experiment/experimentPlan';
import type { RunConfig } from '../core/experiment/runConfig';
import type { ExperimentEvaluation } from '../core/experiment/results';
import { pairedDifference, summarise, type AccuracySummary } from '../core/train/stats';
import type { ExperimentArgs } from './experimentArgs';
import { projectVersion } from './runCommon';

/** Where run.py lives in the repository; it is copied into every export unchanged. */
export const RUN_PY_PATH = new URL('../export/run.py', import.meta.url);

export interface PytorchFlags {
  exportDir?: string;
  importRun?: string;
  /** The other flags, for the experiment's own parser. */
  rest: string[];
}

/** Takes --export-pytorch DIR and --import-run FILE out of the command line. */
export function pytorchFlags(argv: readonly string[]): PytorchFlags {
  const out: PytorchFlags = { rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--export-pytorch' || flag === '--import-run') {
      const value = inline ?? argv[++i];
      if (!value || value.startsWith('--')) throw new Error(`${flag} needs a ${flag === '--export-pytorch' ? 'folder' : 'file'}.`);
      if (flag === '--export-pytorch') out.exportDir = value;
      else out.importRun = value;
    } else {
      out.rest.push(argv[i]);
    }
  }
  return out;
}

/** The page's Setup of a CLI run, so run.py's results import into the playground as a run of the same setup. */
export function setupOfCli(args: ExperimentArgs, config: RunConfig): Record<string, unknown> | null {
  if (args.evalData) return null; // a separate test dataset is not a setting of the page
  const split = config.split ?? DEFAULT_SPLIT;
  const sum = split.train + split.val + split.test;
  const percent = (p: number) => Math.round((100 * p) / sum);
  return {
    dataset: args.dataset,
    way: args.way,
    shot: args.shot,
    query: args.query,
    trainWay: config.sampler.trainWay ?? args.trainWay,
    split: { train: percent(split.train), val: percent(split.val), test: percent(split.test) },
    augmentShift: args.augmentShift,
    augmentFlip: args.augmentFlip,
    method: config.method,
    hyperparameters: config.hyperparameters ?? {},
    steps: config.steps,
    valEvery: args.valEvery,
    evalEpisodes: args.evalEpisodes,
    seed: args.seed,
    backend: 'auto',
  };
}

/** How the page names a dataset in the history (runsSlice's datasetLabel), so the comparison table groups runs together. */
export function datasetLabelOf(dataset: ImageDataset): string {
  return `${dataset.name} (${dataset.classes.length} classes, ${dataset.height}x${dataset.width}x${dataset.channels})`;
}

/** Writes one method's export folder: DIR itself for one method, DIR/<method> when comparing. */
export async function writePytorchExport(
  dir: string,
  plan: ExperimentPlan,
  data: ExperimentData,
  config: RunConfig,
  args: ExperimentArgs,
  stepsDone: number,
): Promise<string> {
  if (data.family !== 'classification') throw new Error('--export-pytorch is for image datasets; sine-wave runs stay in Node and the browser.');
  const folder = args.methods.length > 1 ? join(dir, config.method) : dir;
  const files = await exportPlanToPytorch(plan, data, config, {
    evaluation: { episodes: args.evalEpisodes, seed: args.evalSeed },
    run: {
      id: `cli-${config.method}-${Date.now().toString(36)}`,
      name: `${plan.method.title} ${args.way}-way ${args.shot}-shot`,
      datasetLabel: datasetLabelOf(data.dataset),
      setup: setupOfCli(args, config),
      stepsDone,
    },
    runPy: readFileSync(RUN_PY_PATH, 'utf8'),
    version: projectVersion(),
  });
  mkdirSync(folder, { recursive: true });
  for (const file of files) writeFileSync(join(folder, file.path), file.bytes);
  return folder;
}

/** The evaluation of a results.json (run.py's, or any run export), as far as a comparison needs. */
export interface ImportedEvaluation {
  name: string;
  engine: string;
  episodes: number;
  seed: number;
  settings: { way: number; shot: number; query: number };
  summary: AccuracySummary;
  perEpisode: number[];
}

/** Reads results.json (format few-shot-lab-run) and its latest complete evaluation; throws with what is wrong. */
export function readImportedRun(file: string): ImportedEvaluation {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} could not be read as JSON (${(error as Error).message}).`);
  }
  if (data.format !== 'few-shot-lab-run') throw new Error(`${file} is not a Few-Shot Lab run (no "format": "few-shot-lab-run"); pass the results.json that run.py wrote.`);
  const evaluations = Array.isArray(data.evaluations) ? (data.evaluations as Array<Record<string, unknown>>) : [];
  const e = [...evaluations].reverse().find((x) => x.stoppedEarly === false);
  if (!e) throw new Error(`${file} holds no complete evaluation to compare with.`);
  const result = (e.results as Array<{ perEpisode: unknown[] }>)[0];
  const perEpisode = result.perEpisode.map((v) => Number(v));
  if (perEpisode.some((v) => !(v >= 0 && v <= 1))) throw new Error(`${file} has per-episode accuracies outside 0..1.`);
  const sampler = e.sampler as { way: number; shot: number; query: number };
  const elsewhere = data.trainedElsewhere as { engine?: string; version?: string; device?: string } | undefined;
  return {
    name: String(data.name),
    engine: elsewhere ? `${elsewhere.engine} ${elsewhere.version}, ${elsewhere.device}` : 'Few-Shot Lab',
    episodes: Number(e.episodes),
    seed: Number(e.seed),
    settings: { way: sampler.way, shot: sampler.shot, query: sampler.query },
    summary: summarise(perEpisode),
    perEpisode,
  };
}

/** The imported run against one of this run's evaluations: null when they were not on the same episodes. */
export function compareImported(imported: ImportedEvaluation, evaluation: ExperimentEvaluation): { difference: AccuracySummary } | { reason: string } {
  const s = evaluation.settings;
  if (imported.seed !== evaluation.seed || imported.episodes !== evaluation.episodes || imported.settings.way !== s.way || imported.settings.shot !== s.shot || imported.settings.query !== s.query) {
    return {
      reason:
        `it was evaluated on ${imported.episodes} ${imported.settings.way}-way ${imported.settings.shot}-shot ${imported.settings.query}-query episodes of seed ${imported.seed}, ` +
        `this run on ${evaluation.episodes} ${s.way}-way ${s.shot}-shot ${s.query}-query episodes of seed ${evaluation.seed}: not the same episodes`,
    };
  }
  return { difference: pairedDifference(imported.perEpisode, evaluation.results[0].perEpisode) };
}
