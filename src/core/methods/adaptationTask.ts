// One task as the gradient-based meta-learners see it, whatever the model: a loss of named
// parameters to adapt on (the support set's) and the meta-objective at adapted parameters (the
// queries'). MAML and the LSTM meta-learner are written against this, so the same algorithm code
// adapts a Conv-4 image classifier and a sine-wave regression MLP (learn2learn's split between
// the algorithm and the model it wraps).
import type * as tf from '@tensorflow/tfjs';
import type { NamedTensors } from '../nn/params';

export type ParameterLoss = (params: NamedTensors) => tf.Scalar;

export interface AdaptationTask {
  /** The loss adaptation minimises: the support set's. */
  supportLoss: ParameterLoss;
  /**
   * The meta-objective at adapted parameters (the query loss) and a count reported with it:
   * correct queries for classification, 0 where there is nothing to count.
   */
  queryObjective(adapted: NamedTensors): { loss: tf.Scalar; hits: tf.Scalar };
}
