// The LSTM meta-learner of Ravi & Larochelle (2017, "Optimization as a Model for Few-Shot
// Learning") behind the project's method interface. The learner is a Conv-4 plus a linear layer to
// `way` outputs; a coordinate-wise LSTM (metaLstmCell.ts) whose cell state IS the learner's
// parameters replaces SGD: starting from learned initial parameters theta_0 (= c_0), it makes
// `updates` (T) steps c_t = f_t * c_{t-1} - i_t * grad_t on the support set (the whole support set
// each step), and the query loss at c_T is the meta-objective, minimised over the LSTM's weights
// and theta_0 with Adam and gradient clipping by global norm (the authors' code: 0.25).
//
// The meta-gradient, and the second derivative it drops. As in the paper (and the authors' code),
// the learner's gradient grad_t and loss L_t are inputs the meta-gradient does NOT flow through:
// d grad_t / d c_{t-1} (a Hessian term) is dropped. Here that is structural: each grad_t is
// computed by its own tf.valueAndGrads call while the updates are unrolled outside any gradient
// tape, and is then fed to the meta-learner as data. The meta-gradient is reverse-mode through
// the remaining recurrence, run step by step by hand (backpropagateUpdates): only the small
// per-coordinate LSTM states are kept for the T steps (no learner activations), and one step's
// reverse pass (written out by hand, metaLstmBackward.ts) exists at a time, so memory grows with T
// by (2 * hidden + 9) floats per learner parameter per step (state, input rows, gradient) rather
// than by a whole unrolled graph. It equals the gradient of one tape over the unrolled recurrence
// (tests/unit/metalstm.test.ts checks this).
// No derivative of a derivative is ever taken, so tfjs's stock gradients that read saved outputs
// (Sigmoid; TFJS-NOTES.md) are correct here, whether or not nn/gradients has replaced them.
//
// Batch norm. Inside the updates the learner normalises with the support batch's statistics.
// What normalises the QUERIES is a setting, used alike in meta-training and at test time:
// - 'support' (default, non-transductive): the support set's statistics under the final
//   parameters c_T; a query's prediction depends only on the support set and itself. The
//   authors' code is non-transductive at test time too: it normalises test queries with running
//   averages collected over the support-set updates of that episode (reset per episode), though
//   it meta-trains with the query batch's own statistics.
// - 'batch' (transductive): the query batch's own statistics, in training and test.
//
// Sizes: the paper's learner has 32 filters per layer, and so does this method's spec (the other
// methods use 64); the learner is built from MethodContext.backbone. Memory and time go with the number of learner
// parameters (28k with 32 filters on 28x28 images, 112k with 64), so 64 filters cost about four
// times as much as 32 (metalstmBench.ts measures it).
import * as tf from '@tensorflow/tfjs';
import type { Episode, LabeledImages } from '../episodes/episode';
import { Adam } from '../nn/adam';
import { GradientSum } from '../nn/gradientSum';
import { conv4Forward, initConv4, type Conv4Config } from '../nn/conv4';
import { assignNamed, disposeTensors, type NamedTensors, type SavedTensors } from '../nn/params';
import { Rng } from '../rng';
import { imagesTensor, meanCrossEntropy } from './common';
import type { AdaptationTask } from './adaptationTask';
import { initMetaLearner } from './metaLstmCell';
import { flattenParameters, layoutOf, metaLearnerAdaptation, updatesMetaGradient } from './metaLstmUnroll';
import { HEAD_KERNEL, learnerProbabilities, logitsOf, predictLogits, supportStatistics } from './conv4Learner';
import { LazyHead } from './lazyHead';
import type { Adaptation, FewShotMethod, MethodLabels, MethodSpec, StepMetrics } from './method';
import { METALSTM_INFO, type MetaLstmHyperparameters } from './metalstmInfo';
import type { QueryNormalisation } from './methodInfo';
import { metaLstmAdvice, type DivergenceAdvice } from './divergenceAdvice';
import { adamTrainingState, loadAdamTrainingState } from './checkpoint';

/** Which statistics normalise the queries (see the file comment). */
export type MetaLstmQueryNormalisation = QueryNormalisation;

export interface MetaLstmConfig extends MetaLstmHyperparameters {
  backbone: Conv4Config;
  seed: number;
}

/** Name prefixes in the method's one map of learnable tensors. */
export const LEARNER = 'learner/';
export const META = 'metaLearner/';

/** A support set as tensors. */
export interface SupportTensors {
  way: number;
  support: tf.Tensor4D;
  supportLabels: tf.Tensor1D;
}

/** A whole episode as tensors (made once per episode, outside any gradient tape). */
export interface EpisodeTensors extends SupportTensors {
  query: tf.Tensor4D;
  queryLabels: tf.Tensor1D;
}

