// How an image-classification experiment is planned: classes split by group (or, with a separate
// test dataset, every class of it held out), the sampler checked on each split against the real
// data, the method made once (methodForExperiment), and training, evaluation and the episode
// viewer as closures over them. Settings a user can get wrong come back as a SettingsError whose
// problems name the setting.
import type { ImageDataset } from '../data/dataset';
import { DEFAULT_SPLIT, splitByGroup } from '../episodes/split';
import type { FewShotMethod } from '../methods/method';
import { getMethodSpec, methodForExperiment, resolveHyperparameters } from '../methods/registry';
import { problemsOf, SettingsError, type SettingProblem } from '../settingProblems';
import { evaluateByEmbeddings, evaluatesByEmbeddings } from '../train/embeddingEvaluation';
import { evaluate } from '../train/evaluate';
import { train, type ValidationPoint } from '../train/train';
import type { ValidationResult } from '../experiment/results';
import { methodStateOf, type ExperimentData, type ExperimentPlan } from '../experiment/experimentPlan';
import type { RunConfig } from '../experiment/runConfig';
import { classPools, poolProblems, testSettingsOf, trainSettingsOf } from './dataProblems';
import { CLASSIFICATION } from './family';
import { inspectEpisode } from './inspectEpisode';

type ClassificationData = Extract<ExperimentData, { family: 'classification' }>;

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
  const pools = classPools(data.dataset, data.testDataset, config);
  const trainSettings = trainSettingsOf(config.sampler);
  const testSettings = testSettingsOf(config.sampler);
  const { dataset } = data;
  // Every setting a user can get wrong is reported at once, each problem naming its setting:
  // samplers asking more of a split than it has (the rule the page also checks as the setup is
  // edited: dataProblems.ts), and an unknown method or a bad hyperparameter.
  const problems = poolProblems(pools, config, data.testDataset !== undefined);
  if (problems.length > 0) {
    // No network is built for a sampler that cannot run; the method's own problems still come first.
    throw new SettingsError([...methodProblems(config), ...problems]);
  }
  const made = methodForExperiment(config.method, config.hyperparameters ?? {}, config.seed, [dataset.height, dataset.width, dataset.channels], pools.train.classIndices);
  const { method, spec } = made;
  // A validation split too small for the test episodes is one of the problems above; one without
  // classes means training without validation.
  const validate = (config.valEvery ?? 0) > 0 && pools.val.classIndices.length > 0;
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
      const r = o.embedOnce && evaluatesByEmbeddings(method) ? await evaluateByEmbeddings(method, pools.test, testSettings, o) : await evaluate(method, pools.test, testSettings, o);
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
