// Guided presets for teaching: each sets up a small experiment (a first run, and the runs to train
// after it for comparison) and says what to look at and what to expect, honestly: short laptop
// runs show the trends, not the papers' numbers, and results vary with training length and seed.
// Plain data and helpers, no React. Apply a preset with `presetSetup`, which merges it over
// DEFAULT_SETUP into a complete, valid Setup (tests/unit/ui/explain.test.tsx checks every one).
import { METHOD_CATALOG } from '../../core/methods/catalog';
import { DEFAULT_SETUP, methodInfo, type Setup } from '../state/setup';

export interface GuidedPreset {
  id: string;
  title: string;
  /** What the preset sets. */
  summary: string;
  /** What to look at, and what one should (honestly) expect to see. */
  lookAt: string;
  /** The first run's settings, merged over DEFAULT_SETUP. */
  setup: Partial<Setup>;
  /** Runs to train after the first, each merged over the preset's setup (same seed, one change). */
  compare?: Partial<Setup>[];
}

/** The class split and augmentation every image preset states, so applying one fixes them too. */
const IMAGE_SAMPLER = {
  split: { train: 70, val: 10, test: 20 },
  augmentShift: 0,
  augmentFlip: false,
  evalEpisodes: 600,
  seed: 1,
} satisfies Partial<Setup>;

const PROTONET_GLYPHS: Partial<Setup> = {
  ...IMAGE_SAMPLER,
  dataset: 'glyphs',
  method: 'protonet',
  way: 5,
  shot: 1,
  query: 15,
  trainWay: 5,
  hyperparameters: {},
  steps: 300,
  valEvery: 50,
};

export const GUIDED_PRESETS: GuidedPreset[] = [
  {
    id: 'shots',
    title: '1 shot vs 5 shots',
    summary:
      'Prototypical Networks on glyphs, 5-way, 15 queries per class, 300 training steps, seed 1: first with K = 1 example per class, then the same with K = 5.',
    lookAt:
      'Train and evaluate the 1-shot run, then the 5-shot run. With five examples a prototype is the mean of five embeddings instead of a single image, ' +
      'so expect the 5-shot accuracy to be clearly higher and its confidence interval narrower (on Omniglot, after 2000 steps, this playground measured 94.0% against 98.2%). ' +
      'K also changes the training episodes: the playground trains with the K it tests. ' +
      'The comparison table does not pair these two runs: 5-shot test episodes have more support images, so they are different episodes. Compare the two evaluations, each a mean with its 95% interval, instead of a paired difference. ' +
      'The exact numbers vary with training length and seed.',
    setup: { ...PROTONET_GLYPHS },
    compare: [{ shot: 5 }],
  },
  {
    id: 'protonet-vs-finetune',
    title: 'ProtoNet vs fine-tuning',
    summary:
      'Glyphs, 5-way 1-shot, 15 queries per class, 300 training steps, seed 1: first Prototypical Networks, then the fine-tuning baseline (Baseline++, cosine head) with the same sampler and seed.',
    lookAt:
      'ProtoNet meta-learns an embedding on episodes shaped like the test; the baseline trains an ordinary classifier over all training classes and fits a new head per test episode. ' +
      'Both runs use the same class split and are evaluated on the same 600 episodes, so the comparison table pairs them episode by episode and gives the difference with its own 95% interval; ' +
      'if that interval contains 0, these episodes cannot tell the two apart. ' +
      'Chen et al. (2019) found such a baseline competitive with meta-learning on mini-ImageNet; which one wins here depends on the settings, so do not expect a fixed winner, and results vary with training length and seed. ' +
      'Try the 5-shot version too (set Shots (K) to 5 for both runs).',
    setup: { ...PROTONET_GLYPHS },
    compare: [{ method: 'finetune', hyperparameters: {} }],
  },
  {
    id: 'maml-inner-steps',
    title: "MAML's inner steps",
    summary:
      'MAML on glyphs, 5-way 1-shot with 5 queries per class (training ways must equal the test ways), 100 meta-steps of 4 tasks, seed 1; adapting to each test episode with 10 SGD steps, then with 1, then with none.',
    lookAt:
      'MAML meta-trains with one inner step (α = 0.4) and adapts to a test episode with as many SGD steps on its support set as “Inner steps at test” says. That setting changes only testing and validation, ' +
      'so with the same seed the three runs train alike and differ in how they adapt; they are evaluated on the same episodes, so the comparison table pairs them. ' +
      "With 0 steps the output layer never sees the episode's labels: expect accuracy near chance (20% for 5-way), because MAML learns a starting point, not a classifier. " +
      'One step should recover most of the accuracy, since training used one; ten (the paper\'s test setting) often add a little, but can add nothing. ' +
      "The episode viewer's accuracy-per-step chart shows the same curve on single episodes. Results vary with training length and seed. " +
      'Each run takes a few minutes on a laptop CPU, and testing with 10 steps per episode takes longer than with 1.',
    setup: {
      ...IMAGE_SAMPLER,
      dataset: 'glyphs',
      method: 'maml',
      way: 5,
      shot: 1,
      query: 5,
      trainWay: 5,
      hyperparameters: { testInnerSteps: 10 },
      steps: 100,
      valEvery: 50,
    },
    compare: [{ hyperparameters: { testInnerSteps: 1 } }, { hyperparameters: { testInnerSteps: 0 } }],
  },
  {
    id: 'transductive-batch-norm',
    title: 'What transductive batch norm hides',
    summary:
      "Prototypical Networks on glyphs, 5-way 1-shot, 15 queries per class, 300 training steps, seed 1: first tested with batch norm's running statistics (non-transductive, the default), then with the test batch's own statistics (transductive).",
    lookAt:
      "ProtoNet always trains with batch statistics; this setting changes only how test (and validation) images are normalised. With running statistics each query is classified on its own, as the field's protocol requires. " +
      "With batch statistics the 75 queries of an episode are normalised together, so each query's prediction depends on the others, and their statistics (five classes in equal numbers) inform every prediction. " +
      'With the same seed both runs train alike and see the same test episodes, so the paired difference in the comparison table is the effect of the test-time mode alone. ' +
      "Transductive accuracy is often higher, which is why numbers from code that leaves batch norm in training mode at test (such as MAML's reference code) are not comparable with non-transductive ones; " +
      "but the gap can be small, or even negative here, since with 1 shot the support set's own statistics come from only 5 images. Results vary with training length and seed; report which mode a number used. " +
      'MAML and Meta-LSTM have the same setting (support vs batch), but there it changes training as well.',
    setup: { ...PROTONET_GLYPHS, hyperparameters: { batchNormAtTest: 'running' } },
    compare: [{ hyperparameters: { batchNormAtTest: 'batch' } }],
  },
  {
    id: 'sine-maml-vs-pretraining',
    title: 'Sine waves: MAML vs pre-training',
    summary:
      "The MAML paper's regression toy: sine waves with K = 10 support points and 100 query points per task, 1000 training steps of 25 tasks, seed 1; first MAML, then a network pre-trained on all tasks and fine-tuned.",
    lookAt:
      'The pre-trained network regresses all tasks at once; since the phases vary it learns roughly their average, close to a flat line, and a step of SGD on 10 points barely bends it. ' +
      "MAML's starting point is trained so that one step of α = 0.01 fits the new wave. Expect MAML's test error (MSE) after one step to be far lower, with a clearly negative paired difference in the comparison table, " +
      'and the sine plot to show its fit moving onto the points after one step while the pre-trained fit stays nearly flat. ' +
      "The paper's code trains 70,000 meta-steps; 1000 show the effect in a minute or two, but the exact errors vary with training length and seed.",
    setup: {
      dataset: 'sinusoid',
      method: 'maml',
      shot: 10,
      query: 100,
      hyperparameters: {},
      steps: 1000,
      valEvery: 100,
      evalEpisodes: 600,
      seed: 1,
    },
    compare: [{ method: 'finetune', hyperparameters: {} }],
  },
];

