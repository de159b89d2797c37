// MAML and first-order MAML on sine-wave regression (Finn et al. 2017, section 5.1): the MLP's
// meta-parameters are adapted by `innerSteps` SGD steps of size alpha on each task's K support
// points, the query MSE after adaptation is the meta-objective, and Adam minimises its mean over
// the meta-batch. The meta-gradient is methods/mamlMetaGradient.ts, the same code as for images.
import * as tf from '@tensorflow/tfjs';
import { mamlMetaGradient } from '../methods/mamlMetaGradient';
import type { MethodLabels } from '../methods/method';
import { registerSecondOrderGradients } from '../nn/gradients';
import { GradientSum } from '../nn/gradientSum';
import { tileParameters } from '../nn/mlp';
import { disposeTensors, type NamedTensors } from '../nn/params';
import { Rng } from '../rng';
import { disposePoints, regressionAdaptationTask, SgdMlpRegressor, stackedPointTensors } from './regressionLearner';
import type { RegressionMethod, RegressionMethodSpec, RegressionStepMetrics } from './regressionMethod';
import { REGRESSION_FOMAML_INFO, REGRESSION_MAML_DEFAULTS, REGRESSION_MAML_INFO, type RegressionMamlHyperparameters } from './mamlRegressionInfo';
import type { RegressionTask } from './sinusoid';
import { mamlAdvice, type DivergenceAdvice } from '../methods/divergenceAdvice';

export interface RegressionMamlConfig extends RegressionMamlHyperparameters {
  secondOrder: boolean;
  seed: number;
}

export class RegressionMaml extends SgdMlpRegressor implements RegressionMethod {
  readonly name: 'maml' | 'fomaml';

  constructor(readonly config: RegressionMamlConfig) {
    super(new Rng(config.seed));
    if (!Number.isInteger(config.innerSteps) || config.innerSteps < 0) {
      this.dispose();
      throw new Error(`MAML settings: innerSteps must be a whole number >= 0, got ${config.innerSteps}.`);
    }
    registerSecondOrderGradients();
    this.name = config.secondOrder ? 'maml' : 'fomaml';
  }

  /** Test-time adaptation uses the inner loop's step size, as in the paper. */
  protected get adaptationSteps(): number {
    return this.config.innerSteps;
  }

  protected get adaptLearningRate(): number {
    return this.config.innerLearningRate;
  }

  labels(): MethodLabels {
    return { order: this.config.secondOrder ? 'second' : 'first', innerLearningRate: this.config.innerLearningRate };
  }

  divergenceAdvice(step: number): DivergenceAdvice {
    return mamlAdvice(this.config.innerLearningRate, this.config.learningRate, step, REGRESSION_MAML_DEFAULTS);
  }

  async trainStep(tasks: RegressionTask[], step: number): Promise<RegressionStepMetrics> {
    void step; // constant Adam step size, as in the paper
    if (tasks.length === 0) throw new Error('MAML.trainStep needs at least one task.');
    // All tasks of the batch adapt at once: T tiled copies of the meta-parameters, batched ops.
    const support = stackedPointTensors(tasks.map((t) => t.support));
    const query = stackedPointTensors(tasks.map((t) => t.query));
    const tiled = tf.tidy(() => tileParameters(this.params, tasks.length));
    const sum = new GradientSum();
    try {
      const r = mamlMetaGradient(tiled, regressionAdaptationTask(support, query, tasks.length), this.config);
      const loss = (await r.loss.data())[0];
      tf.dispose([r.loss, r.hits]);
      // The meta-gradient of the originals is the sum over their copies.
      sum.add(tf.tidy(() => {
        const out: NamedTensors = {};
        for (const [n, g] of Object.entries(r.grads)) out[n] = tf.reshape(tf.sum(g, 0), this.params[n].shape);
        return out;
      }));
      disposeTensors(r.grads);
      const mean = await sum.mean();
      // Non-finite loss or gradient: no update, so the last good parameters stay.
      if (mean === null || !Number.isFinite(loss)) {
        disposeTensors(mean ?? undefined);
        return { loss: Number.NaN, learningRate: this.config.learningRate };
      }
      this.optimizer.apply(this.params, mean, this.config.learningRate);
      disposeTensors(mean);
      return { loss, learningRate: this.config.learningRate };
    } finally {
      sum.dispose();
      disposeTensors(tiled);
      disposePoints(support);
      disposePoints(query);
    }
  }
}

export const REGRESSION_MAML_SPEC: RegressionMethodSpec<RegressionMamlHyperparameters> = {
  ...REGRESSION_MAML_INFO,
  create: (hyper, seed) => new RegressionMaml({ ...hyper, secondOrder: true, seed }),
};

export const REGRESSION_FOMAML_SPEC: RegressionMethodSpec<RegressionMamlHyperparameters> = {
  ...REGRESSION_FOMAML_INFO,
  create: (hyper, seed) => new RegressionMaml({ ...hyper, secondOrder: false, seed }),
};
