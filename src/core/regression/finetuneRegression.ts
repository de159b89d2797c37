// The fine-tuning baseline on sine-wave regression, the "pretrained" model of the MAML paper
// (section 5.1): one MLP trained to regress all tasks jointly (each step: the MSE over every point
// of a batch of tasks, Adam), then, per test task, fine-tuned by plain SGD on its K support points.
// Since the phases vary, the jointly trained model learns roughly the mean function, which is why
// a few steps of fine-tuning from it do poorly: the point of the paper's comparison.
import * as tf from '@tensorflow/tfjs';
import type { MethodLabels } from '../methods/method';
import { disposeTensors } from '../nn/params';
import { Rng } from '../rng';
import { column, disposePoints, meanSquaredError, SgdMlpRegressor } from './regressionLearner';
import type { RegressionMethod, RegressionMethodSpec, RegressionStepMetrics } from './regressionMethod';
import { REGRESSION_FINETUNE_INFO, type RegressionFineTuneHyperparameters } from './finetuneRegressionInfo';
import type { RegressionTask } from './sinusoid';
import { learningRateAdvice, type DivergenceAdvice } from '../methods/divergenceAdvice';

export interface RegressionFineTuneConfig extends RegressionFineTuneHyperparameters {
  seed: number;
}

/** All points of the tasks (support and query) in one column pair. */
function allPoints(tasks: RegressionTask[]): { x: Float32Array; y: Float32Array } {
  const parts = tasks.flatMap((t) => [t.support, t.query]);
  const total = parts.reduce((n, p) => n + p.count, 0);
  const x = new Float32Array(total);
  const y = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    x.set(p.x, offset);
    y.set(p.y, offset);
    offset += p.count;
  }
  return { x, y };
}

export class RegressionFineTune extends SgdMlpRegressor implements RegressionMethod {
  readonly name = 'finetune';

  constructor(readonly config: RegressionFineTuneConfig) {
    super(new Rng(config.seed));
  }

  /** The MAML paper compares against this baseline after 10 fine-tuning steps. */
  protected get adaptationSteps(): number {
    return 10;
  }

  protected get adaptLearningRate(): number {
    return this.config.adaptLearningRate;
  }

  labels(): MethodLabels {
    return { pretraining: 'joint regression over all training tasks', adaptLearningRate: this.config.adaptLearningRate };
  }

  divergenceAdvice(): DivergenceAdvice {
    return learningRateAdvice('pre-training learning rate', this.config.learningRate);
  }

  async trainStep(tasks: RegressionTask[], step: number): Promise<RegressionStepMetrics> {
    void step;
    if (tasks.length === 0) throw new Error('Fine-tuning baseline trainStep needs at least one task.');
    const { x, y } = allPoints(tasks);
    const points = { x: column(x), y: column(y) };
    const names = Object.keys(this.params);
    try {
      const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) =>
        meanSquaredError(Object.fromEntries(names.map((n, i) => [n, values[i]])), points),
      )(names.map((n) => this.params[n]));
      const loss = (await value.data())[0];
      value.dispose();
      const named = Object.fromEntries(names.map((n, i) => [n, grads[i]]));
      // A non-finite loss would poison every weight: keep the last good ones.
      if (Number.isFinite(loss)) this.optimizer.apply(this.params, named, this.config.learningRate);
      disposeTensors(named);
      return { loss, learningRate: this.config.learningRate };
    } finally {
      disposePoints(points);
    }
  }
}

export const REGRESSION_FINETUNE_SPEC: RegressionMethodSpec<RegressionFineTuneHyperparameters> = {
  ...REGRESSION_FINETUNE_INFO,
  create: (hyper, seed) => new RegressionFineTune({ ...hyper, seed }),
};
