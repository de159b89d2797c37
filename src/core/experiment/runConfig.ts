// An experiment's settings as plain data: the dataset, the sampler, the method and its
// hyperparameters, steps and seeds. The page sends it to the compute worker, the CLI builds it from
// flags, and the experiment plan (plan.ts) is made from it; saved runs keep it.
import type { SplitProportions } from '../episodes/split';
import type { Hyperparameters } from '../methods/catalog';

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
  /** Regression: report the MSE after these numbers of adaptation steps (default 1 and 10); validation uses the first. */
  adaptationSteps?: readonly number[];
}
