// The image-classification task family, without TensorFlow.js: N-way K-shot episodes of held-out
// classes, scored by query accuracy (higher is better), with the image methods of
// methods/catalog.ts. Its planner (plan.ts beside this file) trains and evaluates it.
import { METHOD_CATALOG } from '../methods/catalog';
import { classificationDataProblems } from './dataProblems';
import type { SettingProblem } from '../settingProblems';
import type { SamplerChoice, TaskFamily } from '../experiment/taskFamily';
import { formatAccuracy } from '../train/stats';

const whole = (v: number, min: number) => Number.isInteger(v) && v >= min && v <= 1000;

function samplerProblems(s: SamplerChoice): SettingProblem[] {
  const p: SettingProblem[] = [];
  if (!whole(s.way, 2)) p.push({ code: 'out-of-range', field: 'way', message: `Ways (N) must be a whole number of at least 2 (a classifier needs two classes), got ${s.way}.` });
  if (!whole(s.shot, 1)) p.push({ code: 'out-of-range', field: 'shot', message: `Shots (K) must be a whole number of at least 1 (a class needs a labelled example), got ${s.shot}.` });
  if (!whole(s.query, 1)) p.push({ code: 'out-of-range', field: 'query', message: `Queries per class must be a whole number of at least 1, got ${s.query}.` });
  if (!whole(s.trainWay, 2)) p.push({ code: 'out-of-range', field: 'trainWay', message: `Training ways must be a whole number of at least 2, got ${s.trainWay}.` });
  return p;
}

export const CLASSIFICATION: TaskFamily = {
  id: 'classification',
  title: 'image classification',
  taskNoun: { one: 'episode', many: 'episodes' },
  testSource: 'held-out classes',
  metric: {
    name: 'accuracy',
    label: 'accuracy',
    shortLabel: 'accuracy',
    lowerIsBetter: false,
    digits: 2,
    format: (summary, digits = 2) => formatAccuracy(summary, digits),
    formatDifference: (d) => `${d.mean >= 0 ? '+' : '−'}${Math.abs(100 * d.mean).toFixed(2)} ± ${(100 * d.ci95).toFixed(2)} points`,
  },
  samplerTitle: 'Sampler',
  samplerControls: {
    way: { label: 'Ways (N)', hint: 'Classes per test episode.', min: 2 },
    shot: { label: 'Shots (K)', hint: 'Labelled examples per class.', min: 1 },
    query: { label: 'Queries per class', hint: 'Images per class to classify.', min: 1 },
    trainWay: { label: 'Training ways', hint: 'Classes per training episode (ProtoNet trains better with more ways than it tests, e.g. 20).', min: 2 },
  },
  samplerDefaults: { way: 5, shot: 1, query: 15, trainWay: 5 },
  splitsClasses: true,
  methods: METHOD_CATALOG,
  defaultMethod: 'protonet',
  unknownMethodMessage: (name) => `Unknown method "${name}"; pick one from the list.`,
  samplerProblems,
  dataProblems: classificationDataProblems,
  samplerConfig: (s) => ({ way: s.way, shot: s.shot, query: s.query, trainWay: s.trainWay, trainShot: s.shot, trainQuery: s.query }),
  describeSampler: (s) => `${s.way}-way ${s.shot}-shot`,
  describeEpisodes: (s) => `${s.way}-way ${s.shot}-shot ${s.query}-query`,
  validateEveryHint: 'Steps between accuracy checks on held-out validation classes (0: never).',
  evaluationTarget: (count) => `accuracy on ${count} test episodes of classes the run never saw`,
  describeEvaluation: (e) =>
    `${e.settings.way}-way ${e.settings.shot}-shot, ${e.settings.query} queries per class; ${e.episodes} episodes (seed ${e.seed}) of the ${e.split} split's ${e.splitClasses} classes`,
  inspection: 'episode',
};
