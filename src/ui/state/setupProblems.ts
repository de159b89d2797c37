// Checks a setup before it reaches the worker and says, per control, what is wrong and what to do.
// Given the loaded dataset's summary, it also checks the setup against the dataset's splits (class
// counts per split, images per class) with the family's own rule, the one the worker refuses a run
// with; the worker still checks, and says which setting each problem is about. `controlOf` turns
// that into the control to mark, so every error a user can cause appears next to its control.
import { familyOf } from '../../core/experiment/datasets';
import type { SamplerControl } from '../../core/experiment/taskFamily';
import type { SettingField } from '../../core/settingProblems';
import type { DatasetSummary } from '../../worker/protocol';
import { runConfigOf } from './runConfig';
import { methodInfo, type DatasetChoice, type Setup } from './setup';

/** A control of the panel an error can belong to; 'train' is the Train button itself. */
export type SetupField =
  | 'dataset'
  | 'way'
  | 'shot'
  | 'query'
  | 'trainWay'
  | 'split'
  | 'augment'
  | 'method'
  | 'steps'
  | 'valEvery'
  | 'evalEpisodes'
  | 'seed'
  | 'backend'
  | `hyper.${string}`
  | 'train';

export type FieldProblems = Partial<Record<SetupField, string>>;

const whole = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

/** `summary`: the setup's dataset as the worker loaded it (absent while it is not loaded). */
export function setupProblems(setup: Setup, summary?: DatasetSummary): FieldProblems {
  const p: FieldProblems = {};
  const family = familyOf(setup.dataset);
  for (const problem of family.samplerProblems(setup)) p[controlOf(problem.field)] ??= problem.message;
  // Only families that split classes by group (and augment images) have these controls.
  if (family.splitsClasses) {
    const { train, val, test } = setup.split;
    if (![train, val, test].every((v) => Number.isFinite(v) && v >= 0) || train + val + test !== 100) {
      p.split = `The split's percentages must be non-negative and add up to 100 (now ${train} + ${val} + ${test} = ${train + val + test}).`;
    } else if (train === 0 || test === 0) {
      p.split = 'Training and test need classes of their own: give each a share above 0%.';
    }
    if (!whole(setup.augmentShift, 0, 8)) p.augment = `Random shifts must be a whole number of pixels from 0 to 8, got ${setup.augmentShift}.`;
  }
  const info = methodInfo(setup.dataset, setup.method);
  if (!info) {
    p.method = family.unknownMethodMessage(setup.method);
  } else {
    for (const [name, value] of Object.entries(setup.hyperparameters)) {
      const h = info.hyperparameters[name];
      if (!h) continue;
      if (h.choices) {
        if (!h.choices.includes(String(value))) p[`hyper.${name}`] = `Choose one of ${h.choices.map((c) => h.choiceLabels?.[c] ?? c).join(', ')}.`;
        continue;
      }
      // Named by the control's label, which the person sees next to the message.
      const n = Number(value);
      if (!Number.isFinite(n)) p[`hyper.${name}`] = `${h.label} must be a number.`;
      else if ((h.min !== undefined && n < h.min) || (h.max !== undefined && n > h.max)) {
        p[`hyper.${name}`] = `${h.label} must be between ${h.min ?? '-∞'} and ${h.max ?? '∞'}; the default is ${info.defaults[name]}.`;
      }
    }
  }
  if (!whole(setup.steps, 1, 1_000_000)) p.steps = `Training steps must be a whole number from 1 to 1,000,000, got ${setup.steps}.`;
  if (!whole(setup.valEvery, 0, 1_000_000)) p.valEvery = `Validate every must be a whole number of steps (0 turns validation off), got ${setup.valEvery}.`;
  if (!whole(setup.evalEpisodes, 10, 10_000)) {
    // The control's label: "Test episodes", or "Test tasks" for sine regression.
    p.evalEpisodes = `Test ${family.taskNoun.many} must be a whole number from 10 to 10,000 (the field's protocol uses 600), got ${setup.evalEpisodes}.`;
  }
  if (!whole(setup.seed, 0, 2 ** 31 - 1)) p.seed = `Seed must be a whole number from 0 to 2147483647, got ${setup.seed}.`;
  // The split depends on the percentages and the seed: with either wrong there is no split to check.
  if (summary?.classList && summary.id === setup.dataset && family.dataProblems && !p.split && !p.seed) {
    for (const problem of family.dataProblems({ classes: summary.classList }, runConfigOf(setup))) p[controlOf(problem.field)] ??= problem.message;
  }
  return p;
}

/**
 * The control a problem the worker found is about: the setting it names (the training sampler's
 * shots and queries are set by the same controls as the test episodes'); 'train' when it names none.
 */
export function controlOf(field: SettingField | undefined): SetupField {
  if (field === undefined) return 'train';
  if (field === 'trainShot') return 'shot';
  if (field === 'trainQuery') return 'query';
  return field;
}

/**
 * The controls whose problems keep Train off: every setting's. Not the backend's, the dataset's
 * loading or the worker's answer to the last Train without a setting named: Train itself chooses
 * the backend and loads the dataset again, and tries again.
 */
export function blockingFields(problems: FieldProblems): SetupField[] {
  return (Object.keys(problems) as SetupField[])
    .filter((field) => problems[field] && field !== 'train' && field !== 'backend' && field !== 'dataset')
    .sort((a, b) => panelOrder(a) - panelOrder(b));
}

/** The panel's order of controls, so a list of them reads top to bottom. */
const PANEL_ORDER: readonly SetupField[] = ['dataset', 'way', 'shot', 'query', 'trainWay', 'split', 'augment', 'method', 'steps', 'valEvery', 'evalEpisodes', 'seed', 'backend'];
/** Hyperparameters come right after the method (a stable sort keeps their own order). */
const panelOrder = (field: SetupField) => (field.startsWith('hyper.') ? PANEL_ORDER.indexOf('method') + 0.5 : PANEL_ORDER.indexOf(field));

const LABELS: Partial<Record<SetupField, string>> = {
  dataset: 'Dataset',
  split: 'Class split',
  augment: 'Random shift',
  method: 'Method',
  steps: 'Training steps',
  valEvery: 'Validate every',
  evalEpisodes: 'Test episodes',
  seed: 'Seed',
  backend: 'Backend',
};

/** The label of the control a problem is marked at, as the panel shows it (a hyperparameter's is
 * the method's label for it; its code name only when the method does not know it). */
export function fieldLabel(field: SetupField, dataset: DatasetChoice, method?: string): string {
  if (field.startsWith('hyper.')) {
    const name = field.slice('hyper.'.length);
    return (method !== undefined ? methodInfo(dataset, method)?.hyperparameters[name]?.label : undefined) ?? name;
  }
  if (field === 'evalEpisodes') return `Test ${familyOf(dataset).taskNoun.many}`;
  return familyOf(dataset).samplerControls[field as SamplerControl]?.label ?? LABELS[field] ?? field;
}
