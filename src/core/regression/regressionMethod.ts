// The interface every method of the sine-wave regression family implements (MAML and first-order
// MAML, the fine-tuning baseline, the LSTM meta-learner), the regression counterpart of
// methods/method.ts: meta-train on batches of tasks, then fit a task's support points and report
// the model's outputs after each number of adaptation steps (for the evaluation's "MSE after 1 and
// 10 steps" and for the playground's plot of the fit after 0, 1, ... steps).
import type { MethodLabels } from '../methods/method';
import type { DivergenceAdvice } from '../methods/divergenceAdvice';
import type { NamedTensors, SavedTensors } from '../nn/params';
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
   * Adapts to `support` and returns the model's outputs at `x` after each number of adaptation
   * steps listed in `steps` (0 = before adapting), in the order given.
   */
  fit(support: Points, x: Float32Array, steps: readonly number[]): Promise<Float32Array[]>;
  labels(): MethodLabels;
  /** What to change when training diverges, naming the learning rate(s) involved. */
  divergenceAdvice(step: number): DivergenceAdvice;
  stateTensors(): NamedTensors;
  loadState(saved: SavedTensors): void;
  dispose(): void;
}