export function episodeTensors(episode: Episode): EpisodeTensors {
  return {
    way: episode.way,
    support: imagesTensor(episode.support),
    supportLabels: tf.tensor1d(episode.support.labels, 'int32'),
    query: imagesTensor(episode.query),
    queryLabels: tf.tensor1d(episode.query.labels, 'int32'),
  };
}

export function disposeEpisodeTensors(task: EpisodeTensors): void {
  tf.dispose([task.support, task.supportLabels, task.query, task.queryLabels]);
}

// ---------------------------------------------------------------------------------------------
// The learner: Conv-4 and a linear layer.

/** Support-set loss with the support batch's statistics (the objective of the updates). */
export function supportLoss(params: NamedTensors, task: SupportTensors): tf.Scalar {
  const embeddings = conv4Forward(params, task.support, { batchNorm: 'batch' });
  return meanCrossEntropy(logitsOf(params, embeddings), task.supportLabels, task.way);
}

/** Query loss and number of correct queries at (adapted) parameters. */
export function queryLossAndHits(
  params: NamedTensors,
  task: EpisodeTensors,
  normalisation: MetaLstmQueryNormalisation,
): { loss: tf.Scalar; hits: tf.Scalar } {
  const stats = normalisation === 'support' ? supportStatistics(params, task.support) : null;
  const logits = predictLogits(params, task.query, stats);
  const loss = meanCrossEntropy(logits, task.queryLabels, task.way);
  const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), task.queryLabels), 'float32')) as tf.Scalar;
  return { loss, hits };
}

/** An episode as the meta-learner sees it: support cross-entropy, and query loss and hits. */
export function imageAdaptationTask(task: EpisodeTensors, normalisation: MetaLstmQueryNormalisation): AdaptationTask {
  return {
    supportLoss: (p) => supportLoss(p, task),
    queryObjective: (adapted) => queryLossAndHits(adapted, task, normalisation),
  };
}

/**
 * One episode's meta-objective (query loss after T updates), number of correct queries, and
 * meta-gradient: by learner parameter name (for theta_0) and by meta-learner weight name. The
 * caller disposes everything returned.
 */
export function episodeMetaGradient(
  learner: NamedTensors,
  meta: NamedTensors,
  task: EpisodeTensors,
  settings: Pick<MetaLstmConfig, 'updates' | 'batchNormAtTest'>,
): { loss: tf.Scalar; hits: tf.Scalar; learnerGradients: NamedTensors; metaGradients: NamedTensors } {
  return updatesMetaGradient(learner, meta, imageAdaptationTask(task, settings.batchNormAtTest), settings.updates);
}

// ---------------------------------------------------------------------------------------------
// The method.

function checkConfig(config: MetaLstmConfig): void {
  const problems: string[] = [];
  if (!Number.isInteger(config.updates) || config.updates < 0) problems.push(`updates must be a whole number >= 0, got ${config.updates}.`);
  if (!Number.isInteger(config.hiddenSize) || config.hiddenSize < 1) problems.push(`hiddenSize must be a whole number >= 1, got ${config.hiddenSize}.`);
  if (!(config.learningRate > 0) || !Number.isFinite(config.learningRate)) problems.push(`learningRate must be a number > 0, got ${config.learningRate}.`);
  if (!(config.gradientClip >= 0) || !Number.isFinite(config.gradientClip)) problems.push(`gradientClip must be a number >= 0 (0: no clipping), got ${config.gradientClip}.`);
  if (config.batchNormAtTest !== 'support' && config.batchNormAtTest !== 'batch') {
    problems.push(`batchNormAtTest must be "support" or "batch", got "${config.batchNormAtTest}".`);
  }
  if (problems.length > 0) throw new Error(`Meta-LSTM settings: ${problems.join(' ')}`);
}

/** Entries of `all` whose names start with `prefix`, with the prefix removed (same tensors). */
export function withPrefix(all: NamedTensors, prefix: string): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(all)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = t;
  return out;
}

export class MetaLstm implements FewShotMethod {
  readonly name = 'metalstm';
  /** theta_0 under "learner/..." and the meta-learner's weights under "metaLearner/...". */
  private weights: NamedTensors = {};
  private optimizer = new Adam();
  /** The learner's output layer, made on the first episode. */
  private readonly head: LazyHead;

  constructor(readonly config: MetaLstmConfig) {
    checkConfig(config);
    const rng = new Rng(config.seed);
    for (const [n, t] of Object.entries(initConv4(config.backbone, rng))) this.weights[LEARNER + n] = t;
    for (const [n, t] of Object.entries(initMetaLearner(config.hiddenSize, rng.derive('meta-lstm')))) this.weights[META + n] = t;
    this.head = new LazyHead(() => this.weights, LEARNER, config.backbone, rng.derive('meta-lstm-head').nextUint32(), 'Meta-LSTM');
  }

