// One experiment plan from a config, for the worker and the CLI alike: the config's shared checks,
// then the planner of the data's task family (a new family adds its planner here).
import { planClassification } from '../classification/plan';
import { planRegression } from '../regression/plan';
import { SettingsError } from '../settingProblems';
import type { ExperimentData, ExperimentPlan } from './experimentPlan';
import type { RunConfig } from './runConfig';

export function planExperiment(data: ExperimentData, config: RunConfig): ExperimentPlan {
  if (!Number.isInteger(config.steps) || config.steps < 0) {
    throw new SettingsError([{ code: 'out-of-range', field: 'steps', message: `Training steps must be a whole number of at least 0, got ${config.steps}.` }]);
  }
  switch (data.family) {
    case 'classification':
      return planClassification(data, config);
    case 'regression':
      return planRegression(config);
  }
}
