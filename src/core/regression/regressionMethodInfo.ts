// The shape of a sine-wave regression method's tfjs-free description (its <name>RegressionInfo.ts
// file beside the implementation): an image method's description with a meta-batch it always
// states. Imports nothing that loads tfjs, not even types.
import type { HyperparameterInfo, Hyperparameters, MethodInfo } from '../methods/methodInfo';

export interface RegressionMethodInfo<H extends Hyperparameters = Hyperparameters> extends MethodInfo<H> {
  /** Tasks per training step when the user does not say (the paper: 25 for MAML). */
  metaBatch: number;
}

/** The outer Adam step size's label and hint, shared by the meta-learners. */
export const META_LEARNING_RATE: HyperparameterInfo = { label: 'Meta learning rate', hint: 'Adam step size on the meta-parameters (paper: 0.001).', min: 1e-6, max: 1 };
