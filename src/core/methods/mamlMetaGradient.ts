// MAML's meta-gradient of one task for any model (an AdaptationTask): second order differentiates
// through the inner SGD steps, first order (FOMAML) takes the query-loss gradient at the adapted
// parameters. The method wrappers (maml.ts for images, regression/ for sine waves) only build tasks.
import * as tf from '@tensorflow/tfjs';
import { disposeTensors, type NamedTensors } from '../nn/params';
import type { AdaptationTask } from './adaptationTask';
import { adaptParameters, byName } from './innerLoop';

export interface InnerLoopSettings {
  innerSteps: number;
  innerLearningRate: number;
}

/**
 * The query objective after `innerSteps` SGD steps on the support loss from `params`. Under a
 * gradient tape its gradient is the exact (second-order) meta-gradient.
 */
export function lossAfterAdaptation(
  params: NamedTensors,
  task: AdaptationTask,
  settings: InnerLoopSettings,
): { loss: tf.Scalar; hits: tf.Scalar } {
  const adapted = adaptParameters(params, task.supportLoss, settings.innerSteps, settings.innerLearningRate);
  return task.queryObjective(adapted);
}

/**
 * One task's post-adaptation loss, hit count and meta-gradient by name: exact (through the inner
 * steps) when `secondOrder`, else first-order MAML's. The caller disposes everything returned.
 */
export function mamlMetaGradient(
  params: NamedTensors,
  task: AdaptationTask,
  settings: InnerLoopSettings & { secondOrder: boolean },
): { loss: tf.Scalar; hits: tf.Scalar; grads: NamedTensors } {
  const names = Object.keys(params);
  const kept: { hits?: tf.Scalar } = {};
  if (settings.secondOrder) {
    // The inner steps run under this tape, so their gradients are differentiated too.
    const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
      const r = lossAfterAdaptation(byName(names, values), task, settings);
      kept.hits = tf.keep(r.hits);
      return r.loss;
    })(names.map((n) => params[n]));
    return { loss: value as tf.Scalar, hits: kept.hits!, grads: byName(names, grads) };
  }
  // First order: adapt outside any tape (inner gradients are plain values), then differentiate
  // the query objective at the adapted parameters.
  const adapted = tf.tidy(() => adaptParameters(params, task.supportLoss, settings.innerSteps, settings.innerLearningRate));
  try {
    const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
      const r = task.queryObjective(byName(names, values));
      kept.hits = tf.keep(r.hits);
      return r.loss;
    })(names.map((n) => adapted[n]));
    return { loss: value as tf.Scalar, hits: kept.hits!, grads: byName(names, grads) };
  } finally {
    disposeTensors(adapted);
  }
}
