// Prototypical Networks as the page and the CLI describe them, without TensorFlow.js: settings,
// defaults, hints and teaching text. The implementation and its spec are in protonet.ts.
import type { HyperparameterInfo, MethodInfo } from './methodInfo';

export type ProtoNetHyperparameters = {
  /** Adam learning rate (paper: 1e-3). */
  learningRate: number;
  /** Halve (multiply by lrDecayFactor) every lrDecayEvery steps (paper: 0.5 every 2000). */
  lrDecayEvery: number;
  lrDecayFactor: number;
  /** Batch-norm statistics used when adapting/predicting at test time. */
  batchNormAtTest: 'running' | 'batch';
  /** Momentum of the running batch-norm statistics (PyTorch's convention: new = (1-m) old + m batch). */
  batchNormMomentum: number;
};

export const PROTONET_DEFAULTS: ProtoNetHyperparameters = {
  learningRate: 1e-3,
  lrDecayEvery: 2000,
  lrDecayFactor: 0.5,
  batchNormAtTest: 'running',
  batchNormMomentum: 0.1,
};

export const PROTONET_HYPERPARAMETERS: Record<keyof ProtoNetHyperparameters, HyperparameterInfo> = {
  learningRate: { label: 'Learning rate', hint: 'Adam step size (paper: 0.001).', min: 1e-6, max: 1 },
  lrDecayEvery: { label: 'Decay the learning rate every (steps)', hint: 'Multiply the step size by the decay factor every this many steps (paper: 2000).', min: 0 },
  lrDecayFactor: { label: 'Learning-rate decay factor', hint: 'Factor applied at each decay (paper: 0.5).', min: 0, max: 1 },
  batchNormAtTest: {
    label: 'Batch norm at test',
    hint: 'Batch-norm statistics at test time: running (from training, non-transductive) or batch (the test batch itself, transductive).',
    choices: ['running', 'batch'],
    choiceLabels: { running: 'Running statistics (from training)', batch: "Test batch's own (transductive)" },
  },
  batchNormMomentum: { label: 'Batch-norm momentum', hint: 'Weight of each new batch in the running statistics.', min: 0, max: 1 },
};

const title = 'Prototypical Networks';

export const PROTONET_INFO: MethodInfo<ProtoNetHyperparameters> = {
  name: 'protonet',
  title,
  paper: 'Snell, Swersky & Zemel 2017',
  defaults: { ...PROTONET_DEFAULTS },
  // Measured with npm run bench:tta (README, "Time to accuracy"): on Omniglot, 20-way 5-query
  // training reaches 95% on held-out alphabets in about half the time of 5-way 15-query training.
  trainingEpisodes: { minWay: 20, query: 5 },
  hyperparameters: PROTONET_HYPERPARAMETERS,
  explanation: {
    title,
    learns: "An embedding network f_θ in which every image lies close to its class's prototype: the mean embedding of that class's support images.",
    update: "c_k = mean of f_θ(x) over class k's support;  p(y = k | x) ∝ exp(−‖f_θ(x) − c_k‖²)",
    updateSpoken:
      "c k is the mean of f theta of x over the support images of class k; the probability that x belongs to class k is proportional to the exponential of minus the squared distance between f theta of x and c k.",
    worksWellWhen:
      'When the classes form compact clusters in a learned embedding and test tasks look like training tasks; training with more ways than the test (20 or 60 for a 5-way test) usually helps. ' +
      'Caveat: one mean per class cannot describe a class with several distinct looks, and with 1 shot the prototype is a single, possibly atypical, image.',
    paper: {
      citation:
        'Jake Snell, Kevin Swersky and Richard S. Zemel. "Prototypical Networks for Few-shot Learning." Advances in Neural Information Processing Systems 30 (NIPS), 2017.',
      url: 'https://arxiv.org/abs/1703.05175',
    },
    defaults:
      "The paper's optimiser (Adam 0.001, halved every 2000 steps) and Conv-4 with 64 filters. The paper trains Omniglot with 60-way episodes for far longer; " +
      'the playground starts with 5-way training (raise Training ways to follow the paper, at more time per step; npm run experiment trains 20-way with 5 queries per class, which reaches 95% on held-out Omniglot alphabets in half the time). Batch norm at test uses running statistics from training (non-transductive).',
  },
};
