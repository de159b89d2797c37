// Teaching text for lecturers and students: per method, what it learns, its key update as a formula,
// when it works well (with a caveat), the paper with a link, why this playground's defaults differ
// from the paper's, and what the method does on sine waves; and a short explanation of every
// sampler setting. Plain data, no React: the panels render it, the tests check it is complete.

export interface PaperReference {
  /** Authors, title, venue, year. */
  citation: string;
  /** The paper's arXiv abstract page (or its OpenReview page when it has no arXiv version). */
  url: string;
}

export interface MethodExplanation {
  title: string;
  /** One sentence: what is learned. */
  learns: string;
  /** The key formula, plain text with Unicode. */
  update: string;
  /** The same formula spelled out in words, for screen readers. */
  updateSpoken: string;
  /** One or two sentences, with a caveat. */
  worksWellWhen: string;
  paper: PaperReference;
  /** Where this playground's defaults differ from the paper's settings, and why. */
  defaults: string;
  /** What the method is on sine-wave regression; absent when it has no regression form. */
  regression?: string;
}

const PROTONET_PAPER: PaperReference = {
  citation:
    'Jake Snell, Kevin Swersky and Richard S. Zemel. "Prototypical Networks for Few-shot Learning." Advances in Neural Information Processing Systems 30 (NIPS), 2017.',
  url: 'https://arxiv.org/abs/1703.05175',
};

const MAML_PAPER: PaperReference = {
  citation:
    'Chelsea Finn, Pieter Abbeel and Sergey Levine. "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks." Proceedings of the 34th International Conference on Machine Learning (ICML), PMLR 70, 2017.',
  url: 'https://arxiv.org/abs/1703.03400',
};

const BASELINE_PAPER: PaperReference = {
  citation:
    'Wei-Yu Chen, Yen-Cheng Liu, Zsolt Kira, Yu-Chiang Frank Wang and Jia-Bin Huang. "A Closer Look at Few-shot Classification." International Conference on Learning Representations (ICLR), 2019.',
  url: 'https://arxiv.org/abs/1904.04232',
};

const METALSTM_PAPER: PaperReference = {
  citation: 'Sachin Ravi and Hugo Larochelle. "Optimization as a Model for Few-Shot Learning." International Conference on Learning Representations (ICLR), 2017.',
  url: 'https://openreview.net/forum?id=rJY0-Kcll',
};

const MAML_DEFAULTS_NOTE =
  'The paper (5-way Omniglot): 1 inner step of α = 0.4, 10 steps at test, Adam 0.001 over 60,000 meta-steps of 32 tasks. ' +
  'Here the inner loop is the same but Adam takes steps of 0.003, because a laptop run is a few hundred meta-steps ' +
  '(on glyphs, 100 meta-steps reached 0.850 ± 0.019 with 0.003 and 0.806 ± 0.020 with 0.001), with 4 tasks per meta-step; ' +
  "and queries are normalised with the support set's batch-norm statistics (non-transductive), where the paper's code uses the query batch's own (transductive).";

