// Turns the playground's setup into what the worker takes: which dataset source to load and the
// run's configuration. One place decides how UI settings map to training settings.
import { familyOf } from '../../core/experiment/datasets';
import type { RunConfig } from '../../worker/protocol';
import type { Setup } from './setup';

/** Validation episodes per check during training: enough for a readable curve, few enough to keep training moving. */
export const VALIDATION_EPISODES = 50;
/** Seed of the test episodes: fixed, so every run of a dataset and sampler is evaluated on identical episodes. */
export const EVALUATION_SEED = 2017;

export function runConfigOf(setup: Setup): RunConfig {
  const family = familyOf(setup.dataset);
  return {
    datasetId: setup.dataset,
    split: family.splitsClasses ? { train: setup.split.train / 100, val: setup.split.val / 100, test: setup.split.test / 100 } : undefined,
    sampler: family.samplerConfig(setup),
    method: setup.method,
    hyperparameters: { ...setup.hyperparameters },
    steps: setup.steps,
    augment: family.splitsClasses ? { maxShift: setup.augmentShift, flip: setup.augmentFlip } : undefined,
    seed: setup.seed,
    valEvery: setup.valEvery,
    valEpisodes: VALIDATION_EPISODES,
  };
}

/** "MAML 5-way 1-shot" or "MAML sine K=10": the default name of a run. */
export function describeSetup(setup: Setup, methodTitle: string): string {
  return `${methodTitle} ${familyOf(setup.dataset).describeSampler(setup)}`;
}
