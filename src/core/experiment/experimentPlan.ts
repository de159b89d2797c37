// The shape of one planned experiment, whichever its task family: a method resolved once from a
// validated config, and closures to train it, evaluate it and look inside it. The worker adds
// messaging, throttling and checkpoints around it; the CLI its progress bars and reports.
import type { ImageDataset } from '../data/dataset';
import type { MethodLabels } from '../methods/method';
import type { Hyperparameters } from '../methods/catalog';
import { checkpointTensors, loadCheckpoint, type Checkpointable } from '../methods/checkpoint';
import type { NamedTensors, SavedTensors } from '../nn/params';
import type { LoopResult } from '../train/loop';
import type { EpisodeInspection, ExperimentEvaluation, ProgressPoint, SineFit, ValidationResult } from './results';
import type { TaskFamily } from './taskFamily';

/** The data an experiment runs on, as its family needs it. */
export type ExperimentData =
  /** Image episodes: classes split by group; `testDataset` (the CLI's --eval-data) gives every test class instead. */
  | { family: 'classification'; dataset: ImageDataset; testDataset?: ImageDataset }
  /** Sine waves are generated; nothing to load. */
  | { family: 'regression' };

export interface PlanTrainingOptions {
  /** First step to run (to resume); the sequence of training tasks continues where it left off. */
  startStep?: number;
  onStep?: (point: ProgressPoint) => void | Promise<void>;
  onValidation?: (point: ValidationResult) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export interface PlanEvaluationOptions {
  episodes: number;
  seed: number;
  /**
   * Image runs: when the method predicts by embeddings independent of each other (ProtoNet with
   * running statistics), embed each test image once and score the episodes from those
   * (train/embeddingEvaluation.ts): the same episodes and accuracies, in seconds rather than
   * minutes. Progress then starts after the embedding.
   */
  embedOnce?: boolean;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  shouldStop?: () => boolean;
}

export type PlanTrainingResult = LoopResult<{ loss: number; learningRate: number; accuracy?: number }, ValidationResult>;

/** One run's method and how to train and evaluate it. Make it again to move to another backend. */
export interface ExperimentPlan {
  family: TaskFamily;
  /** The method as resolved: registry name, title, hyperparameters with defaults applied. */
  method: { name: string; title: string; hyperparameters: Hyperparameters };
  /** Tasks per training step. */
  metaBatch: number;
  /** What the run trains and tests on, in a line: the class split, or the tasks. */
  dataDescription: string;
  train(options: PlanTrainingOptions): Promise<PlanTrainingResult>;
  evaluate(options: PlanEvaluationOptions): Promise<ExperimentEvaluation>;
  labels(): MethodLabels;
  /** Image runs: the test episode `seed` picks, through the method's current state (episode viewer). */
  inspectEpisode?(seed: number): Promise<EpisodeInspection>;
  /** Sine-wave runs: the test task `seed` picks and the fits after 0..maxSteps steps (sine plot). */
  fitSine?(seed: number, maxSteps: number): Promise<SineFit>;
  /** The method's learnable state (what a kept run, a model file and a backbone hold); the plan keeps ownership. */
  stateTensors(): NamedTensors;
  loadState(saved: SavedTensors): void;
  /**
   * What the run resumes from exactly: the learnable state plus the training state (the
   * optimiser's) under "training/" (methods/checkpoint.ts); the plan keeps ownership.
   */
  checkpointTensors(): NamedTensors;
  /**
   * Loads a checkpoint, or a learnable state alone (an older checkpoint, a kept run: the optimiser
   * then starts afresh). Train with `startStep` at its step to continue the run.
   */
  loadCheckpoint(saved: SavedTensors): void;
  dispose(): void;
}

/** The parts of a plan that are the method's own. */
export function methodStateOf(method: Pick<ExperimentPlan, 'labels' | 'dispose'> & Checkpointable) {
  return {
    labels: () => method.labels(),
    stateTensors: () => method.stateTensors(),
    loadState: (saved: SavedTensors) => method.loadState(saved),
    checkpointTensors: () => checkpointTensors(method),
    loadCheckpoint: (saved: SavedTensors) => loadCheckpoint(method, saved),
    dispose: () => method.dispose(),
  };
}
