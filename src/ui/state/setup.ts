// The experiment setup: everything a user chooses before pressing Train, as one plain serialisable
// object (the store holds it; a later issue mirrors it in the URL). `setupProblems` says, per field,
// what is impossible about a setting and what to do instead, so the panel can show each message
// next to the control it concerns. No React, no DOM, no tfjs.
import { familyOf, type DatasetId } from '../../core/experiment/datasets';
import type { Hyperparameters, MethodInfo } from '../../core/methods/catalog';
import type { BackendPreference } from '../../worker/protocol';

/** A dataset of the Dataset menu: one of core's built-in datasets (experiment/datasets.ts). */
export type DatasetChoice = DatasetId;

export interface Setup {
  dataset: DatasetChoice;
  /** Test (and validation) episodes: N ways, K shots, Q queries per class. Regression: K points, Q query points. */
  way: number;
  shot: number;
  query: number;
  /** Training episodes' ways (often more than the test's, e.g. 20 for ProtoNet on Omniglot). */
  trainWay: number;
  /** Percent of class groups (alphabets) for meta-training, validation and test; they share no class. */
  split: { train: number; val: number; test: number };
  /** Support-set augmentation in training: random shifts of up to this many pixels, horizontal flips. */
  augmentShift: number;
  augmentFlip: boolean;
  method: string;
  /** Overrides of the chosen method's defaults (only the ones the user changed). */
  hyperparameters: Hyperparameters;
  steps: number;
  /** Validate on held-out validation classes every this many steps (0: never). */
  valEvery: number;
  evalEpisodes: number;
  seed: number;
  backend: BackendPreference;
}

const DEFAULT_DATASET: DatasetChoice = 'glyphs';
/** The default dataset's family decides the default sampler and method. */
const DEFAULT_FAMILY = familyOf(DEFAULT_DATASET);

export const DEFAULT_SETUP: Setup = {
  dataset: DEFAULT_DATASET,
  way: DEFAULT_FAMILY.samplerDefaults.way,
  shot: DEFAULT_FAMILY.samplerDefaults.shot,
  query: DEFAULT_FAMILY.samplerDefaults.query,
  trainWay: DEFAULT_FAMILY.samplerDefaults.trainWay,
  split: { train: 70, val: 10, test: 20 },
  augmentShift: 0,
  augmentFlip: false,
  method: DEFAULT_FAMILY.defaultMethod,
  hyperparameters: {},
  steps: 300,
  valEvery: 50,
  evalEpisodes: 600,
  seed: 1,
  backend: 'auto',
};

/** The methods that can run on a dataset: its family's (ProtoNet has no regression form). */
export function methodsFor(dataset: DatasetChoice): MethodInfo[] {
  return Object.values(familyOf(dataset).methods);
}

export function methodInfo(dataset: DatasetChoice, method: string): MethodInfo | undefined {
  return familyOf(dataset).methods[method];
}
