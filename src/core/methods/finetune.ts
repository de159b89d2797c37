// The fine-tuning baseline of transfer learning (Chen, Liu, Kira, Wang & Huang 2019, "A Closer Look
// at Few-shot Classification"): no meta-learning at all.
//
// Pre-training (trainStep): the Conv-4 backbone plus a head with one output per meta-train class is
// trained as an ordinary classifier, softmax cross-entropy and Adam. The training loop hands over
// episodes; their support and query images are simply labelled training images, relabelled with
// their GLOBAL class (episode.classIndices[label] looked up in the meta-train class list). Batch
// norm uses batch statistics and keeps running averages, which normalise everything at test time
// (non-transductive: a query's prediction never depends on the other queries).
//
// Adaptation (adapt), per test episode: the backbone is frozen, the support set embedded once, and a
// NEW head with one output per episode class is trained on those features: 'linear' (Baseline) or
// 'cosine' (Baseline++: scale x cosine between the L2-normalised feature and class weight vector).
// The same head kind is used in pre-training, as in the paper. The paper trains the new head for
// 100 epochs of mini-batches of 4 with SGD (lr 0.01, momentum 0.9, weight decay 1e-3); here it is
// full-batch Adam for `adaptSteps` steps on the precomputed features, in plain TypeScript
// (headFitting.ts): no shuffling to seed, and a few milliseconds per episode, far less than
// embedding the images (see FINETUNE_DEFAULTS).
//
// Option finetuneBackbone 'yes': after fitting the head as above, the whole network (backbone and
// the new head) is trained on the support set for `backboneSteps` Adam steps, each on a freshly
// augmented copy (random shifts of up to `augmentShift` pixels). Fitting the head first keeps a
// random head from wrecking the pretrained features in the first steps (the "linear probe, then
// fine-tune" recipe of Kumar et al. 2022). Batch norm stays on the running statistics during this
// fine-tuning (its scale and shift are trained): a 1-shot support set of 5 images gives useless
// batch statistics, and training and prediction then normalise alike. Much slower than the frozen
// backbone (a backward pass through the network per step).
//
// Determinism: every episode's new head starts from the same seeded draw (derived from the method
// seed and the number of ways) and the augmentation stream restarts from a seed-derived state in
// every adapt call. So the result for an episode depends only on (trained state, seed, support set):
// the same episode gives the same predictions whatever was evaluated before it, as paired
// comparisons and resumed evaluations need. (A counter-derived seed would not replay when the
// evaluation order changes.)
//
// State (stateTensors / loadState), plain named tensors:
//   params/block{i}/conv/kernel, params/block{i}/bn/gamma, params/block{i}/bn/beta   the backbone
//   running/block{i}/mean, running/block{i}/variance                                  batch-norm running statistics
//   params/head/kernel [features, trainClasses], params/head/bias [trainClasses]      pre-training head (no bias for cosine)
// The backbone names are those of ProtoNet's state, so a backbone trained elsewhere plugs in with
// loadBackbone (or loadState, where the pre-training head is optional).
import * as tf from '@tensorflow/tfjs';
import { augmentImages } from '../data/augment';
import type { Episode, LabeledImages } from '../episodes/episode';
import { Adam } from '../nn/adam';
import {
  conv4EmbeddingSize,
  conv4Forward,
  initConv4,
  initRunningStats,
  type Conv4Config,
  type RunningStats,
} from '../nn/conv4';
import { assignNamed, cloneTensors, disposeTensors, type NamedTensors, type SavedTensors } from '../nn/params';
import { Rng } from '../rng';
import { imagesTensor, meanCrossEntropy, softmaxProbabilities } from './common';
import { HeadFitter } from './headFitting';
import { BIAS, HEAD_KINDS, KERNEL, headLogits, headTensors, initHead, initHeadValues, weightPenalty, type HeadShape, type HeadValues } from './heads';
import type { Adaptation, Embeddings, FewShotMethod, MethodLabels, MethodSpec, StepMetrics } from './method';
import { FINETUNE_INFO, type FineTuneHyperparameters } from './finetuneInfo';
import { learningRateAdvice, type DivergenceAdvice } from './divergenceAdvice';
import { adamTrainingState, loadAdamTrainingState } from './checkpoint';

