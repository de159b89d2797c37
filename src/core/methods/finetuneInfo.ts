// The fine-tuning baseline (Baseline / Baseline++) as the page and the CLI describe it, without
// TensorFlow.js: settings, defaults (and how they were chosen), hints and teaching text. The
// implementation and its spec are in finetune.ts.
import type { HyperparameterInfo, MethodInfo } from './methodInfo';

/** 'linear' (Baseline) or 'cosine' (Baseline++). */
export type HeadKind = 'linear' | 'cosine';

export type FineTuneHyperparameters = {
  /** 'linear' (Baseline) or 'cosine' (Baseline++), in pre-training and at test. */
  head: HeadKind;
  /** Cosine head: logits = cosineScale x cosine. */
  cosineScale: number;
  /** Adam step size of pre-training (paper: 1e-3). */
  learningRate: number;
  /** Weight of each new batch in the running batch-norm statistics. */
  batchNormMomentum: number;
  /** Full-batch Adam steps fitting the new head to a test episode's support features. */
  adaptSteps: number;
  adaptLearningRate: number;
  /** L2 weight decay on the new head's kernel (paper: 1e-3). */
  adaptWeightDecay: number;
  /** 'yes': afterwards fine-tune the whole network on the augmented support set. */
  finetuneBackbone: 'no' | 'yes';
  backboneSteps: number;
  backboneLearningRate: number;
  /** Largest random shift (pixels) of support images when fine-tuning the backbone; 0 = none. */
  augmentShift: number;
};

/**
 * Defaults. Measured on glyphs (28x28, Conv-4 with 64 filters, wasm; pre-trained 100 steps of
 * 20-way episodes with 6 images per class; 5-way, 100 test episodes, 5 queries per class):
 * - head 'cosine' (Baseline++, the better head in the paper): 5-way 1-shot 0.780 +- 0.026 and
 *   5-shot 0.923 +- 0.012, against 0.734 / 0.888 with the linear head (untrained backbone: 0.706 /
 *   0.883 cosine, 0.711 / 0.879 linear);
 * - learningRate 1e-3 (the paper's Adam): 3e-3 and 1e-2 were no better in such short runs;
 * - cosineScale 10: the paper's code (distLinear) uses 10 for heads of more than 200 classes (its
 *   Omniglot pre-training) and 2 for smaller ones, with a learnable per-class norm on top. Here one
 *   fixed scale serves pre-training and the episode heads, without the learnable norm; at test,
 *   2 instead of 10 gave 0.781 (1-shot) and 0.897 (5-shot) against 0.786 and 0.921 (this and the
 *   comparisons below on the backbone pre-trained with 3e-3);
 * - adaptation: 100 full-batch Adam steps of 0.01 with weight decay 1e-3 (the paper's decay). 300
 *   steps, step sizes 0.003 or 0.03, or no decay all landed within 0.01 of it;
 * - finetuneBackbone 'no': 'yes' (20 steps of 1e-3, shifts of 2 pixels) helped after this short
 *   pre-training (1-shot 0.759 -> 0.795, 5-shot 0.921 -> 0.968 on 40 paired episodes) but costs
 *   about 15x (1-shot) to 30x (5-shot) the time per episode.
 */
export const FINETUNE_DEFAULTS: FineTuneHyperparameters = {
  head: 'cosine',
  cosineScale: 10,
  learningRate: 1e-3,
  batchNormMomentum: 0.1,
  adaptSteps: 100,
  adaptLearningRate: 0.01,
  adaptWeightDecay: 1e-3,
  finetuneBackbone: 'no',
  backboneSteps: 20,
  backboneLearningRate: 1e-3,
  augmentShift: 2,
};

