// How a sine-wave regression experiment is planned: the method made once from its registry entry,
// the sampler's K and Q checked, and training, evaluation (MSE after each reported number of
// adaptation steps, the MAML paper's 1 and 10 unless the config says otherwise) and the sine plot
// as closures over them.
import { methodStateOf, type ExperimentPlan } from '../experiment/experimentPlan';
import type { RunConfig } from '../experiment/runConfig';
import { resolveHyperparameters } from '../methods/catalog';
import { SettingsError } from '../settingProblems';
import { DEFAULT_REGRESSION_EVAL_STEPS, evaluateRegression } from './evaluateRegression';
import { REGRESSION } from './family';
import { fitSine } from './fitSine';
import { getRegressionMethodSpec } from './registry';
import { regressionSettingsProblems, SINUSOID } from './sinusoid';
import { trainRegression, type RegressionValidationPoint } from './trainRegression';
import type { ValidationResult } from '../experiment/results';

const stepsLabel = (steps: number) => `MSE after ${steps} step${steps === 1 ? '' : 's'}`;

export function planRegression(config: RunConfig): ExperimentPlan {
  const spec = getRegressionMethodSpec(config.method);
  const hyperparameters = resolveHyperparameters(spec, config.hyperparameters ?? {});
  const trainSettings = { shot: config.sampler.trainShot ?? config.sampler.shot, query: config.sampler.trainQuery ?? config.sampler.shot };
  const testSettings = { shot: config.sampler.shot, query: config.sampler.query };
  // Training tasks take their K from the same control as test tasks, so their problems read alike.
  const problems = [...regressionSettingsProblems(trainSettings), ...regressionSettingsProblems(testSettings)];
  if (problems.length > 0) throw new SettingsError(problems);
  const reportedSteps = config.adaptationSteps ?? DEFAULT_REGRESSION_EVAL_STEPS;
  const method = spec.create(hyperparameters, config.seed);
  const metaBatch = config.metaBatch ?? spec.metaBatch;
  return {
    family: REGRESSION,
    method: { name: spec.name, title: spec.title, hyperparameters },
    metaBatch,
    dataDescription:
      `y = A sin(x - phase), A in [${SINUSOID.amplitude.join(', ')}], phase in [0, pi], x in [${SINUSOID.x.join(', ')}]; ` +
      'MLP 1-40-40-1, mean squared error',
    train: async (o) => {
      const toResult = (v: RegressionValidationPoint): ValidationResult => ({ step: v.step, summary: v.mse, metric: 'mse' });
      const result = await trainRegression(method, {
        settings: trainSettings,
        steps: config.steps,
        tasksPerStep: metaBatch,
        seed: config.seed,
        valEvery: config.valEvery,
        valTasks: config.valEpisodes,
        valSteps: reportedSteps[0],
        startStep: o.startStep,
        onStep: o.onStep,
        onValidation: (v) => o.onValidation?.(toResult(v)),
        shouldStop: o.shouldStop,
      });
      return { ...result, validation: result.validation.map(toResult) };
    },
    evaluate: async (o) => {
      const r = await evaluateRegression(method, testSettings, { tasks: o.episodes, seed: o.seed, steps: reportedSteps, onProgress: o.onProgress, shouldStop: o.shouldStop });
      return {
        metric: 'mse',
        results: r.mse.map((m) => ({ label: stepsLabel(m.steps), summary: m.summary, perEpisode: m.perTask })),
        episodes: r.mse[0].summary.episodes,
        seed: r.seed,
        settings: { ...config.sampler },
        split: 'test tasks',
        splitClasses: 0,
        labels: r.labels,
        stoppedEarly: r.stoppedEarly,
      };
    },
    fitSine: (seed, maxSteps) => fitSine(method, testSettings, seed, maxSteps),
    ...methodStateOf(method),
  };
}
