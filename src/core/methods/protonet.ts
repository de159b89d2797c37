// Prototypical Networks (Snell, Swersky & Zemel 2017): a class's prototype is the mean embedding
// of its support images; a query's logits are negative squared Euclidean distances to the
// prototypes; trained with softmax cross-entropy over episodes and Adam (halving the rate every
// 2000 episodes, as in the paper). Training episodes may use more ways than test episodes.
import * as tf from '@tensorflow/tfjs';
import type { Episode, LabeledImages } from '../episodes/episode';
import { Rng } from '../rng';
import { Adam, stepDecay } from '../nn/adam';
import {
  conv4Forward,
  initConv4,
  initRunningStats,
  type Conv4Config,
  type RunningStats,
} from '../nn/conv4';
import { assignNamed, type NamedTensors, type SavedTensors } from '../nn/params';
import type { Adaptation, Embeddings, FewShotMethod, MethodLabels, MethodSpec, StepMetrics } from './method';
import { closedFormAdaptation } from './stepwise';
import { imagesTensor, meanCrossEntropy, softmaxProbabilities } from './common';
import { PROTONET_INFO, type ProtoNetHyperparameters } from './protonetInfo';
import { learningRateAdvice, type DivergenceAdvice } from './divergenceAdvice';
import { adamTrainingState, loadAdamTrainingState } from './checkpoint';

export interface ProtoNetConfig extends ProtoNetHyperparameters {
  backbone: Conv4Config;
  seed: number;
}

/** Class means of support embeddings: [way, D]. Support must be label-major or labels given. */
export function prototypes(embeddings: tf.Tensor2D, labels: tf.Tensor1D, way: number): tf.Tensor2D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, way).toFloat(); // [S, way]
    const counts = tf.sum(oneHot, 0).reshape([way, 1]); // [way, 1]
    return tf.div(tf.matMul(oneHot, embeddings, true, false), counts) as tf.Tensor2D;
  });
}

/**
 * Negative squared Euclidean distances [Q, way] = -(|q|^2 - 2 q.p + |p|^2). Written with matMul
 * rather than squaredDifference, whose broadcasting gradient is broken in tfjs 4.22.
 */
export function protoLogits(queries: tf.Tensor2D, protos: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const qq = tf.sum(tf.square(queries), 1, true); // [Q, 1]
    const pp = tf.sum(tf.square(protos), 1).reshape([1, -1]); // [1, way]
    const qp = tf.matMul(queries, protos, false, true); // [Q, way]
    return tf.neg(tf.add(tf.sub(qq, tf.mul(qp, 2)), pp)) as tf.Tensor2D;
  });
}

export class ProtoNet implements FewShotMethod {
  readonly name = 'protonet';
  private params: NamedTensors;
  private running: RunningStats;
  private optimizer = new Adam();

  constructor(readonly config: ProtoNetConfig) {
    this.params = initConv4(config.backbone, new Rng(config.seed));
    this.running = initRunningStats(config.backbone);
  }

  divergenceAdvice(): DivergenceAdvice {
    return learningRateAdvice('learning rate', this.config.learningRate);
  }

  labels(): MethodLabels {
    return { batchNormAtTest: this.config.batchNormAtTest };
  }

  async trainStep(episodes: Episode[], step: number): Promise<StepMetrics> {
    if (episodes.length === 0) throw new Error('ProtoNet.trainStep needs at least one episode.');
    const learningRate = stepDecay(this.config.learningRate, step, this.config.lrDecayEvery, this.config.lrDecayFactor);
    const names = Object.keys(this.params);
    const batchStats: NamedTensors = {};
    let correct: tf.Tensor | null = null;
    const lossOf = (...values: tf.Tensor[]): tf.Scalar => {
      const params: NamedTensors = {};
      names.forEach((n, i) => (params[n] = values[i]));
      const losses: tf.Scalar[] = [];
      const hits: tf.Tensor[] = [];
      for (const episode of episodes) {
        const { loss, hitCount } = this.episodeLoss(params, episode, (block, mean, variance) => {
          // Running statistics follow the last episode's batch (one episode per step is usual).
          batchStats[`${block}/mean`]?.dispose();
          batchStats[`${block}/variance`]?.dispose();
          batchStats[`${block}/mean`] = tf.keep(tf.clone(mean));
          batchStats[`${block}/variance`] = tf.keep(tf.clone(variance));
        });
        losses.push(loss);
        hits.push(hitCount);
      }
      correct = tf.keep(tf.addN(hits));
      return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossOf)(names.map((n) => this.params[n]));
    const [lossValue, correctValue] = await Promise.all([value.data(), correct!.data()]);
    tf.dispose([value, correct!]);
    // A non-finite loss would poison every weight: skip the update so the last good parameters
    // stay, and let the training loop report the divergence.
    if (Number.isFinite(lossValue[0])) {
      const gradMap: NamedTensors = {};
      names.forEach((n, i) => (gradMap[n] = grads[i]));
      this.optimizer.apply(this.params, gradMap, learningRate);
      this.updateRunningStats(batchStats);
    } else {
      tf.dispose(Object.values(batchStats));
    }
    tf.dispose(grads);
    const queries = episodes.reduce((sum, e) => sum + e.query.count, 0);
    return { loss: lossValue[0], accuracy: correctValue[0] / queries, learningRate };
  }

