// A run's training and evaluation as closures of one shape, whichever task family it is: image
// episodes (train.ts / evaluate.ts on class splits) or sine-wave regression (trainRegression /
// evaluateRegression). Settings a user can get wrong (an impossible sampler, an unknown
// hyperparameter) are checked here, before any training, and come back as a SettingsError whose
// problems name the setting to change.
import type { ImageDataset } from '../core/data/dataset';
import { DEFAULT_SPLIT, splitByGroup } from '../core/episodes/split';
import { samplerProblems, type ClassPool } from '../core/episodes/sampler';
import type { FewShotMethod, MethodLabels } from '../core/methods/method';
import { getMethodSpec, methodForExperiment, resolveHyperparameters } from '../core/methods/registry';
import type { NamedTensors, SavedTensors } from '../core/nn/params';
import { evaluateRegression } from '../core/regression/evaluateRegression';
import { getRegressionMethodSpec } from '../core/regression/registry';
import { regressionSettingsProblems } from '../core/regression/sinusoid';
import { SettingsError, type SettingProblem } from '../core/settingProblems';
import { trainRegression } from '../core/regression/trainRegression';
import { evaluate } from '../core/train/evaluate';
import type { LoopResult } from '../core/train/loop';
import { train } from '../core/train/train';
import type { LoadedSource } from './datasets';
import { fitSine } from './fitSine';
import { inspectEpisode } from './inspectEpisode';
import type { EpisodeInspection, EvaluationMessage, ProgressPoint, RunConfig, SamplerConfig, SineFit, ValidationPointMessage } from './protocol';

export interface PlanTrainingOptions {
  startStep: number;
  onStep: (point: ProgressPoint) => void | Promise<void>;
  onValidation: (point: ValidationPointMessage) => void | Promise<void>;
  shouldStop: () => boolean;
}

export interface PlanEvaluationOptions {
  episodes: number;
  seed: number;
  onProgress: (done: number, total: number) => void | Promise<void>;
  shouldStop: () => boolean;
}

/** One run's method and how to train and evaluate it. Create it again to move to another backend. */
export interface RunPlan {
  metaBatch: number;
  train(options: PlanTrainingOptions): Promise<LoopResult<{ loss: number; learningRate: number }, unknown>>;
  evaluate(options: PlanEvaluationOptions): Promise<Omit<EvaluationMessage, 'runId' | 'backend'>>;
  labels(): MethodLabels;
  /** Image runs: the test episode `seed` picks, through the method's current state (episode viewer). */
  inspectEpisode?(seed: number): Promise<Omit<EpisodeInspection, 'runId'>>;
  /** Sine-wave runs: the test task `seed` picks and the fits after 0..maxSteps steps (sine plot). */
  fitSine?(seed: number, maxSteps: number): Promise<Omit<SineFit, 'runId'>>;
  stateTensors(): NamedTensors;
  loadState(saved: SavedTensors): void;
  dispose(): void;
}

/** A problem of the training sampler: about its own controls, and said to be about training episodes. */
function asTrainingProblem(problem: SettingProblem): SettingProblem {
  const field = problem.field === 'way' ? 'trainWay' : problem.field === 'shot' ? 'trainShot' : problem.field === 'query' ? 'trainQuery' : problem.field;
  return { ...problem, field, message: `Training episodes: ${problem.message}` };
}

const asTestProblem = (problem: SettingProblem): SettingProblem => ({ ...problem, message: `Test episodes: ${problem.message}` });

/** The parts of a plan that are the method's own. */
function stateOf(method: Pick<RunPlan, 'labels' | 'stateTensors' | 'loadState' | 'dispose'>) {
  return {
    labels: () => method.labels(),
    stateTensors: () => method.stateTensors(),
    loadState: (saved: SavedTensors) => method.loadState(saved),
    dispose: () => method.dispose(),
  };
}

function trainSettingsOf(s: SamplerConfig) {
  return { way: s.trainWay ?? s.way, shot: s.trainShot ?? s.shot, query: s.trainQuery ?? s.query };
}

export function makeRunPlan(source: LoadedSource, config: RunConfig): RunPlan {
  if (!Number.isInteger(config.steps) || config.steps < 0) {
    throw new SettingsError([{ code: 'out-of-range', field: 'steps', message: `Training steps must be a whole number of at least 0, got ${config.steps}.` }]);
  }
  return source.task === 'regression' ? regressionPlan(config) : classificationPlan(source.dataset, config);
}

/**
 * The method a classification run trains, freshly made (see methodForExperiment). Also how the
 * user's own images get a copy of a finished run (src/worker/ownImages.ts) to load its state into.
 */
export function createRunMethod(config: RunConfig, dataset: ImageDataset, trainClasses: readonly number[]): FewShotMethod {
  return methodForExperiment(config.method, config.hyperparameters ?? {}, config.seed, [dataset.height, dataset.width, dataset.channels], trainClasses).method;
}