export function presetById(id: string): GuidedPreset | undefined {
  return GUIDED_PRESETS.find((p) => p.id === id);
}

/**
 * Merges a patch over a setup. Hyperparameters merge name by name, except when the patch changes
 * the method or the dataset: the other method's settings do not apply, so it starts from the
 * patch's own (or none), as the store does.
 */
function mergeSetup(base: Setup, patch: Partial<Setup>): Setup {
  const newMethod = (patch.method !== undefined && patch.method !== base.method) || (patch.dataset !== undefined && patch.dataset !== base.dataset);
  return {
    ...base,
    ...patch,
    split: { ...base.split, ...patch.split },
    hyperparameters: newMethod ? { ...(patch.hyperparameters ?? {}) } : { ...base.hyperparameters, ...patch.hyperparameters },
  };
}

/**
 * The complete setup of a preset's first run (variant undefined) or of its comparison run number
 * `variant` (0-based index into `compare`), merged over DEFAULT_SETUP. `backend` is the user's
 * choice, kept from `base` when given.
 */
export function presetSetup(preset: GuidedPreset, variant?: number, base: Setup = DEFAULT_SETUP): Setup {
  const first = mergeSetup({ ...DEFAULT_SETUP, backend: base.backend }, preset.setup);
  if (variant === undefined) return first;
  const patch = preset.compare?.[variant];
  if (!patch) throw new Error(`Preset "${preset.id}" has no comparison run ${variant}.`);
  return mergeSetup(first, patch);
}

/** What a comparison run changes, e.g. "K = 5", "method: Fine-tuning baseline (Baseline / Baseline++)", "Inner steps at test = 1". */
export function describeVariant(variant: Partial<Setup>, base: Setup = DEFAULT_SETUP): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(variant)) {
    if (key === 'hyperparameters') continue;
    if (key === 'method') {
      const dataset = variant.dataset ?? base.dataset;
      parts.push(`method: ${methodInfo(dataset, String(value))?.title ?? METHOD_CATALOG[String(value)]?.title ?? String(value)}`);
    } else if (key === 'way') parts.push(`N = ${value}`);
    else if (key === 'shot') parts.push(`K = ${value}`);
    else parts.push(`${key} = ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  // A hyperparameter by its label, as the panel's control shows it (its code name is for links).
  const method = methodInfo(variant.dataset ?? base.dataset, variant.method ?? base.method);
  for (const [name, value] of Object.entries(variant.hyperparameters ?? {})) {
    const h = method?.hyperparameters[name] ?? Object.values(METHOD_CATALOG).find((m) => name in m.hyperparameters)?.hyperparameters[name];
    const shown = h?.choiceLabels?.[String(value)];
    parts.push(h ? (shown ? `${h.label}: ${shown}` : `${h.label} = ${value}`) : `${name} = ${value}`);
  }
  return parts.join(', ') || 'the same settings';
}