  divergenceAdvice(): DivergenceAdvice {
    return metaLstmAdvice(this.config.learningRate, this.config.gradientClip);
  }

  labels(): MethodLabels {
    const support = this.config.batchNormAtTest === 'support';
    return {
      batchNormAtTest: support ? 'support' : 'batch',
      batchNormStatistics: support ? 'support set (non-transductive)' : 'query batch (transductive)',
      updates: this.config.updates,
    };
  }

  /** theta_0 (the learner's initial parameters), by learner parameter name. */
  learnerParameters(): NamedTensors {
    return withPrefix(this.weights, LEARNER);
  }

  /** The meta-learner's weights, by name. */
  metaLearnerWeights(): NamedTensors {
    return withPrefix(this.weights, META);
  }

  /** The number of classes the output layer was made for, or null before the first episode. */
  get way(): number | null {
    return this.head.way;
  }

  async trainStep(episodes: Episode[], step: number): Promise<StepMetrics> {
    void step; // no schedule: the paper keeps Adam's step size constant
    if (episodes.length === 0) throw new Error('Meta-LSTM trainStep needs at least one episode.');
    const way = episodes[0].way;
    if (episodes.some((e) => e.way !== way)) {
      throw new Error('Every episode of a Meta-LSTM meta-batch must have the same number of classes (the output layer has one width).');
    }
    this.head.ensure(way);
    const learner = this.learnerParameters();
    const meta = this.metaLearnerWeights();
    const sum = new GradientSum();
    let lossSum = 0;
    let hitSum = 0;
    let queries = 0;
    try {
      for (const episode of episodes) {
        const task = episodeTensors(episode);
        try {
          const r = episodeMetaGradient(learner, meta, task, this.config);
          const [lossValue, hitValue] = await Promise.all([r.loss.data(), r.hits.data()]);
          tf.dispose([r.loss, r.hits]);
          lossSum += lossValue[0];
          hitSum += hitValue[0];
          queries += episode.query.count;
          const grads: NamedTensors = {};
          for (const [n, g] of Object.entries(r.learnerGradients)) grads[LEARNER + n] = g;
          for (const [n, g] of Object.entries(r.metaGradients)) grads[META + n] = g;
          sum.add(grads);
        } finally {
          disposeEpisodeTensors(task);
        }
      }
      // Mean over the episodes, clipped by global norm (the authors' code: 0.25). A non-finite
      // loss or meta-gradient would poison every weight: skip the update so the last good weights
      // stay, and report a non-finite loss so the training loop stops with advice.
      const update = await sum.mean(this.config.gradientClip);
      const loss = update === null ? Number.NaN : lossSum / episodes.length;
      if (update !== null && Number.isFinite(loss)) this.optimizer.apply(this.weights, update, this.config.learningRate);
      disposeTensors(update ?? undefined);
      return { loss, accuracy: hitSum / queries, learningRate: this.config.learningRate };
    } finally {
      sum.dispose();
    }
  }

  /**
   * The learner adapted by the meta-learner from the learned theta_0, one update per step (T at
   * test time), the queries normalised as in training (batchNormAtTest).
   */
  async startAdaptation(support: LabeledImages, way: number): Promise<Adaptation> {
    this.head.ensure(way);
    const task: SupportTensors = { way, support: imagesTensor(support), supportLabels: tf.tensor1d(support.labels, 'int32') };
    const learner = this.learnerParameters();
    const layout = layoutOf(learner);
    const initial = tf.tidy(() => flattenParameters(learner, layout));
    try {
      return metaLearnerAdaptation<LabeledImages>({
        meta: this.metaLearnerWeights(),
        initial,
        layout,
        supportLoss: (p) => supportLoss(p, task),
        steps: this.config.updates,
        predict: (params, images) => learnerProbabilities(params, images, task.support, this.config.batchNormAtTest),
        disposeShared: () => tf.dispose([task.support, task.supportLabels]),
      });
    } finally {
      initial.dispose();
    }
  }

  stateTensors(): NamedTensors {
    return { ...this.weights };
  }

  loadState(saved: SavedTensors): void {
    this.head.loadWith(saved, LEARNER + HEAD_KERNEL, () => assignNamed(this.weights, saved));
    // Adam's moments belong to the weights they were collected on.
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

export const METALSTM_SPEC: MethodSpec<MetaLstmHyperparameters> = {
  ...METALSTM_INFO,
  create: ({ backbone }, hyper, seed) => new MetaLstm({ ...hyper, backbone, seed }),
};
