// A run's settings as the page sends them to the compute worker (and the CLI builds them): the
// dataset, the sampler, the method and its hyperparameters, steps and seeds. Plain data, kept apart
// from the message types so that every protocol file can name a run's config without importing
// another protocol file.
import type { SplitProportions } from '../core/episodes/split';
import type { Hyperparameters } from '../core/methods/registry';

export interface SamplerConfig {
  /** N, K, Q of test (and validation) episodes; regression uses shot (K points) and query. */
  way: number;
  shot: number;
  query: number;
  /** Training episodes (default: the test values). */
  trainWay?: number;
  trainShot?: number;
  trainQuery?: number;
}

export interface RunConfig {
  datasetId: string;
  split?: SplitProportions;
  sampler: SamplerConfig;
  method: string;
  hyperparameters?: Hyperparameters;
  steps: number;
  /** Episodes (or tasks) per step; default: the method's. */
  metaBatch?: number;
  augment?: { maxShift: number; flip: boolean };
  seed: number;
  /** Validate every this many steps (0: never), on this many episodes of the val split. */
  valEvery?: number;
  valEpisodes?: number;
}
