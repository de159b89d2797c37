// The results JSON of `npm run experiment -- --out FILE`: the config, versions and backend, each
// method's curve and evaluation (every reported result with its per-episode values, for paired
// comparisons elsewhere) and the paired differences against the first method.
import type { ImageDataset } from '../core/data/dataset';
import type { InitialisedBackend } from '../core/backend';
import type { PlanTrainingResult } from '../core/experiment/experimentPlan';
import type { ExperimentEvaluation } from '../core/experiment/results';
import type { TaskFamily } from '../core/experiment/taskFamily';
import type { Hyperparameters } from '../core/methods/catalog';
import type { AccuracySummary } from '../core/train/stats';
import type { ExperimentArgs } from './experimentArgs';
import { projectVersion, trainingJson } from './runCommon';

/** What one method's run produced. */
export interface MethodRun {
  method: string;
  title: string;
  hyperparameters: Hyperparameters;
  metaBatch: number;
  training: PlanTrainingResult;
  evaluation: ExperimentEvaluation | null;
}

/** A method's paired differences against the first method, one per reported result. */
export interface MethodComparison {
  method: string;
  against: string;
  differences: Array<{ label: string; difference: AccuracySummary | null }>;
}

const summaryJson = (s: AccuracySummary) => ({ mean: s.mean, ci95: s.ci95, std: s.std });

/**
 * The fields each metric's JSON had before the families shared one format, kept so that scripts
 * reading them go on working: accuracy's mean and per-episode values, regression's MSE per step.
 */
function earlierFields(e: ExperimentEvaluation, args: ExperimentArgs) {
  const first = e.results[0];
  return e.metric === 'accuracy'
    ? { meanAccuracy: first.summary.mean, ci95: first.summary.ci95, std: first.summary.std, perEpisodeAccuracy: first.perEpisode }
    : { tasks: e.episodes, mse: e.results.map((r, k) => ({ steps: args.evalSteps[k], ...summaryJson(r.summary), perTask: r.perEpisode })) };
}

function evaluationJson(e: ExperimentEvaluation, args: ExperimentArgs) {
  return {
    metric: e.metric,
    split: e.split,
    splitClasses: e.splitClasses,
    settings: e.settings,
    episodes: e.episodes,
    seed: e.seed,
    labels: e.labels,
    stoppedEarly: e.stoppedEarly,
    results: e.results.map((r) => ({ label: r.label, ...summaryJson(r.summary), perEpisode: r.perEpisode })),
    ...earlierFields(e, args),
  };
}

export interface ResultsInput {
  family: TaskFamily;
  args: ExperimentArgs;
  runs: MethodRun[];
  comparison: MethodComparison[];
  datasets: ImageDataset[];
  backend: InitialisedBackend;
  seconds: number;
  versions: { tfjs: string; node: string };
}

export function resultsJson({ family, args, runs, comparison, datasets, backend, seconds, versions }: ResultsInput) {
  // The sampler as the family sets it: ways only where tasks have classes.
  const sampler = (way: number, shot: number, query: number) => (family.samplerControls.way ? { way, shot, query } : { shot, query });
  return {
    config: {
      dataset: args.dataset,
      family: family.id,
      data: args.data ?? null,
      evalData: args.evalData ?? null,
      datasets: datasets.map((d) => ({ name: d.name, classes: d.classes.length, shape: [d.height, d.width, d.channels] })),
      rotations: args.rotations,
      split: args.split ?? null,
      methods: args.methods,
      trainEpisodes: sampler(args.trainWay, args.trainShot, args.trainQuery),
      testEpisodes: sampler(args.way, args.shot, args.query),
      steps: args.episodes,
      augment: family.splitsClasses ? { maxShift: args.augmentShift, flip: args.augmentFlip } : null,
      evalEpisodes: args.evalEpisodes,
      evalSteps: family.metric.name === 'mse' ? args.evalSteps : null,
      seed: args.seed,
      evalSeed: args.evalSeed,
    },
    versions: { fewShotLab: projectVersion(), ...versions },
    backend: backend.backend,
    backendInfo: backend.info,
    runs: runs.map((run) => ({
      method: run.method,
      hyperparameters: run.hyperparameters,
      metaBatch: run.metaBatch,
      training: trainingJson(run.training),
      evaluation: run.evaluation && evaluationJson(run.evaluation, args),
    })),
    comparison: comparison.map((c) => ({ ...c, difference: c.differences[0]?.difference ?? null })),
    seconds,
  };
}