export const METHOD_EXPLANATIONS: Record<string, MethodExplanation> = {
  protonet: {
    title: 'Prototypical Networks',
    learns: "An embedding network f_θ in which every image lies close to its class's prototype: the mean embedding of that class's support images.",
    update: "c_k = mean of f_θ(x) over class k's support;  p(y = k | x) ∝ exp(−‖f_θ(x) − c_k‖²)",
    updateSpoken:
      "c k is the mean of f theta of x over the support images of class k; the probability that x belongs to class k is proportional to the exponential of minus the squared distance between f theta of x and c k.",
    worksWellWhen:
      'When the classes form compact clusters in a learned embedding and test tasks look like training tasks; training with more ways than the test (20 or 60 for a 5-way test) usually helps. ' +
      'Caveat: one mean per class cannot describe a class with several distinct looks, and with 1 shot the prototype is a single, possibly atypical, image.',
    paper: PROTONET_PAPER,
    defaults:
      "The paper's optimiser (Adam 0.001, halved every 2000 steps) and Conv-4 with 64 filters. The paper trains Omniglot with 60-way episodes for far longer; " +
      'the playground starts with 5-way training (raise Training ways to follow the paper, at more time per step). Batch norm at test uses running statistics from training (non-transductive).',
  },
  maml: {
    title: 'MAML',
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
    regression:
      "On sine waves (the paper's toy problem): an MLP 1-40-40-1 meta-trained with one inner SGD step of α = 0.01 on K points per task, 25 tasks per meta-step. " +
      'After one step on 5 or 10 points it fits a new wave, where a network pre-trained on all tasks does not.',
  },
  fomaml: {
    title: 'First-order MAML',
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
    regression:
      'On sine waves: the same MLP and inner step as MAML, with the first-order meta-gradient. Train both on the same seed to see what the dropped term costs here.',
  },
  finetune: {
    title: 'Fine-tuning baseline (Baseline / Baseline++)',
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
    paper: BASELINE_PAPER,
    defaults:
      "Cosine head (Baseline++, the paper's better one) and Adam 0.001 for pre-training. The new head is fitted with 100 full-batch Adam steps of 0.01 and weight decay 0.001 instead of the paper's 100 epochs of SGD on mini-batches of 4 (other step counts and sizes landed within 0.01 here); " +
      "the cosine scale is fixed at 10, without the paper code's learnable per-class norm. The backbone stays frozen at test: fine-tuning it too helped after short pre-training but costs 15 to 30 times the time per episode.",
    regression:
      'On sine waves: the "pretrained" baseline of the MAML paper, one MLP trained to regress all tasks at once and then fine-tuned by SGD (step 0.01) on a task\'s K points. ' +
      'As the phases vary, joint training learns roughly the average wave, close to flat, and a few steps barely move it: that is the point of the paper\'s comparison.',
  },
  metalstm: {
    title: 'Meta-LSTM',
    learns: "An optimiser: an LSTM that turns the learner's gradients and loss into parameter updates (in effect per-parameter learning rates and forgetting), together with the learner's initial parameters θ_0.",
    update:
      'θ_t = f_t ⊙ θ_{t−1} − i_t ⊙ ∇_θ L_t,  with i_t = σ(W_i · [h_t, θ_{t−1}, i_{t−1}] + b_i),  f_t = σ(W_f · [h_t, θ_{t−1}, f_{t−1}] + b_f),  ' +
      'h_t = LSTM(preprocessed ∇_θ L_t and L_t)',
    updateSpoken:
      'theta t equals f t times theta t minus 1, element by element, minus i t times the gradient of the loss L t. ' +
      'The input gate i t and the forget gate f t are sigmoids of learned weights applied to an LSTM state h t computed from the gradient and the loss, the previous parameters and the previous gate. ' +
      'With f equal to 1 and i equal to a constant alpha this is plain SGD.',
    worksWellWhen:
      'When a learned update rule beats plain SGD for a small, fixed number of steps on a family of tasks. ' +
      "Caveat: it is costly (time and memory grow with the number of updates T) and sensitive to tuning; its published mini-ImageNet accuracy (43.4% 1-shot, 60.6% 5-shot) is below ProtoNet's and MAML's, and independent reproductions land a few points lower.",
    paper: METALSTM_PAPER,
    defaults:
      "The paper's hidden size 20, gradient clipping 0.25 and a Conv-4 learner with 32 filters, but T = 5 updates instead of 12 (1-shot) or 8 (5-shot) and Adam 0.003 instead of 0.001, for runs of a few hundred meta-steps " +
      '(on glyphs, 300 meta-steps reached 0.825 ± 0.024 with 0.003 and 0.740 ± 0.028 with 0.001). Time and memory per meta-step grow linearly with T.',
    regression:
      "On sine waves: the same meta-learner makes T = 5 updates to the MLP's parameters from the K points. The paper did not run this task; it is this playground's extension, for comparison with MAML.",
  },
};

/** The explanation of a method, or undefined for a name no catalog has. */
export function explanationFor(method: string): MethodExplanation | undefined {
  return Object.prototype.hasOwnProperty.call(METHOD_EXPLANATIONS, method) ? METHOD_EXPLANATIONS[method] : undefined;
}

/** "arXiv:1703.05175" or "OpenReview": the link text of a paper. */
export function paperLinkLabel(url: string): string {
  const arxiv = /arxiv\.org\/abs\/([\w.]+)/.exec(url);
  return arxiv ? `arXiv:${arxiv[1]}` : /openreview\.net/.test(url) ? 'OpenReview' : url;
}

/**
 * One explanation per sampler setting. Keys are the setup's field names as the setup checks name
 * them (way, shot, query, trainWay, split, augment, steps, valEvery, evalEpisodes, seed), plus
 * batchNormAtTest (the methods' test-time batch-norm setting).
 */
export const SAMPLER_EXPLANATIONS: Record<string, string> = {
  way: 'Ways (N): how many classes each test episode asks the model to tell apart. Chance accuracy is 1/N, so 5-way is easier than 20-way.',
  shot: 'Shots (K): labelled examples per class in the support set, the only examples of the new classes the model gets. The playground trains with the same K it tests.',
  query:
    "Queries per class: the images per class the model must classify in each episode. More queries make each episode's accuracy less noisy; they never help the model, which does not see their labels.",
  trainWay:
    'Training ways: classes per training episode. ProtoNet often trains better with more ways than it tests (the paper: 60 for Omniglot). MAML and Meta-LSTM learn an output layer of fixed width, so they need as many as the test.',
  split:
    'Class split: the percentage of class groups (alphabets) used for meta-training, validation and test. They share no class, so every reported accuracy is on classes the model never saw in training.',
  augment:
    'Augmentation: random shifts (and flips) of the training images, so the model sees more varied examples. It is applied only in training, never to test episodes.',
  steps: 'Training steps: episodes (or meta-batches of episodes) to train on. Few-shot papers train for tens of thousands; a few hundred show the trends here, not the published numbers.',
  valEvery: 'Validate every: how often to measure accuracy on the validation classes during training, to see whether the model still improves on classes it does not train on.',
  evalEpisodes:
    'Test episodes: how many test episodes the reported mean accuracy and its 95% confidence interval (1.96 × std / √episodes) are taken over. The field uses 600; fewer give a wider interval.',
  seed:
    'Seed: picks the class split, the initial weights and the training episodes, so a run can be repeated. Test episodes have a fixed seed of their own, so runs with the same seed and sampler are tested on identical episodes and can be compared pair by pair.',
  batchNormAtTest:
    "Batch norm at test: which statistics normalise the test images. Non-transductive (running averages from training, or the support set's) classifies each query on its own, the field's protocol. " +
    "Transductive (the query batch's own statistics) lets the queries of an episode inform one another, which can inflate accuracy; numbers from the two modes are not comparable.",
};