export interface FineTuneConfig extends FineTuneHyperparameters {
  backbone: Conv4Config;
  /** Outputs of the pre-training head: the number of meta-train classes. */
  trainClassCount: number;
  /**
   * Dataset class indices of the meta-train classes: head row r is class trainClasses[r]. Needed
   * for pre-training; not for adapting a loaded backbone.
   */
  trainClasses?: readonly number[];
  seed: number;
}

/** Names of the pre-training head inside the parameter map (state names add "params/"). */
const HEAD_PREFIX = 'head/';

/** One episode's copy of the whole network being fine-tuned, with what its steps need. */
interface EpisodeNetwork {
  params: NamedTensors;
  optimizer: Adam;
  rng: Rng;
  support: LabeledImages;
  labels: tf.Tensor1D;
}

function disposeEpisodeNetwork(network: EpisodeNetwork): void {
  disposeTensors(network.params);
  network.optimizer.dispose();
  network.labels.dispose();
}
const PRETRAIN_KERNEL = HEAD_PREFIX + KERNEL;
const PRETRAIN_BIAS = HEAD_PREFIX + BIAS;

function checkConfig(config: FineTuneConfig): void {
  const problems: string[] = [];
  if (!HEAD_KINDS.includes(config.head)) problems.push(`head must be "linear" or "cosine", got "${config.head}".`);
  if (config.finetuneBackbone !== 'no' && config.finetuneBackbone !== 'yes') {
    problems.push(`finetuneBackbone must be "no" or "yes", got "${config.finetuneBackbone}".`);
  }
  for (const key of ['adaptSteps', 'backboneSteps', 'augmentShift'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) problems.push(`${key} must be a whole number >= 0, got ${config[key]}.`);
  }
  for (const key of ['learningRate', 'adaptLearningRate', 'backboneLearningRate', 'cosineScale'] as const) {
    if (!(config[key] > 0) || !Number.isFinite(config[key])) problems.push(`${key} must be a number > 0, got ${config[key]}.`);
  }
  if (!(config.adaptWeightDecay >= 0) || !Number.isFinite(config.adaptWeightDecay)) {
    problems.push(`adaptWeightDecay must be a number >= 0, got ${config.adaptWeightDecay}.`);
  }
  if (!(config.batchNormMomentum >= 0 && config.batchNormMomentum <= 1)) {
    problems.push(`batchNormMomentum must be between 0 and 1, got ${config.batchNormMomentum}.`);
  }
  if (!Number.isInteger(config.trainClassCount) || config.trainClassCount < 1) {
    problems.push(`The pre-training head needs at least one meta-train class, got ${config.trainClassCount}.`);
  }
  if (config.trainClasses && config.trainClasses.length !== config.trainClassCount) {
    problems.push(`trainClasses lists ${config.trainClasses.length} classes but trainClassCount is ${config.trainClassCount}.`);
  }
  if (problems.length > 0) throw new Error(`Fine-tuning baseline settings: ${problems.join(' ')}`);
}

/** The head entries of a parameter map, without their prefix. */
function pretrainHead(params: NamedTensors): NamedTensors {
  const head: NamedTensors = { [KERNEL]: params[PRETRAIN_KERNEL] };
  if (params[PRETRAIN_BIAS]) head[BIAS] = params[PRETRAIN_BIAS];
  return head;
}

/** Backbone entries only (everything but the pre-training head). */
function backboneOf(params: NamedTensors): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(params)) if (!name.startsWith(HEAD_PREFIX)) out[name] = t;
  return out;
}

/** Throws if `saved` lacks a tensor of `target` (with `prefix`) or has one of another shape or size. */
function checkNamed(target: NamedTensors, saved: SavedTensors, prefix: string): void {
  for (const [name, t] of Object.entries(target)) {
    const s = saved[prefix + name];
    if (!s) throw new Error(`Saved state has no tensor named "${prefix + name}".`);
    if (s.shape.join('x') !== t.shape.join('x') || s.values.length !== t.size) {
      throw new Error(`Saved tensor "${prefix + name}" has shape ${s.shape.join('x')}, expected ${t.shape.join('x')}.`);
    }
  }
}

