// What a task family is, without TensorFlow.js: image classification and sine-wave regression
// (and any later family) each describe themselves with one of these, so the page, the worker and
// the CLI ask the family (its sampler settings and their checks, its metric and which way is
// better, its methods and defaults, its words) instead of testing a dataset's name. The family's
// compute side, how a run is planned and evaluated, is its planner (experiment/plan.ts).
import type { ClassListing } from '../data/dataset';
import type { MethodInfo } from '../methods/catalog';
import type { SettingProblem } from '../settingProblems';
import type { AccuracySummary } from '../train/stats';
import type { RunConfig, SamplerConfig } from './runConfig';

export type FamilyId = 'classification' | 'regression';
export type MetricName = 'accuracy' | 'mse';

export interface FamilyMetric {
  name: MetricName;
  /** In words, e.g. "accuracy", "mean squared error". */
  label: string;
  /** Short, for axes and table headers, e.g. "accuracy", "MSE". */
  shortLabel: string;
  /** MSE: lower is better; accuracy: higher. */
  lowerIsBetter: boolean;
  /**
   * Decimals where numbers should not change width from one result to the next (the page's results
   * and tables): accuracy 2 (in per cent), MSE 3. `format` without digits may pick its own.
   */
  digits: number;
  /** A mean with its 95% interval: "86.43% ± 0.71%", "0.412 ± 0.031". */
  format(summary: AccuracySummary, digits?: number): string;
  /** A paired difference: "+3.10 ± 1.20 points", "−0.120 ± 0.040". */
  formatDifference(summary: AccuracySummary): string;
}

/** The sampler controls a person sets on the page (trainWay only where a family has ways). */
export type SamplerControl = 'way' | 'shot' | 'query' | 'trainWay';

/** The sampler as a person chooses it: N, K, Q of test episodes and the training episodes' ways. */
export interface SamplerChoice {
  way: number;
  shot: number;
  query: number;
  trainWay: number;
}

export interface TaskFamily {
  id: FamilyId;
  /** e.g. "image classification", "sine-wave regression". */
  title: string;
  /** What one task is called, singular and plural: "episode(s)", "task(s)". */
  taskNoun: { one: string; many: string };
  /** Where test tasks come from, for headings: "held-out classes", "new tasks". */
  testSource: string;
  metric: FamilyMetric;
  /** The heading of the sampler controls: "Sampler", "Tasks". */
  samplerTitle: string;
  /** The sampler controls this family uses, with a label, hint and least value each. */
  samplerControls: Partial<Record<SamplerControl, { label: string; hint: string; min: number }>>;
  /** Sampler settings when a person switches to this family. */
  samplerDefaults: SamplerChoice;
  /** Whether runs split classes by group (and may augment images): classification does. */
  splitsClasses: boolean;
  /** Its methods, in the order the page lists them (tfjs-free descriptions). */
  methods: Readonly<Record<string, MethodInfo>>;
  defaultMethod: string;
  /** Why a method name is not one of this family's, and which are. */
  unknownMethodMessage(name: string): string;
  /** Problems of the sampler settings that need no data (the plan checks the rest against the data). */
  samplerProblems(choice: SamplerChoice): SettingProblem[];
  /**
   * Problems of a run against the loaded dataset's classes (families that split classes): the same
   * rule the family's planner refuses a run with, so the page can say it while the setup is edited.
   */
  dataProblems?(classes: ClassListing, config: RunConfig): SettingProblem[];
  /** The sampler a run is configured with, from what a person chose. */
  samplerConfig(choice: SamplerChoice): SamplerConfig;
  /** A sampler in a few words: "5-way 1-shot", "sine K=10". */
  describeSampler(sampler: Pick<SamplerConfig, 'way' | 'shot' | 'query'>): string;
  /** The same with the query count where it tells runs apart, for results: "5-way 1-shot 15-query", "K=10 points". */
  describeEpisodes(sampler: Pick<SamplerConfig, 'way' | 'shot' | 'query'>): string;
  /** What validation checks, as the hint of "Validate every" says it. */
  validateEveryHint: string;
  /** What evaluating `count` test tasks measures: "accuracy on 600 test episodes of classes the run never saw". */
  evaluationTarget(count: number): string;
  /** The settings behind an evaluation's numbers: sampler, episodes, seed and, where classes are split, which. */
  describeEvaluation(evaluation: EvaluationSettings): string;
  /** What the page shows of one test task: the episode viewer (images) or the sine plot (fits). */
  inspection: 'episode' | 'sine';
}

/** What describeEvaluation reads of an evaluation (results.ts's ExperimentEvaluation has them). */
export interface EvaluationSettings {
  settings: Pick<SamplerConfig, 'way' | 'shot' | 'query'>;
  episodes: number;
  seed: number;
  split: string;
  splitClasses: number;
}

/** "3 episodes", "1 task". */
export function countOf(family: Pick<TaskFamily, 'taskNoun'>, n: number): string {
  return `${n} ${n === 1 ? family.taskNoun.one : family.taskNoun.many}`;
}

/** An out-of-range problem unless `value` is a whole number in [min, max]. */
export function wholeNumberProblem(
  field: SettingProblem['field'],
  value: number,
  min: number,
  max: number,
  what: string,
): SettingProblem | null {
  if (Number.isInteger(value) && value >= min && value <= max) return null;
  return { code: 'out-of-range', field, message: `${what} must be a whole number from ${min} to ${max}, got ${value}.` };
}
