// What an experiment produces, as plain data: curve points, validation points, the evaluation
// (mean and 95% CI per reported result, with per-episode values for paired comparisons), and the
// views of one test episode or sine task. The plan makes them; the worker sends them to the page
// with the run's id; the CLI prints and writes them.
import type { MethodLabels } from '../methods/method';
import type { AccuracySummary } from '../train/stats';
import type { SamplerConfig } from './runConfig';
import type { MetricName } from './taskFamily';

/** A curve point as the page plots it. accuracy is absent for regression. */
export interface ProgressPoint {
  step: number;
  loss: number;
  accuracy?: number;
  learningRate: number;
  /** Seconds of training since the run started (across resumes). */
  elapsed: number;
}

export interface ValidationResult {
  step: number;
  /** Accuracy (classification) or MSE (regression, after the first reported number of adaptation steps). */
  summary: AccuracySummary;
  metric: MetricName;
}

export interface ExperimentEvaluation {
  metric: MetricName;
  /** Accuracy over test episodes (classification) or MSE after each adaptation step count (regression). */
  results: Array<{ label: string; summary: AccuracySummary; perEpisode: number[] }>;
  episodes: number;
  seed: number;
  settings: SamplerConfig;
  split: string;
  splitClasses: number;
  labels: MethodLabels;
  stoppedEarly: boolean;
}

/** Images as the viewer draws them: 0-255 values, row-major height x width x channels. */
export interface InspectedImages {
  pixels: Uint8ClampedArray[];
  /** Episode labels 0..way-1. */
  labels: number[];
}

/** What the episode viewer shows of one test episode, answered by 'inspectEpisode'. */
export interface EpisodeInspection {
  seed: number;
  way: number;
  shot: number;
  query: number;
  /** [height, width, channels] of every image. */
  imageShape: [number, number, number];
  /** The dataset's names of the episode's classes, by episode label. */
  classNames: string[];
  support: InspectedImages;
  queries: InspectedImages & {
    /** Predicted episode label of each query. */
    predicted: number[];
    /** Class probabilities of each query (way values each). */
    probabilities: number[][];
  };
  /** Fraction of queries classified right. */
  accuracy: number;
  /**
   * Methods that classify by embeddings (ProtoNet, fine-tuning): the first two principal
   * components of the query embeddings and class prototypes (support means), computed together.
   */
  projection?: {
    queries: Array<[number, number]>;
    prototypes: Array<[number, number]>;
    /** Fraction of the variance along each of the two axes. */
    explainedVariance: [number, number];
  };
  /** Methods that adapt in steps (MAML, Meta-LSTM): query accuracy after 0, 1, ... steps. */
  accuracyByStep?: number[];
}

/** One sine task and the run's fits to its support points, answered by 'fitSine'. */
export interface SineFit {
  seed: number;
  amplitude: number;
  phase: number;
  /** x values where the target and the fits are given (the task's input range). */
  grid: number[];
  target: number[];
  support: { x: number[]; y: number[] };
  /** The model's predictions on the grid after `steps` adaptation steps, for 0..maxSteps. */
  fits: Array<{ steps: number; y: number[] }>;
}