function byName(names: readonly string[], values: readonly tf.Tensor[]): NamedTensors {
  const out: NamedTensors = {};
  names.forEach((n, i) => (out[n] = values[i]));
  return out;
}

export class FineTune implements FewShotMethod {
  readonly name = 'finetune';
  /** Backbone parameters plus the pre-training head ("head/kernel", "head/bias"). */
  private params: NamedTensors;
  private running: RunningStats;
  private optimizer = new Adam();
  private readonly headShape: HeadShape;
  private readonly featureSize: number;
  /** Dataset class index -> pre-training head row. */
  private readonly rowOfClass: Map<number, number> | null;

  constructor(readonly config: FineTuneConfig) {
    checkConfig(config);
    const rng = new Rng(config.seed);
    this.featureSize = conv4EmbeddingSize(config.backbone);
    this.params = initConv4(config.backbone, rng);
    const head = initHead(config.head, this.featureSize, config.trainClassCount, rng.derive('pretrain-head'));
    for (const [name, t] of Object.entries(head)) this.params[HEAD_PREFIX + name] = t;
    this.running = initRunningStats(config.backbone);
    this.headShape = { kind: config.head, scale: config.cosineScale };
    this.rowOfClass = config.trainClasses ? new Map(config.trainClasses.map((c, row) => [c, row])) : null;
  }

  divergenceAdvice(): DivergenceAdvice {
    return learningRateAdvice('pre-training learning rate', this.config.learningRate);
  }

  labels(): MethodLabels {
    return {
      batchNormAtTest: 'running',
      head: this.config.head,
      finetuneBackbone: this.config.finetuneBackbone,
      adaptSteps: this.config.adaptSteps,
    };
  }

  /** Head row of a dataset class, or a message saying what is wrong. */
  private rowOf(classIndex: number): number {
    if (!this.rowOfClass) {
      throw new Error(
        'The fine-tuning baseline pre-trains a classifier over the meta-train classes and needs their list ' +
          '(MethodContext.trainClasses); create it with the training split\'s class indices.',
      );
    }
    const row = this.rowOfClass.get(classIndex);
    if (row === undefined) {
      throw new Error(
        `Dataset class ${classIndex} is not one of the ${this.rowOfClass.size} meta-train classes this model was created with; ` +
          'train on episodes drawn from the same meta-train split that was passed as trainClasses.',
      );
    }
    return row;
  }

  private checkImages(set: LabeledImages): void {
    const want = this.config.backbone.inputShape.join('x');
    if (set.imageShape.join('x') !== want) {
      throw new Error(`Images are ${set.imageShape.join('x')} but the backbone was made for ${want}; use the same image size throughout.`);
    }
  }

