// How an image-classification experiment is planned: classes split by group (or, with a separate
// test dataset, every class of it held out), the sampler checked on each split against the real
// data, the method made once (methodForExperiment), and training, evaluation and the episode
// viewer as closures over them. Settings a user can get wrong come back as a SettingsError whose
// problems name the setting.
import type { ImageDataset } from '../data/dataset';
import { samplerProblems, type ClassPool } from '../episodes/sampler';
import { allClasses, DEFAULT_SPLIT, describeSplits, splitByGroup, type ClassSplits } from '../episodes/split';
import type { FewShotMethod } from '../methods/method';
import { getMethodSpec, methodForExperiment, resolveHyperparameters } from '../methods/registry';
import { problemsOf, SettingsError, type SettingProblem } from '../settingProblems';
import { evaluate } from '../train/evaluate';
import { train, type ValidationPoint } from '../train/train';
import type { ValidationResult } from '../experiment/results';
import { methodStateOf, type ExperimentData, type ExperimentPlan } from '../experiment/experimentPlan';
import type { RunConfig, SamplerConfig } from '../experiment/runConfig';
import { CLASSIFICATION } from './family';
import { inspectEpisode } from './inspectEpisode';

type ClassificationData = Extract<ExperimentData, { family: 'classification' }>;

/** A problem of the training sampler: about its own controls, and said to be about training episodes. */
function asTrainingProblem(problem: SettingProblem): SettingProblem {
  const field = problem.field === 'way' ? 'trainWay' : problem.field === 'shot' ? 'trainShot' : problem.field === 'query' ? 'trainQuery' : problem.field;
  return { ...problem, field, message: `Training episodes: ${problem.message}` };
}

const asTestProblem = (problem: SettingProblem): SettingProblem => ({ ...problem, message: `Test episodes: ${problem.message}` });

const trainSettingsOf = (s: SamplerConfig) => ({ way: s.trainWay ?? s.way, shot: s.trainShot ?? s.shot, query: s.trainQuery ?? s.query });
const testSettingsOf = (s: SamplerConfig) => ({ way: s.way, shot: s.shot, query: s.query });

interface Pools {
  train: ClassPool;
  val: ClassPool;
  test: ClassPool;
  description: string;
}

/**
 * The class pools: meta-train, meta-val and meta-test classes of one dataset split by group; with
 * a separate test dataset, the main one splits into training and validation (its test share joins
 * validation) and every class of the other is a test class.
 */
function poolsOf(data: ClassificationData, config: RunConfig): Pools {
  const { dataset, testDataset } = data;
  const pool = (name: 'train' | 'val' | 'test', of: ImageDataset, classIndices: number[]): ClassPool => ({ name, dataset: of, classIndices });
  if (testDataset) {
    const splits = splitByGroup(dataset, config.split ?? { train: 0.8, val: 0.2, test: 0 }, config.seed);
    const val = splits.val.concat(splits.test);
    const test = allClasses(testDataset);
    return {
      train: pool('train', dataset, splits.train),
      val: pool('val', dataset, val),
      test: pool('test', testDataset, test),
      description: `train ${splits.train.length} classes, val ${val.length} classes (of ${dataset.name}); test ${test.length} classes (all of ${testDataset.name})`,
    };
  }
  const splits: ClassSplits = splitByGroup(dataset, config.split ?? DEFAULT_SPLIT, config.seed);
  return {
    train: pool('train', dataset, splits.train),
    val: pool('val', dataset, splits.val),
    test: pool('test', dataset, splits.test),
    description: describeSplits(dataset, splits),
  };
}

/**
 * The method a classification run trains, freshly made with the run's class split. Also how the
 * user's own images get a copy of a finished run to load its state into.
 */
export function classificationRunMethod(config: RunConfig, dataset: ImageDataset): FewShotMethod {
  const trainClasses = splitByGroup(dataset, config.split ?? DEFAULT_SPLIT, config.seed).train;
  return methodForExperiment(config.method, config.hyperparameters ?? {}, config.seed, [dataset.height, dataset.width, dataset.channels], trainClasses).method;
}

/** The problems of the config's method and hyperparameters, without making the method. */
function methodProblems(config: RunConfig): readonly SettingProblem[] {
  try {
    resolveHyperparameters(getMethodSpec(config.method), config.hyperparameters ?? {});
    return [];
  } catch (error) {
    return problemsOf(error);
  }
}

export function planClassification(data: ClassificationData, config: RunConfig): ExperimentPlan {
  const pools = poolsOf(data, config);
  const trainSettings = trainSettingsOf(config.sampler);
  const testSettings = testSettingsOf(config.sampler);
  const { dataset } = data;
  // Every setting a user can get wrong is reported at once, each problem naming its setting:
  // samplers asking more of a split than it has, and an unknown method or a bad hyperparameter.
  const problems = [...samplerProblems(pools.train, trainSettings).map(asTrainingProblem), ...samplerProblems(pools.test, testSettings).map(asTestProblem)];
  if (problems.length > 0) {
    // No network is built for a sampler that cannot run; the method's own problems still come first.
    throw new SettingsError([...methodProblems(config), ...problems]);
  }
  const made = methodForExperiment(config.method, config.hyperparameters ?? {}, config.seed, [dataset.height, dataset.width, dataset.channels], pools.train.classIndices);
  const { method, spec } = made;
  const validate = (config.valEvery ?? 0) > 0 && samplerProblems(pools.val, testSettings).length === 0;
  const metaBatch = config.metaBatch ?? spec.metaBatch ?? 1;
  return {
    family: CLASSIFICATION,
    method: { name: spec.name, title: spec.title, hyperparameters: made.hyperparameters },
    metaBatch,
    dataDescription: pools.description,
    train: async (o) => {
      const toResult = (v: ValidationPoint): ValidationResult => ({ step: v.step, summary: v.summary, metric: 'accuracy' });
      const result = await train(method, {
        trainPool: pools.train,
        trainSettings,
        steps: config.steps,
        episodesPerStep: metaBatch,
        seed: config.seed,
        augment: config.augment,
        valPool: validate ? pools.val : undefined,
        valSettings: validate ? testSettings : undefined,
        valEvery: config.valEvery,
        valEpisodes: config.valEpisodes,
        startStep: o.startStep,
        onStep: o.onStep,
        onValidation: (v) => o.onValidation?.(toResult(v)),
        shouldStop: o.shouldStop,
      });
      return { ...result, validation: result.validation.map(toResult) };
    },
    evaluate: async (o) => {
      const r = await evaluate(method, pools.test, testSettings, o);
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
    inspectEpisode: (seed) => inspectEpisode(method, pools.test, testSettings, seed),
    ...methodStateOf(method),
  };
}
