// Model-Agnostic Meta-Learning (Finn, Abbeel & Levine 2017) on the Conv-4 backbone plus a linear
// output layer, second order (the true meta-gradient through the inner SGD steps) and first order
// (FOMAML: the inner gradients are treated as constants, so the meta-gradient is the query-loss
// gradient at the adapted parameters).
//
// Per task: S SGD steps of size alpha on the support loss from the meta-parameters (all of them:
// conv kernels, batch-norm scale and shift, output layer), then the query loss at the adapted
// parameters. The meta-gradient is averaged over the tasks of the batch and applied with Adam.
// Tasks are differentiated one at a time and their gradients summed, so memory holds one task's
// graph at a time whatever the meta-batch. At test time the same SGD runs for `testInnerSteps`.
//
// Batch norm always uses batch statistics inside the inner loop (the support set's). What
// normalises the QUERIES is a setting, used alike in meta-training and at test time:
// - 'support' (default, non-transductive): the support set's statistics under the adapted
//   parameters. A query's prediction depends only on the support set and that query, and no
//   statistics collected at the meta-parameters are applied to adapted weights they no longer
//   describe. This is MetaBN in Bronskill et al. 2020 (TaskNorm), who found it close to the
//   transductive mode, whereas running averages (conventional batch norm) work poorly with MAML.
// - 'batch' (transductive, the paper's reference code): the statistics of the query batch itself,
//   so each prediction depends on the other queries it is evaluated with.
//
// Second order needs gradients tfjs 4.22 lacks or gets wrong; nn/gradients registers them
// (tests/unit/secondOrder.test.ts checks the meta-gradient against finite differences).
import * as tf from '@tensorflow/tfjs';
import type { Episode, LabeledImages } from '../episodes/episode';
import { Adam } from '../nn/adam';
import { GradientSum } from '../nn/gradientSum';
import { conv4Forward, initConv4, type Conv4Config } from '../nn/conv4';
import { registerSecondOrderGradients } from '../nn/gradients';
import { assignNamed, cloneTensors, disposeTensors, type NamedTensors, type SavedTensors } from '../nn/params';
import { Rng } from '../rng';
import { imagesTensor, meanCrossEntropy } from './common';
import type { AdaptationTask } from './adaptationTask';
import { adaptParameters } from './innerLoop';
import { lossAfterAdaptation, mamlMetaGradient } from './mamlMetaGradient';
import { HEAD_KERNEL, learnerProbabilities, logitsOf, predictLogits, supportStatistics } from './conv4Learner';
import { stepwiseAdaptation } from './stepwise';
import { LazyHead } from './lazyHead';
import type { Adaptation, FewShotMethod, MethodLabels, MethodSpec, StepMetrics } from './method';
import { FOMAML_INFO, MAML_DEFAULTS, MAML_INFO, type MamlHyperparameters } from './mamlInfo';
import type { QueryNormalisation } from './methodInfo';
import { mamlAdvice, type DivergenceAdvice } from './divergenceAdvice';
import { adamTrainingState, loadAdamTrainingState } from './checkpoint';

/** Which statistics normalise the queries (see the file comment). */
export type MamlQueryNormalisation = QueryNormalisation;

export interface MamlConfig extends MamlHyperparameters {
  backbone: Conv4Config;
  /** True: MAML (differentiates through the inner steps); false: first-order MAML. */
  secondOrder: boolean;
  seed: number;
}

/** One episode as tensors (made once per episode, outside any gradient tape). */
export interface MamlTask {
  way: number;
  support: tf.Tensor4D;
  supportLabels: tf.Tensor1D;
  query: tf.Tensor4D;
  queryLabels: tf.Tensor1D;
}

export function taskTensors(episode: Episode): MamlTask {
  return {
    way: episode.way,
    support: imagesTensor(episode.support),
    supportLabels: tf.tensor1d(episode.support.labels, 'int32'),
    query: imagesTensor(episode.query),
    queryLabels: tf.tensor1d(episode.query.labels, 'int32'),
  };
}

export function disposeTask(task: MamlTask): void {
  tf.dispose([task.support, task.supportLabels, task.query, task.queryLabels]);
}

