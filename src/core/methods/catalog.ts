// What the few-shot methods are and which settings they take, without TensorFlow.js: the names,
// papers, defaults (with why they differ from the papers) and each hyperparameter's hint and range.
// The playground's main thread reads this to build its controls while tfjs loads only in the
// compute worker; the registry adds to each entry the function that creates the method.
import { SettingsError, type SettingProblem } from '../settingProblems';

/** Hyperparameters are flat name -> number/string, so they fit in a URL and a CLI flag. */
export type Hyperparameters = Record<string, number | string>;

export interface HyperparameterInfo {
  /** One-line hint shown next to the control. */
  hint: string;
  /** Allowed values for string-valued settings. */
  choices?: readonly string[];
  min?: number;
  max?: number;
}

/** A method as the UI and the CLI describe it (the registry's MethodSpec adds `create`). */
export interface MethodInfo {
  name: string;
  /** Human name, e.g. "Prototypical Networks". */
  title: string;
  /** The paper, e.g. "Snell, Swersky & Zemel 2017". */
  paper: string;
  defaults: Hyperparameters;
  /** Conv-4 filters this method uses by default (64 if absent). */
  filters?: number;
  /** Episodes per training step when the user does not say (the meta-batch); 1 if absent. */
  metaBatch?: number;
  hyperparameters: Record<string, HyperparameterInfo>;
}

// ---- Each method's settings as types: the implementations' configs extend these, so a default
// here is checked against what the method reads without this file importing any implementation.

export interface ProtoNetHyperparameters {
  /** Adam learning rate (paper: 1e-3). */
  learningRate: number;
  /** Halve (multiply by lrDecayFactor) every lrDecayEvery steps (paper: 0.5 every 2000). */
  lrDecayEvery: number;
  lrDecayFactor: number;
  /** Batch-norm statistics used when adapting/predicting at test time. */
  batchNormAtTest: 'running' | 'batch';
  /** Momentum of the running batch-norm statistics (PyTorch's convention: new = (1-m) old + m batch). */
  batchNormMomentum: number;
}

/** How MAML and the Meta-LSTM normalise queries at test time: with the support set's statistics
 * (non-transductive) or the query batch's own (transductive, as the papers' code). */
export type QueryNormalisation = 'support' | 'batch';

export interface MamlHyperparameters {
  /** SGD steps per task in meta-training (paper: 1 for 5-way Omniglot, 5 for 20-way). */
  innerSteps: number;
  /** alpha, the inner SGD step size, in training and at test (paper: 0.4 for 5-way, 0.1 for 20-way). */
  innerLearningRate: number;
  /** SGD steps when adapting to a test episode (paper: 10). */
  testInnerSteps: number;
  /** Adam step size on the meta-parameters (paper: 1e-3). */
  learningRate: number;
  batchNormAtTest: QueryNormalisation;
}

/** 'linear' (Baseline) or 'cosine' (Baseline++). */
export type HeadKind = 'linear' | 'cosine';

export interface FineTuneHyperparameters {
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
}

export interface MetaLstmHyperparameters {
  /** T: meta-learner updates on the support set, in meta-training and at test (paper: 12 for 1-shot, 8 for 5-shot). */
  updates: number;
  /** Adam step size on the meta-learner's weights and theta_0 (paper: 1e-3). */
  learningRate: number;
  /** Largest global norm of the meta-gradient; larger ones are scaled down to it (paper: 0.25). 0 turns clipping off. */
  gradientClip: number;
  /** Units of the meta-learner's first LSTM layer (paper: 20). */
  hiddenSize: number;
  batchNormAtTest: QueryNormalisation;
}

// ---- Defaults and hints

export const PROTONET_DEFAULTS: ProtoNetHyperparameters = {
  learningRate: 1e-3,
  lrDecayEvery: 2000,
  lrDecayFactor: 0.5,
  batchNormAtTest: 'running',
  batchNormMomentum: 0.1,
};

export const PROTONET_HYPERPARAMETERS: Record<string, HyperparameterInfo> = {
  learningRate: { hint: 'Adam step size (paper: 0.001).', min: 1e-6, max: 1 },
  lrDecayEvery: { hint: 'Multiply the step size by lrDecayFactor every this many steps (paper: 2000).', min: 0 },
  lrDecayFactor: { hint: 'Factor applied at each decay (paper: 0.5).', min: 0, max: 1 },
  batchNormAtTest: {
    hint: 'Batch-norm statistics at test time: running (from training, non-transductive) or batch (the test batch itself, transductive).',
    choices: ['running', 'batch'],
  },
  batchNormMomentum: { hint: 'Weight of each new batch in the running statistics.', min: 0, max: 1 },
};

