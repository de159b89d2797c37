// The LSTM meta-learner (Ravi & Larochelle 2017) on sine-wave regression: the coordinate-wise LSTM
// of methods/metaLstmCell.ts updates the MLP's parameters T times on a task's support MSE, from
// learned initial parameters, and is meta-trained on the query MSE after the T updates (the
// paper's dropped second derivative through the learner's gradient, as for images; see
// methods/metalstm.ts). At test the LSTM may run more or fewer updates than it was trained for;
// the results are labelled with the T it was trained with.
import * as tf from '@tensorflow/tfjs';
import { LEARNER, META, withPrefix } from '../methods/metalstm';
import { initMetaLearner } from '../methods/metaLstmCell';
import { flattenParameters, layoutOf, metaLearnerAdaptation, updatesMetaGradient } from '../methods/metaLstmUnroll';
import type { MethodLabels } from '../methods/method';
import { Adam } from '../nn/adam';
import { GradientSum } from '../nn/gradientSum';
import { initMlp, SINE_MLP_SIZES } from '../nn/mlp';
import { assignNamed, disposeTensors, type NamedTensors, type SavedTensors } from '../nn/params';
import { Rng } from '../rng';
import { disposePoints, meanSquaredError, outputsAt, pointTensors, regressionAdaptationTask } from './regressionLearner';
import type { Adaptation } from '../methods/stepwise';
import type { RegressionMethod, RegressionMethodSpec, RegressionStepMetrics } from './regressionMethod';
import { REGRESSION_METALSTM_INFO, type RegressionMetaLstmHyperparameters } from './metalstmRegressionInfo';
import type { Points, RegressionTask } from './sinusoid';
import { metaLstmAdvice, type DivergenceAdvice } from '../methods/divergenceAdvice';
import { adamTrainingState, loadAdamTrainingState } from '../methods/checkpoint';

export interface RegressionMetaLstmConfig extends RegressionMetaLstmHyperparameters {
  seed: number;
}

export class RegressionMetaLstm implements RegressionMethod {
  readonly name = 'metalstm';
  /** theta_0 under "learner/..." and the meta-learner's weights under "metaLearner/...". */
  private weights: NamedTensors = {};
  private optimizer = new Adam();

  constructor(readonly config: RegressionMetaLstmConfig) {
    if (!Number.isInteger(config.updates) || config.updates < 0) {
      throw new Error(`Meta-LSTM settings: updates must be a whole number >= 0, got ${config.updates}.`);
    }
    const rng = new Rng(config.seed);
    for (const [n, t] of Object.entries(initMlp(SINE_MLP_SIZES, rng))) this.weights[LEARNER + n] = t;
    for (const [n, t] of Object.entries(initMetaLearner(config.hiddenSize, rng.derive('meta-lstm')))) this.weights[META + n] = t;
  }

  labels(): MethodLabels {
    return { updates: this.config.updates };
  }

  divergenceAdvice(): DivergenceAdvice {
    return metaLstmAdvice(this.config.learningRate, this.config.gradientClip);
  }

  async trainStep(tasks: RegressionTask[], step: number): Promise<RegressionStepMetrics> {
    void step;
    if (tasks.length === 0) throw new Error('Meta-LSTM trainStep needs at least one task.');
    const learner = withPrefix(this.weights, LEARNER);
    const meta = withPrefix(this.weights, META);
    const sum = new GradientSum();
    let lossSum = 0;
    try {
      for (const task of tasks) {
        const support = pointTensors(task.support);
        const query = pointTensors(task.query);
        try {
          const r = updatesMetaGradient(learner, meta, regressionAdaptationTask(support, query), this.config.updates);
          lossSum += (await r.loss.data())[0];
          tf.dispose([r.loss, r.hits]);
          const grads: NamedTensors = {};
          for (const [n, g] of Object.entries(r.learnerGradients)) grads[LEARNER + n] = g;
          for (const [n, g] of Object.entries(r.metaGradients)) grads[META + n] = g;
          sum.add(grads);
        } finally {
          disposePoints(support);
          disposePoints(query);
        }
      }
      const mean = await sum.mean(this.config.gradientClip);
      const loss = mean === null ? Number.NaN : lossSum / tasks.length;
      if (mean !== null && Number.isFinite(loss)) this.optimizer.apply(this.weights, mean, this.config.learningRate);
      disposeTensors(mean ?? undefined);
      return { loss, learningRate: this.config.learningRate };
    } finally {
      sum.dispose();
    }
  }

  /** The MLP adapted by the meta-learner from the learned theta_0, one update per step (T at test time). */
  async startAdaptation(support: Points): Promise<Adaptation<Float32Array>> {
    const learner = withPrefix(this.weights, LEARNER);
    const layout = layoutOf(learner);
    const points = pointTensors(support);
    const initial = tf.tidy(() => flattenParameters(learner, layout));
    try {
      return metaLearnerAdaptation<Float32Array>({
        meta: withPrefix(this.weights, META),
        initial,
        layout,
        supportLoss: (p) => meanSquaredError(p, points),
        steps: this.config.updates,
        predict: outputsAt,
        disposeShared: () => disposePoints(points),
      });
    } finally {
      initial.dispose();
    }
  }

  stateTensors(): NamedTensors {
    return { ...this.weights };
  }

  loadState(saved: SavedTensors): void {
    assignNamed(this.weights, saved);
    this.optimizer.dispose();
    this.optimizer = new Adam();
  }

  /** Adam's moments and step count (over theta_0 and the meta-learner's weights alike). */
  trainingStateTensors(): NamedTensors {
    return adamTrainingState(this.optimizer);
  }

  loadTrainingState(saved: SavedTensors): void {
    loadAdamTrainingState(this.optimizer, saved, this.weights);
  }

  dispose(): void {
    disposeTensors(this.weights);
    this.weights = {};
    this.optimizer.dispose();
  }
}

export const REGRESSION_METALSTM_SPEC: RegressionMethodSpec<RegressionMetaLstmHyperparameters> = {
  ...REGRESSION_METALSTM_INFO,
  create: (hyper, seed) => new RegressionMetaLstm({ ...hyper, seed }),
};