/** The settings that define one task's meta-objective. */
export type MamlObjective = Pick<MamlConfig, 'innerSteps' | 'innerLearningRate' | 'batchNormAtTest'>;

/** Support-set loss with the support set's batch statistics (the inner loop's objective). */
function supportLoss(params: NamedTensors, images: tf.Tensor4D, labels: tf.Tensor1D, way: number): tf.Scalar {
  const embeddings = conv4Forward(params, images, { batchNorm: 'batch' });
  return meanCrossEntropy(logitsOf(params, embeddings), labels, way);
}

/** SGD on the task's support set from `params` (new tensors; differentiable under a tape). */
/** An episode as MAML's algorithm sees it: support cross-entropy, and query loss and hits. */
export function imageAdaptationTask(task: MamlTask, normalisation: MamlQueryNormalisation): AdaptationTask {
  return {
    supportLoss: (p) => supportLoss(p, task.support, task.supportLabels, task.way),
    queryObjective: (adapted) => {
      const stats = normalisation === 'support' ? supportStatistics(adapted, task.support) : null;
      const logits = predictLogits(adapted, task.query, stats);
      const loss = meanCrossEntropy(logits, task.queryLabels, task.way);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), task.queryLabels), 'float32')) as tf.Scalar;
      return { loss, hits };
    },
  };
}

/**
 * MAML's objective for one task: the query loss after `innerSteps` SGD steps on the support set
 * from `params`. Under a gradient tape its gradient is the exact (second-order) meta-gradient.
 */
export function postAdaptationLoss(params: NamedTensors, task: MamlTask, objective: MamlObjective): { loss: tf.Scalar; hits: tf.Scalar } {
  return lossAfterAdaptation(params, imageAdaptationTask(task, objective.batchNormAtTest), objective);
}

/**
 * One task's post-adaptation query loss, hit count and meta-gradient by name: exact (through the
 * inner steps) when `secondOrder`, else first-order MAML's (the query-loss gradient at the adapted
 * parameters). The caller disposes everything returned.
 */
export function taskMetaGradient(
  params: NamedTensors,
  task: MamlTask,
  objective: MamlObjective & { secondOrder: boolean },
): { loss: tf.Scalar; hits: tf.Scalar; grads: NamedTensors } {
  return mamlMetaGradient(params, imageAdaptationTask(task, objective.batchNormAtTest), objective);
}

function checkConfig(config: MamlConfig): void {
  const problems: string[] = [];
  for (const key of ['innerSteps', 'testInnerSteps'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) problems.push(`${key} must be a whole number >= 0, got ${config[key]}.`);
  }
  if (!(config.innerLearningRate >= 0) || !Number.isFinite(config.innerLearningRate)) {
    problems.push(`innerLearningRate must be a number >= 0, got ${config.innerLearningRate}.`);
  }
  if (!(config.learningRate > 0) || !Number.isFinite(config.learningRate)) {
    problems.push(`learningRate must be a number > 0, got ${config.learningRate}.`);
  }
  if (config.batchNormAtTest !== 'support' && config.batchNormAtTest !== 'batch') {
    problems.push(`batchNormAtTest must be "support" or "batch", got "${config.batchNormAtTest}".`);
  }
  if (problems.length > 0) throw new Error(`MAML settings: ${problems.join(' ')}`);
}

export class Maml implements FewShotMethod {
  readonly name: 'maml' | 'fomaml';
  private params: NamedTensors;
  private optimizer = new Adam();
  /** The output layer, made on the first episode. */
  private readonly head: LazyHead;

  constructor(readonly config: MamlConfig) {
    checkConfig(config);
    registerSecondOrderGradients();
    this.name = config.secondOrder ? 'maml' : 'fomaml';
    const rng = new Rng(config.seed);
    this.params = initConv4(config.backbone, rng);
    this.head = new LazyHead(() => this.params, '', config.backbone, rng.derive('maml-head').nextUint32(), 'MAML');
  }

  divergenceAdvice(step: number): DivergenceAdvice {
    return mamlAdvice(this.config.innerLearningRate, this.config.learningRate, step, MAML_DEFAULTS);
  }