/**
 * Defaults: the paper's 5-way Omniglot settings (1 inner step of 0.4, 10 steps at test) except:
 * - the outer Adam step is 3e-3 rather than 1e-3: the paper trains 60k meta-steps, a laptop run a
 *   few hundred; on glyphs (28x28, 64 filters, 5-way 1-shot, 100 meta-steps of 4 tasks, wasm,
 *   about 90 s) 3e-3 reached 0.850 +- 0.019 held-out accuracy and 1e-3 reached 0.806 +- 0.020
 *   (untrained: 0.744);
 * - queries are normalised with the support set's statistics (non-transductive).
 * The paper's meta-batch of 32 tasks is the training loop's episodesPerStep; see MAML_META_BATCH.
 */
export const MAML_DEFAULTS: MamlHyperparameters = {
  innerSteps: 1,
  innerLearningRate: 0.4,
  testInnerSteps: 10,
  learningRate: 3e-3,
  batchNormAtTest: 'support',
};

/**
 * Suggested tasks per meta-step (the training loop's episodesPerStep; the paper uses 32). With 4,
 * a second-order meta-step of the 64-filter Conv-4 on 5-way 1-shot 28x28 tasks takes about 1 s on
 * wasm with 5 queries per class and about 2.2 s with 15 (one task: 0.56 s with 15 queries).
 */
export const MAML_META_BATCH = 4;