  /** Loss and number of correct queries for one episode, run on support+query as one batch. */
  private episodeLoss(
    params: NamedTensors,
    episode: Episode,
    collect: (block: string, mean: tf.Tensor, variance: tf.Tensor) => void,
  ): { loss: tf.Scalar; hitCount: tf.Scalar } {
    const s = episode.support.count;
    const images = tf.concat([imagesTensor(episode.support), imagesTensor(episode.query)], 0);
    const embeddings = conv4Forward(params, images, { batchNorm: 'batch', collectBatchStats: collect });
    const support = tf.slice(embeddings, [0, 0], [s, -1]);
    const query = tf.slice(embeddings, [s, 0], [-1, -1]);
    const protos = prototypes(support, tf.tensor1d(episode.support.labels, 'int32'), episode.way);
    const logits = protoLogits(query, protos);
    const labels = tf.tensor1d(episode.query.labels, 'int32');
    const loss = meanCrossEntropy(logits, labels, episode.way);
    const hitCount = tf.sum(tf.equal(tf.argMax(logits, 1), labels).toFloat()) as tf.Scalar;
    return { loss, hitCount };
  }

  private updateRunningStats(batchStats: NamedTensors): void {
    const m = this.config.batchNormMomentum;
    for (const [name, batchValue] of Object.entries(batchStats)) {
      const old = this.running[name];
      this.running[name] = tf.tidy(() => tf.add(tf.mul(old, 1 - m), tf.mul(batchValue, m)));
      old.dispose();
      batchValue.dispose();
    }
  }

  /** Embeds images with the current backbone and the test-time batch-norm mode. */
  embedTensor(images: LabeledImages): tf.Tensor2D {
    return tf.tidy(() =>
      conv4Forward(this.params, imagesTensor(images), {
        batchNorm: this.config.batchNormAtTest,
        running: this.running,
      }),
    );
  }

  /** The embeddings prototypes and queries are compared in (the episode viewer's projection). */
  async embed(images: LabeledImages): Promise<Embeddings> {
    const embeddings = this.embedTensor(images);
    const values = (await embeddings.data()) as Float32Array;
    const size = embeddings.shape[1];
    embeddings.dispose();
    return { values, size };
  }

  /** With running statistics an image's embedding is its own; with the test batch's it is not. */
  predictsByIndependentPrototypes(): boolean {
    return this.config.batchNormAtTest === 'running';
  }

  /** Prototypes are the support embeddings' class means: adaptation in one move, no steps. */
  async startAdaptation(support: LabeledImages, way: number): Promise<Adaptation> {
    const protos = tf.tidy(() => prototypes(this.embedTensor(support), tf.tensor1d(support.labels, 'int32'), way));
    const predictor = {
      predict: async (images: LabeledImages) => {
        const probs = tf.tidy(() => softmaxProbabilities(protoLogits(this.embedTensor(images), protos)));
        const data = (await probs.data()) as Float32Array;
        probs.dispose();
        return data;
      },
      dispose: () => protos.dispose(),
    };
    return closedFormAdaptation(predictor, 'Prototypical Networks');
  }

  stateTensors(): NamedTensors {
    const out: NamedTensors = {};
    for (const [n, t] of Object.entries(this.params)) out[`params/${n}`] = t;
    for (const [n, t] of Object.entries(this.running)) out[`running/${n}`] = t;
    return out;
  }

  loadState(saved: SavedTensors): void {
    assignNamed(this.params, saved, 'params/');
    assignNamed(this.running, saved, 'running/');
    // Adam's moments belong to the parameters they were collected on.
    this.optimizer.dispose();
    this.optimizer = new Adam();
  }

  /** Adam's moments and step count (the learning-rate schedule follows the step the loop passes). */
  trainingStateTensors(): NamedTensors {
    return adamTrainingState(this.optimizer);
  }

  loadTrainingState(saved: SavedTensors): void {
    loadAdamTrainingState(this.optimizer, saved, this.params);
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    tf.dispose(Object.values(this.running));
    this.optimizer.dispose();
  }
}

export const PROTONET_SPEC: MethodSpec<ProtoNetHyperparameters> = {
  ...PROTONET_INFO,
  create: ({ backbone }, hyper, seed) => new ProtoNet({ ...hyper, backbone, seed }),
};
