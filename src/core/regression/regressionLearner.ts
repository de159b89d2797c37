// The learner shared by the regression methods: an MLP on 1-D inputs with mean squared error,
// tasks as AdaptationTasks (so methods/mamlMetaGradient.ts and methods/metaLstmUnroll.ts run on
// it unchanged), and adaptation by plain SGD, one observable step at a time.
import * as tf from '@tensorflow/tfjs';
import type { AdaptationTask } from '../methods/adaptationTask';
import { adaptParameters } from '../methods/innerLoop';
import { mlpForward } from '../nn/mlp';
import { Adam } from '../nn/adam';
import { initMlp, SINE_MLP_SIZES } from '../nn/mlp';
import { assignNamed, cloneTensors, disposeTensors, type NamedTensors, type SavedTensors } from '../nn/params';
import { stepwiseAdaptation, type Adaptation } from '../methods/stepwise';
import type { Rng } from '../rng';
import type { Points } from './sinusoid';
import { adamTrainingState, loadAdamTrainingState } from '../methods/checkpoint';

/** Points of one task ([n, 1] each) or of T tasks stacked ([T, n, 1] each). */
export interface PointTensors {
  x: tf.Tensor2D | tf.Tensor3D;
  y: tf.Tensor2D | tf.Tensor3D;
}

export function column(values: Float32Array): tf.Tensor2D {
  return tf.tensor2d(values, [values.length, 1]);
}

export function pointTensors(points: Points): PointTensors {
  return { x: column(points.x), y: column(points.y) };
}

/** The points of T tasks with equal counts, stacked [T, n, 1]. */
export function stackedPointTensors(list: readonly Points[]): PointTensors {
  const n = list[0].count;
  if (list.some((p) => p.count !== n)) throw new Error('Stacked tasks must all have the same number of points.');
  const x = new Float32Array(list.length * n);
  const y = new Float32Array(list.length * n);
  list.forEach((p, t) => {
    x.set(p.x, t * n);
    y.set(p.y, t * n);
  });
  return { x: tf.tensor3d(x, [list.length, n, 1]), y: tf.tensor3d(y, [list.length, n, 1]) };
}

export function disposePoints(points: PointTensors): void {
  tf.dispose([points.x, points.y]);
}

export function meanSquaredError(params: NamedTensors, points: PointTensors): tf.Scalar {
  return tf.mean(tf.square(tf.sub(mlpForward(params, points.x), points.y))) as tf.Scalar;
}

/**
 * A task for the gradient-based meta-learners: adapt on the support MSE, judged by the query MSE.
 * With `tasks` > 1 the points are stacked [T, n, 1] and the parameters tiled (tileParameters): the
 * support loss is the SUM of the tasks' MSEs, so each copy's gradient is its own task's gradient,
 * and the query objective is their mean.
 */
export function regressionAdaptationTask(support: PointTensors, query: PointTensors, tasks = 1): AdaptationTask {
  return {
    supportLoss: (p) => (tasks === 1 ? meanSquaredError(p, support) : tf.mul(meanSquaredError(p, support), tasks)),
    queryObjective: (adapted) => ({ loss: meanSquaredError(adapted, query), hits: tf.scalar(0) }),
  };
}

/** The learner's outputs at inputs `x`. */
export async function outputsAt(params: NamedTensors, x: Float32Array): Promise<Float32Array> {
  const out = tf.tidy(() => mlpForward(params, column(x)));
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** Plain SGD of step size `learningRate` on the support MSE, one step at a time, from a copy of `initial`. */
export function sgdAdaptation(initial: NamedTensors, support: Points, learningRate: number, steps: number): Adaptation<Float32Array> {
  const points = pointTensors(support);
  return stepwiseAdaptation<NamedTensors, Float32Array>({
    initial: cloneTensors(initial),
    steps,
    next: (from) => tf.tidy(() => adaptParameters(from, (p) => meanSquaredError(p, points), 1, learningRate)),
    predict: outputsAt,
    disposeState: (p) => disposeTensors(p),
    disposeShared: () => disposePoints(points),
  });
}

/**
 * State shared by the methods whose learner is one MLP adapted by plain SGD (MAML, the fine-tuning
 * baseline): the parameters under "params/...", Adam, fitting with `adaptLearningRate`.
 */
export abstract class SgdMlpRegressor {
  protected params: NamedTensors;
  protected optimizer = new Adam();

  constructor(rng: Rng) {
    this.params = initMlp(SINE_MLP_SIZES, rng);
  }

  /** SGD step size when adapting to a task's support points. */
  protected abstract get adaptLearningRate(): number;

  /** SGD steps it takes when adapting at test time. */
  protected abstract get adaptationSteps(): number;

  async startAdaptation(support: Points): Promise<Adaptation<Float32Array>> {
    return sgdAdaptation(this.params, support, this.adaptLearningRate, this.adaptationSteps);
  }

  stateTensors(): NamedTensors {
    const out: NamedTensors = {};
    for (const [n, t] of Object.entries(this.params)) out[`params/${n}`] = t;
    return out;
  }

  loadState(saved: SavedTensors): void {
    assignNamed(this.params, saved, 'params/');
    // Adam's moments belong to the parameters they were collected on.
    this.optimizer.dispose();
    this.optimizer = new Adam();
  }

  /** Adam's moments and step count: all that carries over between training steps. */
  trainingStateTensors(): NamedTensors {
    return adamTrainingState(this.optimizer);
  }

  loadTrainingState(saved: SavedTensors): void {
    loadAdamTrainingState(this.optimizer, saved, this.params);
  }

  dispose(): void {
    disposeTensors(this.params);
    this.params = {};
    this.optimizer.dispose();
  }
}