export const FINETUNE_HYPERPARAMETERS: Record<keyof FineTuneHyperparameters, HyperparameterInfo> = {
  head: {
    label: 'Classifier head',
    hint: 'Classifier head, in pre-training and per test episode: linear (Baseline) or cosine similarity (Baseline++).',
    choices: ['linear', 'cosine'],
    choiceLabels: { linear: 'Linear (Baseline)', cosine: 'Cosine (Baseline++)' },
  },
  cosineScale: { label: 'Cosine scale', hint: 'Cosine head: logits are this times the cosine (paper code: 10 for many classes, 2 for few).', min: 0.01, max: 100 },
  learningRate: { label: 'Pre-training learning rate', hint: 'Adam step size of pre-training over all meta-train classes (paper: 0.001).', min: 1e-6, max: 1 },
  batchNormMomentum: { label: 'Batch-norm momentum', hint: 'Weight of each new batch in the running batch-norm statistics used at test time.', min: 0, max: 1 },
  adaptSteps: { label: 'Head training steps at test', hint: 'Full-batch Adam steps training the new head on a test episode\'s support features (paper: 100 epochs of SGD).', min: 0, max: 2000 },
  adaptLearningRate: { label: 'Head learning rate at test', hint: 'Adam step size of the new head at test time.', min: 1e-6, max: 10 },
  adaptWeightDecay: { label: 'Head weight decay at test', hint: 'L2 weight decay on the new head at test time (paper: 0.001).', min: 0, max: 10 },
  finetuneBackbone: {
    label: 'Fine-tune the whole network at test',
    hint: 'yes: after fitting the head, also fine-tune the whole network on the augmented support set (much slower).',
    choices: ['no', 'yes'],
    choiceLabels: { no: 'No', yes: 'Yes (much slower)' },
  },
  backboneSteps: { label: 'Whole-network steps at test', hint: 'With whole-network fine-tuning: Adam steps on the whole network per test episode.', min: 0, max: 500 },
  backboneLearningRate: { label: 'Whole-network learning rate', hint: 'With whole-network fine-tuning: Adam step size for the whole network.', min: 1e-7, max: 1 },
  augmentShift: { label: 'Support-image shift (pixels)', hint: 'With whole-network fine-tuning: largest random shift in pixels of the support images at each step (0 = none).', min: 0, max: 8 },
};

const title = 'Fine-tuning baseline (Baseline / Baseline++)';

export const FINETUNE_INFO: MethodInfo<FineTuneHyperparameters> = {
  name: 'finetune',
  title,
  paper: 'Chen, Liu, Kira, Wang & Huang 2019',
  defaults: { ...FINETUNE_DEFAULTS },
  hyperparameters: FINETUNE_HYPERPARAMETERS,
  explanation: {
    title,
    learns: 'An ordinary classifier over all training classes, whose backbone features are reused for new classes; nothing is meta-learned.',
    update:
      "Pre-train: f_θ and a head W minimise the cross-entropy over all training classes.  Per episode: freeze f_θ and fit a new head on the support features: " +
      'linear p(y = k | x) ∝ exp(w_k · f_θ(x) + b_k) (Baseline), or cosine p(y = k | x) ∝ exp(s · cos(w_k, f_θ(x))) (Baseline++).',
    updateSpoken:
      'Pre-training: the backbone f theta and a head W minimise the cross-entropy over all training classes. For each test episode, the backbone is frozen and a new head is fitted on the support features: ' +
      'either linear, probability of class k proportional to the exponential of w k dot f theta of x plus b k; or cosine, proportional to the exponential of s times the cosine between w k and f theta of x.',
    worksWellWhen:
      'When the training classes are many and varied enough for a classifier to learn general features. Chen et al. found Baseline++ competitive with meta-learning on mini-ImageNet, and the plain Baseline best of all under a domain shift (mini-ImageNet to CUB birds). ' +
      'Caveat: with 1 shot the new head is fitted to one image per class, and a frozen backbone can only use features that pre-training happened to find.',
    paper: {
      citation:
        'Wei-Yu Chen, Yen-Cheng Liu, Zsolt Kira, Yu-Chiang Frank Wang and Jia-Bin Huang. "A Closer Look at Few-shot Classification." International Conference on Learning Representations (ICLR), 2019.',
      url: 'https://arxiv.org/abs/1904.04232',
    },
    defaults:
      "Cosine head (Baseline++, the paper's better one) and Adam 0.001 for pre-training. The new head is fitted with 100 full-batch Adam steps of 0.01 and weight decay 0.001 instead of the paper's 100 epochs of SGD on mini-batches of 4 (other step counts and sizes landed within 0.01 here); " +
      "the cosine scale is fixed at 10, without the paper code's learnable per-class norm. The backbone stays frozen at test: fine-tuning it too helped after short pre-training but costs 15 to 30 times the time per episode.",
  },
};
