// The sine-wave regression methods as the UI and the CLI describe them, without TensorFlow.js. Each
// describes itself (names, papers, defaults, each hyperparameter's hint and range, what it does on
// sine waves) in its <name>RegressionInfo.ts file beside its implementation; this file lists those
// descriptions in the order the page shows them (registry.ts lists the same with `create`).
import { catalogOf } from '../methods/catalog';
import { REGRESSION_FINETUNE_INFO } from './finetuneRegressionInfo';
import { REGRESSION_FOMAML_INFO, REGRESSION_MAML_INFO } from './mamlRegressionInfo';
import { REGRESSION_METALSTM_INFO } from './metalstmRegressionInfo';
import type { RegressionMethodInfo } from './regressionMethodInfo';

export type { RegressionMethodInfo } from './regressionMethodInfo';
export { REGRESSION_MAML_DEFAULTS, REGRESSION_MAML_INFO, REGRESSION_FOMAML_INFO, type RegressionMamlHyperparameters } from './mamlRegressionInfo';
export { REGRESSION_FINETUNE_DEFAULTS, REGRESSION_FINETUNE_INFO, type RegressionFineTuneHyperparameters } from './finetuneRegressionInfo';
export { REGRESSION_METALSTM_DEFAULTS, REGRESSION_METALSTM_INFO, type RegressionMetaLstmHyperparameters } from './metalstmRegressionInfo';

/** Every sine-wave regression method, in the order the UI lists them (registry.ts's REGRESSION_METHODS lists the same). */
export const REGRESSION_METHOD_INFOS: readonly RegressionMethodInfo[] = [
  REGRESSION_MAML_INFO,
  REGRESSION_FOMAML_INFO,
  REGRESSION_FINETUNE_INFO,
  REGRESSION_METALSTM_INFO,
];

/** The same, by name. */
export const REGRESSION_CATALOG: Record<string, RegressionMethodInfo> = catalogOf(REGRESSION_METHOD_INFOS);
