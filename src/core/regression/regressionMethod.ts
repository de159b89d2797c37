// The interface every method of the sine-wave regression family implements (MAML and first-order
// MAML, the fine-tuning baseline, the LSTM meta-learner), the regression counterpart of
// methods/method.ts: meta-train on batches of tasks, then adapt to a task's support points in
// observable steps (the evaluation's "MSE after 1 and 10 steps", the plot of the fit after 0, 1, ...).
import type { MethodLabels } from '../methods/method';
import type { DivergenceAdvice } from '../methods/divergenceAdvice';
import type { NamedTensors, SavedTensors } from '../nn/params';
import { observeSteps, type Adaptation } from '../methods/stepwise';
import type { Hyperparameters } from '../methods/methodInfo';
import type { RegressionMethodInfo } from './regressionMethodInfo';
import type { Points, RegressionTask } from './sinusoid';

export interface RegressionStepMetrics {
  /** Mean squared error on the query points after adaptation (the meta-objective), averaged over the tasks. */
  loss: number;
  learningRate: number;
}

export interface RegressionMethod {
  readonly name: string;
  trainStep(tasks: RegressionTask[], step: number): Promise<RegressionStepMetrics>;
  /**
   * Starts adapting to a task's support points from a copy of the method's current state; the
   * caller takes the steps and predicts the outputs at any inputs (stepwise.ts).
   */
  startAdaptation(support: Points): Promise<Adaptation<Float32Array>>;
  labels(): MethodLabels;
  /** What to change when training diverges, naming the learning rate(s) involved. */
  divergenceAdvice(step: number): DivergenceAdvice;
  /** Learnable state as named tensors; the method keeps ownership. */
  stateTensors(): NamedTensors;
  /** Restores state saved from `stateTensors`; the training state (the optimiser) starts afresh. */
  loadState(saved: SavedTensors): void;
  /** The training state a checkpoint adds (as for images: methods/method.ts, methods/checkpoint.ts). */
  trainingStateTensors?(): NamedTensors;
  /** Restores a training state saved from `trainingStateTensors`, after `loadState`. */
  loadTrainingState?(saved: SavedTensors): void;
  dispose(): void;
}

/**
 * The outputs at `x` after each number of adaptation steps in `steps` (0 = before adapting), in
 * the order given, from one adaptation to `support`; the method is left unchanged.
 */
export async function outputsAfterSteps(method: RegressionMethod, support: Points, x: Float32Array, steps: readonly number[]): Promise<Float32Array[]> {
  const adaptation = await method.startAdaptation(support);
  try {
    return await observeSteps(adaptation, steps, (a) => a.predict(x));
  } finally {
    adaptation.dispose();
  }
}

/**
 * A regression method's description with the function that creates it, typed by its
 * hyperparameters H (resolved and checked before `create` sees them). Each implementation file
 * defines its spec as { ...<NAME>_INFO, create }.
 */
export interface RegressionMethodSpec<H extends Hyperparameters = Hyperparameters> extends RegressionMethodInfo<H> {
  create(hyper: H, seed: number): RegressionMethod;
}
