// The sine-wave regression task family of the MAML paper, without TensorFlow.js: tasks of K
// support and Q query points, scored by the query points' mean squared error (lower is better),
// with the regression methods of catalog.ts. Its planner (plan.ts beside this file) trains and
// evaluates it.
import type { SettingProblem } from '../settingProblems';
import type { SamplerChoice, TaskFamily } from '../experiment/taskFamily';
import type { AccuracySummary } from '../train/stats';
import { REGRESSION_CATALOG } from './catalog';

const whole = (v: number) => Number.isInteger(v) && v >= 1 && v <= 1000;

function samplerProblems(s: SamplerChoice): SettingProblem[] {
  const p: SettingProblem[] = [];
  if (!whole(s.shot)) p.push({ code: 'out-of-range', field: 'shot', message: `Support points per task (K) must be a whole number from 1 to 1000, got ${s.shot}.` });
  if (!whole(s.query)) p.push({ code: 'out-of-range', field: 'query', message: `Query points per task must be a whole number from 1 to 1000, got ${s.query}.` });
  return p;
}

/** "0.512 ± 0.034" (squared output units); one decimal for large errors. */
function formatMse(s: AccuracySummary, digits?: number): string {
  const d = digits ?? (Math.abs(s.mean) >= 100 ? 1 : 3);
  return `${s.mean.toFixed(d)} ± ${s.ci95.toFixed(d)}`;
}

export const REGRESSION: TaskFamily = {
  id: 'regression',
  title: 'sine-wave regression',
  taskNoun: { one: 'task', many: 'tasks' },
  testSource: 'new tasks',
  metric: {
    name: 'mse',
    label: 'mean squared error',
    shortLabel: 'MSE',
    lowerIsBetter: true,
    digits: 3,
    format: formatMse,
    formatDifference: (d) => `${d.mean >= 0 ? '+' : '−'}${Math.abs(d.mean).toFixed(3)} ± ${d.ci95.toFixed(3)}`,
  },
  samplerTitle: 'Tasks',
  samplerControls: {
    // Words of regression, not of classification: a sine task has points, not classes or shots.
    shot: { label: 'Support points per task (K)', hint: 'Points of each task the model adapts to (paper: 5, 10 or 20).', min: 1 },
    query: { label: 'Query points per task', hint: 'Query points per test task on which the error (MSE) is measured.', min: 1 },
  },
  samplerDefaults: { way: 5, shot: 10, query: 100, trainWay: 5 },
  splitsClasses: false,
  methods: REGRESSION_CATALOG,
  defaultMethod: 'maml',
  unknownMethodMessage: (name) =>
    `${name === 'protonet' ? 'Prototypical Networks classify images and have no regression form' : `"${name}" cannot run sine regression`}; ` +
    'pick MAML, first-order MAML, fine-tuning or Meta-LSTM.',
  samplerProblems,
  // The MAML paper meta-trains on K points per task and measures the loss on K more.
  samplerConfig: (s) => ({ way: 1, shot: s.shot, query: s.query, trainShot: s.shot, trainQuery: s.shot }),
  describeSampler: (s) => `sine K=${s.shot}`,
  describeEpisodes: (s) => `K=${s.shot} points`,
  validateEveryHint: 'Steps between checks of the MSE on new tasks (0: never).',
  evaluationTarget: (count) => `the error (MSE) on ${count} new sine tasks`,
  describeEvaluation: (e) => `K = ${e.settings.shot} support points, ${e.settings.query} query points; ${e.episodes} test tasks (seed ${e.seed})`,
  inspection: 'sine',
};