export const MAML_HYPERPARAMETERS: Record<string, HyperparameterInfo> = {
  innerSteps: {
    hint: 'SGD steps on the support set per task in meta-training (paper: 1 for 5-way, 5 for 20-way). Second-order memory grows with it.',
    min: 0,
    max: 50,
  },
  innerLearningRate: { hint: 'Step size alpha of the inner SGD steps, in training and at test (paper: 0.4 for 5-way, 0.1 for 20-way).', min: 0, max: 10 },
  testInnerSteps: { hint: 'SGD steps on the support set when adapting to a test episode (paper: 10).', min: 0, max: 200 },
  learningRate: { hint: 'Adam step size on the meta-parameters (paper: 0.001 over 60k steps; 0.003 suits runs of a few hundred).', min: 1e-6, max: 1 },
  batchNormAtTest: {
    hint: "Batch-norm statistics that normalise the queries, in training and at test: support (the support set's; non-transductive) or batch (the query batch's own; transductive, as in the paper's code).",
    choices: ['support', 'batch'],
  },
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

export const FINETUNE_HYPERPARAMETERS: Record<string, HyperparameterInfo> = {
  head: {
    hint: 'Classifier head, in pre-training and per test episode: linear (Baseline) or cosine similarity (Baseline++).',
    choices: ['linear', 'cosine'],
  },
  cosineScale: { hint: 'Cosine head: logits are this times the cosine (paper code: 10 for many classes, 2 for few).', min: 0.01, max: 100 },
  learningRate: { hint: 'Adam step size of pre-training over all meta-train classes (paper: 0.001).', min: 1e-6, max: 1 },
  batchNormMomentum: { hint: 'Weight of each new batch in the running batch-norm statistics used at test time.', min: 0, max: 1 },
  adaptSteps: { hint: 'Full-batch Adam steps training the new head on a test episode\'s support features (paper: 100 epochs of SGD).', min: 0, max: 2000 },
  adaptLearningRate: { hint: 'Adam step size of the new head at test time.', min: 1e-6, max: 10 },
  adaptWeightDecay: { hint: 'L2 weight decay on the new head at test time (paper: 0.001).', min: 0, max: 10 },
  finetuneBackbone: {
    hint: 'yes: after fitting the head, also fine-tune the whole network on the augmented support set (much slower).',
    choices: ['no', 'yes'],
  },
  backboneSteps: { hint: 'finetuneBackbone yes: Adam steps on the whole network per test episode.', min: 0, max: 500 },
  backboneLearningRate: { hint: 'finetuneBackbone yes: Adam step size for the whole network.', min: 1e-7, max: 1 },
  augmentShift: { hint: 'finetuneBackbone yes: largest random shift in pixels of the support images at each step (0 = none).', min: 0, max: 8 },
};

/**
 * Defaults: the paper's settings (hidden size 20, clipping 0.25, Adam) except two, scaled to runs
 * of a few hundred meta-steps on a laptop rather than the paper's tens of thousands:
 * - T = 5 updates (the paper: 12 for 1-shot, 8 for 5-shot); time and memory per meta-step grow
 *   linearly with T;
 * - Adam's step size 3e-3 rather than 1e-3: on glyphs (28x28, 32 filters, 5-way 1-shot, T = 5,
 *   one episode of 15 queries per class per step, wasm) 300 meta-steps reached 0.825 +- 0.024
 *   held-out accuracy with 3e-3 and 0.740 +- 0.028 with 1e-3 (untrained: 0.297).
 */
export const METALSTM_DEFAULTS: MetaLstmHyperparameters = {
  updates: 5,
  learningRate: 3e-3,
  gradientClip: 0.25,
  hiddenSize: 20,
  batchNormAtTest: 'support',
};

export const METALSTM_HYPERPARAMETERS: Record<string, HyperparameterInfo> = {
  updates: {
    hint: 'T: meta-learner updates on the support set, in training and at test (paper: 12 for 1-shot, 8 for 5-shot). Time and memory grow with it.',
    min: 0,
    max: 100,
  },
  learningRate: {
    hint: "Adam step size on the meta-learner's weights and the learner's initial parameters (paper: 0.001 over tens of thousands of steps; 0.003 suits runs of a few hundred).",
    min: 1e-6,
    max: 1,
  },
  gradientClip: { hint: 'Largest global norm of the meta-gradient; larger ones are scaled down (paper: 0.25; 0 turns clipping off).', min: 0 },
  hiddenSize: { hint: "Units of the meta-learner's first LSTM layer, shared by every learner parameter (paper: 20).", min: 1, max: 256 },
  batchNormAtTest: {
    hint: "Batch-norm statistics that normalise the queries, in training and at test: support (the support set's; non-transductive) or batch (the query batch's own; transductive).",
    choices: ['support', 'batch'],
  },
};

const mamlInfo = (secondOrder: boolean): MethodInfo => ({
  name: secondOrder ? 'maml' : 'fomaml',
  title: secondOrder ? 'MAML' : 'First-order MAML',
  paper: secondOrder ? 'Finn, Abbeel & Levine 2017' : 'Finn, Abbeel & Levine 2017 (first-order approximation)',
  defaults: { ...MAML_DEFAULTS },
  metaBatch: MAML_META_BATCH,
  hyperparameters: MAML_HYPERPARAMETERS,
});

/** Every image-classification method, in the order the UI lists them. */
export const METHOD_CATALOG: Record<string, MethodInfo> = {
  protonet: {
    name: 'protonet',
    title: 'Prototypical Networks',
    paper: 'Snell, Swersky & Zemel 2017',
    defaults: { ...PROTONET_DEFAULTS },
    hyperparameters: PROTONET_HYPERPARAMETERS,
  },
  maml: mamlInfo(true),
  fomaml: mamlInfo(false),
  finetune: {
    name: 'finetune',
    title: 'Fine-tuning baseline (Baseline / Baseline++)',
    paper: 'Chen, Liu, Kira, Wang & Huang 2019',
    defaults: { ...FINETUNE_DEFAULTS },
    hyperparameters: FINETUNE_HYPERPARAMETERS,
  },
  metalstm: {
    name: 'metalstm',
    title: 'Meta-LSTM',
    paper: 'Ravi & Larochelle 2017',
    // The paper's learner size; its defaults were tuned on it, and 64 filters cost four times as much.
    filters: 32,
    defaults: { ...METALSTM_DEFAULTS },
    hyperparameters: METALSTM_HYPERPARAMETERS,
  },
};

/**
 * Merges user settings over the method's defaults, checking each name, type, choice and range;
 * throws with every problem listed.
 */
export function resolveHyperparameters(spec: Pick<MethodInfo, 'title' | 'defaults' | 'hyperparameters'>, given: Hyperparameters = {}): Hyperparameters {
  const out: Hyperparameters = { ...spec.defaults };
  const problems: SettingProblem[] = [];
  for (const [name, value] of Object.entries(given)) {
    const info = spec.hyperparameters[name];
    const field = `hyper.${name}` as const;
    if (!info || !(name in spec.defaults)) {
      problems.push({ code: 'unknown-setting', field: 'method', message: `${spec.title} has no setting "${name}" (it has: ${Object.keys(spec.defaults).join(', ')}).` });
      continue;
    }
    if (info.choices) {
      if (!info.choices.includes(String(value))) {
        problems.push({ code: 'out-of-range', field, message: `${name} must be one of ${info.choices.join(', ')}, got "${value}".` });
        continue;
      }
      out[name] = String(value);
      continue;
    }
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) {
      problems.push({ code: 'out-of-range', field, message: `${name} must be a number, got "${value}".` });
    } else if ((info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max)) {
      problems.push({ code: 'out-of-range', field, message: `${name} must be between ${info.min ?? '-inf'} and ${info.max ?? 'inf'}, got ${n}.` });
    } else {
      out[name] = n;
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return out;
}