  labels(): MethodLabels {
    const support = this.config.batchNormAtTest === 'support';
    return {
      batchNormAtTest: support ? 'support' : 'batch',
      batchNormStatistics: support ? 'support set (non-transductive)' : 'query batch (transductive)',
      order: this.config.secondOrder ? 'second' : 'first',
      testInnerSteps: this.config.testInnerSteps,
    };
  }

  /** The number of classes the output layer was made for, or null before the first episode. */
  get way(): number | null {
    return this.head.way;
  }

  async trainStep(episodes: Episode[], step: number): Promise<StepMetrics> {
    void step; // no schedule: the paper keeps Adam's step size constant
    if (episodes.length === 0) throw new Error('MAML.trainStep needs at least one episode.');
    const way = episodes[0].way;
    if (episodes.some((e) => e.way !== way)) {
      throw new Error('Every episode of a MAML meta-batch must have the same number of classes (the output layer has one width).');
    }
    this.head.ensure(way);
    const sum = new GradientSum();
    let lossSum = 0;
    let hitSum = 0;
    let queries = 0;
    try {
      for (const episode of episodes) {
        const task = taskTensors(episode);
        try {
          const r = taskMetaGradient(this.params, task, this.config);
          const [lossValue, hitValue] = await Promise.all([r.loss.data(), r.hits.data()]);
          tf.dispose([r.loss, r.hits]);
          lossSum += lossValue[0];
          hitSum += hitValue[0];
          queries += episode.query.count;
          sum.add(r.grads);
        } finally {
          disposeTask(task);
        }
      }
      // A non-finite loss or meta-gradient would poison every weight: skip the update so the last
      // good parameters stay, and report a non-finite loss so the training loop stops with advice.
      const mean = await sum.mean();
      const loss = mean === null ? Number.NaN : lossSum / episodes.length;
      if (mean !== null && Number.isFinite(loss)) this.optimizer.apply(this.params, mean, this.config.learningRate);
      disposeTensors(mean ?? undefined);
      return { loss, accuracy: hitSum / queries, learningRate: this.config.learningRate };
    } finally {
      sum.dispose();
    }
  }

  /**
   * Plain SGD on the support set from a copy of the meta-learned parameters, one step at a time
   * (testInnerSteps at test time), the queries normalised as in training (batchNormAtTest).
   */
  async startAdaptation(support: LabeledImages, way: number): Promise<Adaptation> {
    this.head.ensure(way);
    const supportImages = imagesTensor(support);
    const supportLabels = tf.tensor1d(support.labels, 'int32');
    const { testInnerSteps, innerLearningRate, batchNormAtTest } = this.config;
    const loss = (p: NamedTensors) => supportLoss(p, supportImages, supportLabels, way);
    return stepwiseAdaptation({
      initial: cloneTensors(this.params),
      steps: testInnerSteps,
      next: (p: NamedTensors) => tf.tidy(() => adaptParameters(p, loss, 1, innerLearningRate)),
      predict: (p, images: LabeledImages) => learnerProbabilities(p, images, supportImages, batchNormAtTest),
      disposeState: (p) => disposeTensors(p),
      disposeShared: () => tf.dispose([supportImages, supportLabels]),
    });
  }

  stateTensors(): NamedTensors {
    const out: NamedTensors = {};
    for (const [n, t] of Object.entries(this.params)) out[`params/${n}`] = t;
    return out;
  }

  loadState(saved: SavedTensors): void {
    this.head.loadWith(saved, `params/${HEAD_KERNEL}`, () => assignNamed(this.params, saved, 'params/'));
    // Adam's moments belong to the parameters they were collected on.
    this.optimizer.dispose();
    this.optimizer = new Adam();
  }

  /**
   * Adam's moments and step count. The output layer is in the learnable state and made from the
   * seed, so nothing else carries over between steps.
   */
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

export const MAML_SPEC: MethodSpec<MamlHyperparameters> = {
  ...MAML_INFO,
  create: ({ backbone }, hyper, seed) => new Maml({ ...hyper, backbone, seed, secondOrder: true }),
};

export const FOMAML_SPEC: MethodSpec<MamlHyperparameters> = {
  ...FOMAML_INFO,
  create: ({ backbone }, hyper, seed) => new Maml({ ...hyper, backbone, seed, secondOrder: false }),
};
