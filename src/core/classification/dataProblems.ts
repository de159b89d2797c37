// The image-classification family's checks of a run against the dataset's classes, without
// TensorFlow.js: which classes each split gets (split by group, or every class of a separate test
// dataset) and whether each sampler fits its split (ways within its classes, K+Q within its
// smallest class). The planner (plan.ts) refuses a run with these problems; the page runs the same
// rule on the dataset summary as the setup is edited, so both say the same thing.
import type { ClassListing } from '../data/dataset';
import { samplerProblems, type PoolWords } from '../episodes/sampler';
import { allClasses, DEFAULT_SPLIT, describeSplits, splitByGroup } from '../episodes/split';
import type { RunConfig, SamplerConfig } from '../experiment/runConfig';
import { problemsOf, type SettingProblem } from '../settingProblems';

/** Classes of one dataset that episodes are drawn from; D is an ImageDataset in the planner. */
export interface Pool<D extends ClassListing> {
  readonly name: 'train' | 'val' | 'test';
  readonly dataset: D;
  readonly classIndices: number[];
}

export interface Pools<D extends ClassListing> {
  train: Pool<D>;
  val: Pool<D>;
  test: Pool<D>;
  /** The split in words, for the run's report. */
  description: string;
}

/**
 * The class pools: meta-train, meta-val and meta-test classes of one dataset split by group; with
 * a separate test dataset, the main one splits into training and validation (its test share joins
 * validation) and every class of the other is a test class. Throws a SettingsError for a split
 * that does not work (split.ts).
 */
export function classPools<D extends ClassListing & { name: string }>(
  dataset: D,
  testDataset: D | undefined,
  config: Pick<RunConfig, 'split' | 'seed'>,
): Pools<D> {
  const pool = (name: Pool<D>['name'], of: D, classIndices: number[]): Pool<D> => ({ name, dataset: of, classIndices });
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
  const splits = splitByGroup(dataset, config.split ?? DEFAULT_SPLIT, config.seed);
  return {
    train: pool('train', dataset, splits.train),
    val: pool('val', dataset, splits.val),
    test: pool('test', dataset, splits.test),
    description: describeSplits(dataset, splits),
  };
}

export const trainSettingsOf = (s: SamplerConfig) => ({ way: s.trainWay ?? s.way, shot: s.trainShot ?? s.shot, query: s.trainQuery ?? s.query });
export const testSettingsOf = (s: SamplerConfig) => ({ way: s.way, shot: s.shot, query: s.query });

/** A training sampler's problem is about the training controls (the page sets shots and queries once for both). */
const asTrainingProblem = (problem: SettingProblem): SettingProblem => ({
  ...problem,
  field: problem.field === 'way' ? 'trainWay' : problem.field === 'shot' ? 'trainShot' : problem.field === 'query' ? 'trainQuery' : problem.field,
});

/**
 * Every sampler of the run checked against its split: training episodes on the training classes,
 * test episodes on the test classes and, when the run validates, validation episodes (the test
 * sampler's settings) on the validation classes, if it has any. Training first, then test, then validation: the
 * page marks each control with the first problem about it.
 */
export function poolProblems(pools: Pools<ClassListing>, config: Pick<RunConfig, 'sampler' | 'valEvery'>, separateTest = false): SettingProblem[] {
  const bigger = (split: string) => `give the ${split} split a bigger share`;
  const train: PoolWords = { where: 'the training split', wayLabel: 'Training ways', grow: bigger('training') };
  const test: PoolWords = { where: 'the test split', wayLabel: 'Ways (N)', grow: separateTest ? 'use a test dataset with more classes' : bigger('test') };
  const val: PoolWords = { where: 'the validation split', wayLabel: 'Ways (N)', grow: `${bigger('validation')}, or set Validate every to 0 to train without validation` };
  const testSettings = testSettingsOf(config.sampler);
  return [
    ...samplerProblems(pools.train, trainSettingsOf(config.sampler), train).map(asTrainingProblem),
    ...samplerProblems(pools.test, testSettings, test),
    // A split without validation classes (e.g. 80/0/20) trains without validation; one with too
    // few for the test episodes is a problem to fix, not validation quietly skipped.
    ...((config.valEvery ?? 0) > 0 && pools.val.classIndices.length > 0 ? samplerProblems(pools.val, testSettings, val) : []),
  ];
}

/**
 * The problems of a run on a dataset whose classes are `listing` (the page's check, from the
 * dataset summary): a split that does not work, or samplers that ask more than their split holds.
 */
export function classificationDataProblems(listing: ClassListing, config: RunConfig): SettingProblem[] {
  try {
    return poolProblems(classPools({ name: config.datasetId, ...listing }, undefined, config), config);
  } catch (error) {
    const problems = problemsOf(error);
    if (problems.length === 0) throw error;
    return [...problems];
  }
}
