// The experiment setup: everything a user chooses before pressing Train, as one plain serialisable
// object (the store holds it; a later issue mirrors it in the URL). `setupProblems` says, per field,
// what is impossible about a setting and what to do instead, so the panel can show each message
// next to the control it concerns. No React, no DOM, no tfjs.
import { METHOD_CATALOG, type Hyperparameters, type MethodInfo } from '../../core/methods/catalog';
import { REGRESSION_CATALOG } from '../../core/regression/catalog';
import type { BackendPreference } from '../../worker/protocol';

export type DatasetChoice = 'glyphs' | 'omniglot' | 'sinusoid';

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

export const DEFAULT_SETUP: Setup = {
  dataset: 'glyphs',
  way: 5,
  shot: 1,
  query: 15,
  trainWay: 5,
  split: { train: 70, val: 10, test: 20 },
  augmentShift: 0,
  augmentFlip: false,
  method: 'protonet',
  hyperparameters: {},
  steps: 300,
  valEvery: 50,
  evalEpisodes: 600,
  seed: 1,
  backend: 'auto',
};

/** The methods that can run on a dataset (ProtoNet has no regression form). */
export function methodsFor(dataset: DatasetChoice): MethodInfo[] {
  return Object.values(dataset === 'sinusoid' ? REGRESSION_CATALOG : METHOD_CATALOG);
}

export function methodInfo(dataset: DatasetChoice, method: string): MethodInfo | undefined {
  return (dataset === 'sinusoid' ? REGRESSION_CATALOG : METHOD_CATALOG)[method];
}