  async trainStep(episodes: Episode[], step: number): Promise<StepMetrics> {
    void step; // no schedule: the paper keeps Adam's step size constant
    if (episodes.length === 0) throw new Error('FineTune.trainStep needs at least one episode.');
    // Every support and query image of the batch, with its pre-training head row as label.
    const sets = episodes.flatMap((e) => [e.support, e.query].map((set) => ({ set, classIndices: e.classIndices })));
    sets.forEach(({ set }) => this.checkImages(set));
    const [h, w, c] = this.config.backbone.inputShape;
    const count = sets.reduce((sum, { set }) => sum + set.count, 0);
    const pixels = new Float32Array(count * h * w * c);
    const rows = new Int32Array(count);
    let at = 0;
    for (const { set, classIndices } of sets) {
      pixels.set(set.images, at * h * w * c);
      for (let i = 0; i < set.count; i++) rows[at + i] = this.rowOf(classIndices[set.labels[i]]);
      at += set.count;
    }
    const images = tf.tensor4d(pixels, [count, h, w, c]);
    const labels = tf.tensor1d(rows, 'int32');
    const names = Object.keys(this.params);
    const batchStats: NamedTensors = {};
    const kept: { hits?: tf.Scalar } = {};
    try {
      const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
        const params = byName(names, values);
        const features = conv4Forward(params, images, {
          batchNorm: 'batch',
          collectBatchStats: (block, mean, variance) => {
            batchStats[`${block}/mean`] = tf.keep(tf.clone(mean));
            batchStats[`${block}/variance`] = tf.keep(tf.clone(variance));
          },
        });
        const logits = headLogits(this.headShape, pretrainHead(params), features);
        kept.hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
        return meanCrossEntropy(logits, labels, this.config.trainClassCount);
      })(names.map((n) => this.params[n]));
      const [lossValue, hitValue] = await Promise.all([value.data(), kept.hits!.data()]);
      tf.dispose(value);
      // A non-finite loss would poison every weight: skip the update so the last good parameters
      // stay, and let the training loop report the divergence.
      if (Number.isFinite(lossValue[0])) {
        const gradMap = byName(names, grads);
        this.optimizer.apply(this.params, gradMap, this.config.learningRate);
        this.updateRunningStats(batchStats);
      }
      tf.dispose(grads);
      return { loss: lossValue[0], accuracy: hitValue[0] / count, learningRate: this.config.learningRate };
    } finally {
      tf.dispose([images, labels, ...Object.values(batchStats)]);
      if (kept.hits) kept.hits.dispose();
    }
  }

  private updateRunningStats(batchStats: NamedTensors): void {
    const m = this.config.batchNormMomentum;
    for (const [name, batchValue] of Object.entries(batchStats)) {
      const old = this.running[name];
      this.running[name] = tf.tidy(() => tf.add(tf.mul(old, 1 - m), tf.mul(batchValue, m)));
      old.dispose();
    }
  }

  /** Embeddings [count, D] with the given backbone and the running batch-norm statistics. */
  private features(params: NamedTensors, images: LabeledImages): tf.Tensor2D {
    return tf.tidy(() => conv4Forward(params, imagesTensor(images), { batchNorm: 'running', running: this.running }));
  }

  /**
   * The pretrained backbone's features, which a frozen-backbone episode head classifies (the
   * episode viewer's projection). With finetuneBackbone 'yes' each episode trains its own copy of
   * the backbone inside adapt; these stay the shared pretrained features.
   */
  async embed(images: LabeledImages): Promise<Embeddings> {
    this.checkImages(images);
    const features = this.features(this.params, images);
    const values = (await features.data()) as Float32Array;
    features.dispose();
    return { values, size: this.featureSize };
  }

  /** The same starting head for every episode of `way` classes (see the file comment). */
  private episodeHeadInit(way: number): HeadValues {
    return initHeadValues(this.config.head, this.featureSize, way, new Rng(this.config.seed).derive(`episode-head:${way}`));
  }

  /**
   * The episode's head fitted by full-batch Adam on the frozen backbone's support features
   * (adaptSteps steps), then, with finetuneBackbone 'yes', the whole network on augmented support
   * images (backboneSteps more); further steps go on with the last phase. While the backbone is
   * frozen, predictions embed with the method's current backbone, so use the adaptation before the
   * next trainStep or loadState (as evaluation does).
   */
  async startAdaptation(support: LabeledImages, way: number): Promise<Adaptation> {
    this.checkImages(support);
    if (!Number.isInteger(way) || way < 2) throw new Error(`An episode needs at least 2 classes, got ${way}.`);
    for (const label of support.labels) {
      if (label < 0 || label >= way) throw new Error(`Support label ${label} is outside 0..${way - 1}.`);
    }
    const { adaptSteps, adaptLearningRate, adaptWeightDecay } = this.config;
    const backboneSteps = this.config.finetuneBackbone === 'yes' ? this.config.backboneSteps : 0;
    const features = this.features(this.params, support);
    const values = (await features.data()) as Float32Array;
    features.dispose();
    const set = { values, count: support.count, size: this.featureSize, labels: support.labels };
    const fitter = new HeadFitter(this.headShape, this.episodeHeadInit(way), set, way, { learningRate: adaptLearningRate, weightDecay: adaptWeightDecay });
    let network: EpisodeNetwork | null = null;
    // The frozen backbone's features of the last images predicted: looking at the same queries after
    // every head step (the episode viewer) embeds them once.
    let cached: { images: LabeledImages; features: tf.Tensor2D } | null = null;
    let taken = 0;
    const headStep = () => {
      if (fitter.step()) return;
      throw new Error(
        `Fitting the episode's head failed: its loss became ${fitter.loss}. The backbone's features are not finite ` +
          `(retrain it with a lower learning rate) or adaptLearningRate (${adaptLearningRate}) is too high.`,
      );
    };
    const frozenFeatures = (images: LabeledImages) => {
      if (cached?.images !== images) {
        cached?.features.dispose();
        cached = { images, features: this.features(this.params, images) };
      }
      return cached.features;
    };
    return {
      steps: adaptSteps + backboneSteps,
      get taken() {
        return taken;
      },
      step: async () => {
        if (network === null && (taken < adaptSteps || backboneSteps === 0)) headStep();
        else {
          network ??= this.episodeNetwork(headTensors(fitter.head(), way), support);
          await this.networkStep(network, way, taken - adaptSteps + 1);
        }
        taken++;
      },
      predict: async (images: LabeledImages) => {
        this.checkImages(images);
        // Made outside tidy: the cache outlives this call.
        const frozen = network ? null : frozenFeatures(images);
        const probabilities = tf.tidy(() => {
          if (network) return softmaxProbabilities(headLogits(this.headShape, pretrainHead(network.params), this.features(backboneOf(network.params), images)));
          return softmaxProbabilities(headLogits(this.headShape, headTensors(fitter.head(), way), frozen!));
        });
        const data = (await probabilities.data()) as Float32Array;
        probabilities.dispose();
        return data;
      },
      dispose: () => {
        cached?.features.dispose();
        cached = null;
        if (network) disposeEpisodeNetwork(network);
        network = null;
      },
    };
  }

  /** A copy of the backbone with `head` (taken over) as the network fine-tuned on one episode. */
  private episodeNetwork(head: NamedTensors, support: LabeledImages): EpisodeNetwork {
    const params: NamedTensors = cloneTensors(backboneOf(this.params));
    for (const [name, t] of Object.entries(head)) params[HEAD_PREFIX + name] = t;
    return {
      params,
      optimizer: new Adam(),
      rng: new Rng(this.config.seed).derive('episode-augment'),
      support,
      labels: tf.tensor1d(support.labels, 'int32'),
    };
  }

  /**
   * One Adam step of the whole episode network on augmented support images (batch norm on the
   * running statistics; the head's weight decay is adaptWeightDecay).
   */
  private async networkStep(network: EpisodeNetwork, way: number, step: number): Promise<void> {
    const { params, labels } = network;
    const names = Object.keys(params);
    const augment = { maxShift: this.config.augmentShift, flip: false };
    const images = imagesTensor(augment.maxShift > 0 ? augmentImages(network.support, augment, network.rng) : network.support);
    let result: { value: tf.Scalar; grads: tf.Tensor[] };
    try {
      result = tf.valueAndGrads((...values: tf.Tensor[]) => {
        const p = byName(names, values);
        const features = conv4Forward(p, images, { batchNorm: 'running', running: this.running });
        const loss = meanCrossEntropy(headLogits(this.headShape, pretrainHead(p), features), labels, way);
        return tf.add(loss, weightPenalty(pretrainHead(p), this.config.adaptWeightDecay)) as tf.Scalar;
      })(names.map((n) => params[n]));
    } finally {
      images.dispose();
    }
    const loss = (await result.value.data())[0];
    result.value.dispose();
    if (!Number.isFinite(loss)) {
      tf.dispose(result.grads);
      throw new Error(
        `Fine-tuning the backbone on the support set diverged at step ${step} (loss ${loss}); ` +
          `lower backboneLearningRate (now ${this.config.backboneLearningRate}).`,
      );
    }
    network.optimizer.apply(params, byName(names, result.grads), this.config.backboneLearningRate);
    tf.dispose(result.grads);
  }

  /**
   * The pretrained backbone alone as named tensors: "params/block{i}/..." and "running/block{i}/..."
   * (the method keeps ownership). Save it with saveTensors to plug it in elsewhere.
   */
  backboneTensors(): NamedTensors {
    const out: NamedTensors = {};
    for (const [n, t] of Object.entries(backboneOf(this.params))) out[`params/${n}`] = t;
    for (const [n, t] of Object.entries(this.running)) out[`running/${n}`] = t;
    return out;
  }

  stateTensors(): NamedTensors {
    const out = this.backboneTensors();
    for (const [n, t] of Object.entries(pretrainHead(this.params))) out[`params/${HEAD_PREFIX}${n}`] = t;
    return out;
  }

  /**
   * Loads a backbone saved as "params/block{i}/..." and "running/block{i}/..." (this method's or
   * ProtoNet's state, for example); other names are ignored, the pre-training head is kept.
   * Names and shapes are checked before anything changes.
   */
  loadBackbone(saved: SavedTensors): void {
    const backbone = backboneOf(this.params);
    // Check both maps before replacing anything (assignNamed checks one map at a time).
    checkNamed(backbone, saved, 'params/');
    checkNamed(this.running, saved, 'running/');
    assignNamed(backbone, saved, 'params/');
    assignNamed(this.running, saved, 'running/');
    Object.assign(this.params, backbone);
    this.resetOptimizer();
  }

  /**
   * Restores a state saved from stateTensors. The pre-training head ("params/head/...") is loaded
   * when present (shapes checked) and otherwise kept, so a backbone from elsewhere loads as well.
   */
  loadState(saved: SavedTensors): void {
    const head = pretrainHead(this.params);
    const hasHead = Object.keys(saved).some((n) => n.startsWith(`params/${HEAD_PREFIX}`));
    if (hasHead) {
      const savedNames = Object.keys(saved).filter((n) => n.startsWith(`params/${HEAD_PREFIX}`)).sort();
      const wantNames = Object.keys(head).map((n) => `params/${HEAD_PREFIX}${n}`).sort();
      if (savedNames.join() !== wantNames.join()) {
        throw new Error(
          `The saved pre-training head has ${savedNames.join(', ')} but this model's ${this.config.head} head has ${wantNames.join(', ')}; ` +
            'load it with the head setting it was trained with.',
        );
      }
      checkNamed(head, saved, `params/${HEAD_PREFIX}`);
    }
    this.loadBackbone(saved);
    if (hasHead) {
      assignNamed(head, saved, `params/${HEAD_PREFIX}`);
      for (const [name, t] of Object.entries(head)) this.params[HEAD_PREFIX + name] = t;
    }
  }

  /** Adam's moments belong to the parameters they were collected on. */
  private resetOptimizer(): void {
    this.optimizer.dispose();
    this.optimizer = new Adam();
  }

  /**
   * The pre-training's Adam (moments and step count). Each episode's adaptation makes its own
   * optimiser and augmentation stream, so nothing else carries over between training steps.
   */
  trainingStateTensors(): NamedTensors {
    return adamTrainingState(this.optimizer);
  }

  loadTrainingState(saved: SavedTensors): void {
    loadAdamTrainingState(this.optimizer, saved, this.params);
  }

  dispose(): void {
    disposeTensors(this.params);
    disposeTensors(this.running);
    this.params = {};
    this.running = {};
    this.optimizer.dispose();
  }
}

export const FINETUNE_SPEC: MethodSpec<FineTuneHyperparameters> = {
  ...FINETUNE_INFO,
  create: ({ backbone, trainClassCount, trainClasses }, hyper, seed) =>
    new FineTune({
      ...hyper,
      backbone,
      seed,
      trainClassCount: trainClasses ? trainClasses.length : trainClassCount,
      trainClasses,
    }),
};