function classificationPlan(dataset: Extract<LoadedSource, { task: 'classification' }>['dataset'], config: RunConfig): RunPlan {
  // Unknown methods, bad hyperparameters and splits throw SettingsErrors naming the setting.
  const spec = getMethodSpec(config.method);
  resolveHyperparameters(spec, config.hyperparameters ?? {});
  const splits = splitByGroup(dataset, config.split ?? DEFAULT_SPLIT, config.seed);
  const pool = (name: 'train' | 'val' | 'test'): ClassPool => ({ name, dataset, classIndices: splits[name] });
  const [trainPool, valPool, testPool] = [pool('train'), pool('val'), pool('test')];
  const trainSettings = trainSettingsOf(config.sampler);
  const testSettings = { way: config.sampler.way, shot: config.sampler.shot, query: config.sampler.query };
  const problems = [...samplerProblems(trainPool, trainSettings).map(asTrainingProblem), ...samplerProblems(testPool, testSettings).map(asTestProblem)];
  if (problems.length > 0) throw new SettingsError(problems);
  const validate = (config.valEvery ?? 0) > 0 && samplerProblems(valPool, testSettings).length === 0;
  const method = createRunMethod(config, dataset, trainPool.classIndices);
  const metaBatch = config.metaBatch ?? spec.metaBatch ?? 1;
  return {
    metaBatch,
    train: (o) =>
      train(method, {
        trainPool,
        trainSettings,
        steps: config.steps,
        episodesPerStep: metaBatch,
        seed: config.seed,
        augment: config.augment,
        valPool: validate ? valPool : undefined,
        valSettings: validate ? testSettings : undefined,
        valEvery: config.valEvery,
        valEpisodes: config.valEpisodes,
        startStep: o.startStep,
        onStep: o.onStep,
        onValidation: (v) => o.onValidation({ step: v.step, summary: v.summary, metric: 'accuracy' }),
        shouldStop: o.shouldStop,
      }),
    evaluate: async (o) => {
      const r = await evaluate(method, testPool, testSettings, o);
      return {
        metric: 'accuracy',
        results: [{ label: 'accuracy', summary: r.summary, perEpisode: r.accuracies }],
        episodes: r.summary.episodes,
        seed: r.seed,
        settings: { ...config.sampler },
        split: r.split,
        splitClasses: r.splitClasses,
        labels: r.labels,
        stoppedEarly: r.stoppedEarly,
      };
    },
    inspectEpisode: (seed) => inspectEpisode(method, testPool, testSettings, seed),
    ...stateOf(method),
  };
}

/** Adaptation steps after which regression results are reported (the MAML paper's 1 and 10). */
const REGRESSION_STEPS = [1, 10];

function regressionPlan(config: RunConfig): RunPlan {
  const spec = getRegressionMethodSpec(config.method);
  const hyper = resolveHyperparameters(spec, config.hyperparameters ?? {});
  const trainSettings = { shot: config.sampler.trainShot ?? config.sampler.shot, query: config.sampler.trainQuery ?? config.sampler.shot };
  const testSettings = { shot: config.sampler.shot, query: config.sampler.query };
  // Training tasks take their K from the same control as test tasks, so their problems read alike.
  const problems = [...regressionSettingsProblems(trainSettings), ...regressionSettingsProblems(testSettings)];
  if (problems.length > 0) throw new SettingsError(problems);
  const method = spec.create(hyper, config.seed);
  const metaBatch = config.metaBatch ?? spec.metaBatch;
  return {
    metaBatch,
    train: (o) =>
      trainRegression(method, {
        settings: trainSettings,
        steps: config.steps,
        tasksPerStep: metaBatch,
        seed: config.seed,
        valEvery: config.valEvery,
        valTasks: config.valEpisodes,
        valSteps: REGRESSION_STEPS[0],
        startStep: o.startStep,
        onStep: o.onStep,
        onValidation: (v) => o.onValidation({ step: v.step, summary: v.mse, metric: 'mse' }),
        shouldStop: o.shouldStop,
      }),
    evaluate: async (o) => {
      const r = await evaluateRegression(method, testSettings, { tasks: o.episodes, seed: o.seed, steps: REGRESSION_STEPS, onProgress: o.onProgress, shouldStop: o.shouldStop });
      return {
        metric: 'mse',
        results: r.mse.map((m) => ({ label: `MSE after ${m.steps} step${m.steps === 1 ? '' : 's'}`, summary: m.summary, perEpisode: m.perTask })),
        episodes: r.mse[0].summary.episodes,
        seed: r.seed,
        settings: { ...config.sampler },
        split: 'test tasks',
        splitClasses: 0,
        labels: r.labels,
        stoppedEarly: r.stoppedEarly,
      };
    },
    fitSine: (seed, maxSteps) => fitSine(method, testSettings, seed, maxSteps),
    ...stateOf(method),
  };
}
