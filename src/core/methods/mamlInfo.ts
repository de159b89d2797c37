// MAML and first-order MAML as the page and the CLI describe them, without TensorFlow.js:
// settings, defaults (and why they differ from the paper's), hints and teaching text. The
// implementation and the two specs are in maml.ts.
import type { HyperparameterInfo, MethodInfo, PaperReference, QueryNormalisation } from './methodInfo';

export type MamlHyperparameters = {
  /** SGD steps per task in meta-training (paper: 1 for 5-way Omniglot, 5 for 20-way). */
  innerSteps: number;
  /** alpha, the inner SGD step size, in training and at test (paper: 0.4 for 5-way, 0.1 for 20-way). */
  innerLearningRate: number;
  /** SGD steps when adapting to a test episode (paper: 10). */
  testInnerSteps: number;
  /** Adam step size on the meta-parameters (paper: 1e-3). */
  learningRate: number;
  batchNormAtTest: QueryNormalisation;
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
 * a second-order meta-step of the 64-filter Conv-4 on 5-way 1-shot 28x28 tasks with 15 queries per
 * class takes about 1 s on wasm with 1 thread and 0.75 s with 2 (npm run bench, December 2026).
 */
export const MAML_META_BATCH = 4;

export const MAML_HYPERPARAMETERS: Record<keyof MamlHyperparameters, HyperparameterInfo> = {
  innerSteps: {
    label: 'Inner steps (training)',
    hint: 'SGD steps on the support set per task in meta-training (paper: 1 for 5-way, 5 for 20-way). Second-order memory grows with it.',
    min: 0,
    max: 50,
  },
  innerLearningRate: { label: 'Inner learning rate (α)', hint: 'Step size alpha of the inner SGD steps, in training and at test (paper: 0.4 for 5-way, 0.1 for 20-way).', min: 0, max: 10 },
  testInnerSteps: { label: 'Inner steps at test', hint: 'SGD steps on the support set when adapting to a test episode (paper: 10).', min: 0, max: 200 },
  learningRate: { label: 'Outer learning rate (β)', hint: 'Adam step size on the meta-parameters (paper: 0.001 over 60k steps; 0.003 suits runs of a few hundred).', min: 1e-6, max: 1 },
  batchNormAtTest: {
    label: 'Batch norm for queries',
    hint: "Batch-norm statistics that normalise the queries, in training and at test: support (the support set's; non-transductive) or batch (the query batch's own; transductive, as in the paper's code).",
    choices: ['support', 'batch'],
    choiceLabels: { support: "Support set's statistics", batch: "Query batch's own (transductive)" },
  },
};

export const MAML_PAPER: PaperReference = {
  citation:
    'Chelsea Finn, Pieter Abbeel and Sergey Levine. "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks." Proceedings of the 34th International Conference on Machine Learning (ICML), PMLR 70, 2017.',
  url: 'https://arxiv.org/abs/1703.03400',
};

const MAML_DEFAULTS_NOTE =
  'The paper (5-way Omniglot): 1 inner step of α = 0.4, 10 steps at test, Adam 0.001 over 60,000 meta-steps of 32 tasks. ' +
  'Here the inner loop is the same but Adam takes steps of 0.003, because a laptop run is a few hundred meta-steps ' +
  '(on glyphs, 100 meta-steps reached 0.850 ± 0.019 with 0.003 and 0.806 ± 0.020 with 0.001), with 4 tasks per meta-step; ' +
  "and queries are normalised with the support set's batch-norm statistics (non-transductive), where the paper's code uses the query batch's own (transductive).";


const MAML_TITLE = 'MAML';
const FOMAML_TITLE = 'First-order MAML';

export const MAML_INFO: MethodInfo<MamlHyperparameters> = {
  name: 'maml',
  title: MAML_TITLE,
  paper: 'Finn, Abbeel & Levine 2017',
  defaults: { ...MAML_DEFAULTS },
  metaBatch: MAML_META_BATCH,
  hyperparameters: MAML_HYPERPARAMETERS,
  explanation: {
    title: MAML_TITLE,
    learns: "An initialisation θ of all the network's weights from which a few SGD steps on a new task's support set give a good model for that task.",
    update: 'θ′_i = θ − α ∇_θ L_support,i(θ);  θ ← θ − β ∇_θ Σ_i L_query,i(θ′_i)',
    updateSpoken:
      'For each task i, theta prime i equals theta minus alpha times the gradient of the support loss of task i at theta. ' +
      'Then theta is updated by minus beta times the gradient with respect to theta of the sum over tasks of the query loss at theta prime i, differentiating through the inner step.',
    worksWellWhen:
      'When a few gradient steps from a shared starting point are enough to specialise to a task, for any model trained by gradient descent (classification, regression, reinforcement learning). ' +
      'Caveat: the second-order meta-gradient costs memory and time that grow with the inner steps, and training is sensitive to the inner and outer step sizes.',
    paper: MAML_PAPER,
    defaults: MAML_DEFAULTS_NOTE,
  },
};

export const FOMAML_INFO: MethodInfo<MamlHyperparameters> = {
  name: 'fomaml',
  title: FOMAML_TITLE,
  paper: 'Finn, Abbeel & Levine 2017 (first-order approximation)',
  defaults: { ...MAML_DEFAULTS },
  metaBatch: MAML_META_BATCH,
  hyperparameters: MAML_HYPERPARAMETERS,
  explanation: {
    title: FOMAML_TITLE,
    learns: "The same initialisation as MAML, with a cheaper meta-gradient that ignores how the adapted weights depend on θ through the inner steps.",
    update: "θ′_i = θ − α ∇_θ L_support,i(θ);  θ ← θ − β Σ_i ∇_θ′ L_query,i(θ′_i)   (the gradient is taken at θ′_i; the inner step is not differentiated)",
    updateSpoken:
      'For each task i, theta prime i equals theta minus alpha times the gradient of the support loss at theta. ' +
      'Then theta is updated by minus beta times the sum over tasks of the gradient of the query loss taken at theta prime i, treating theta prime i as a constant: no derivative through the inner step.',
    worksWellWhen:
      'When second-order MAML is too slow or needs too much memory: the paper reports almost the same accuracy on mini-ImageNet (48.1% against 48.7%, 5-way 1-shot). ' +
      'Caveat: the dropped second-order term can matter more with many inner steps or large inner step sizes.',
    paper: MAML_PAPER,
    defaults: MAML_DEFAULTS_NOTE,
  },
};
