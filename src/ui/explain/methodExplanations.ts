// Teaching text for lecturers and students: per method, what it learns, its key update as a formula,
// when it works well (with a caveat), the paper with a link, why this playground's defaults differ
// from the paper's, and what the method does on sine waves; and a short explanation of every
// sampler setting. Plain data, no React: the panels render it, the tests check it is complete.
// Each method's text lives in its description beside its implementation (core/methods/<name>Info.ts,
// core/regression/<name>RegressionInfo.ts: the `explanation` field); this file reads it from there.
import { FAMILIES } from '../../core/experiment/datasets';
import type { TaskFamily } from '../../core/experiment/taskFamily';
import type { MethodExplanation } from '../../core/methods/catalog';

export type { MethodExplanation, PaperReference } from '../../core/methods/catalog';

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * Every method's whole explanation by name: what each task family's description of it says, merged
 * (the image description's text with the sine-wave part of the regression description's).
 */
export const METHOD_EXPLANATIONS: Record<string, MethodExplanation> = (() => {
  const out: Record<string, MethodExplanation> = {};
  for (const family of Object.values(FAMILIES)) {
    for (const info of Object.values(family.methods)) out[info.name] = { ...own(out, info.name), ...info.explanation };
  }
  return out;
})();

/**
 * The explanation of a method, or undefined for a name no catalog has. With a family: what that
 * family's description says, or for a method the family cannot run (ProtoNet on sine waves) the
 * method's explanation without that family's part.
 */
export function explanationFor(method: string, family?: TaskFamily): MethodExplanation | undefined {
  return (family && own(family.methods, method)?.explanation) ?? own(METHOD_EXPLANATIONS, method);
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
