// The experiment setup as a link's query string and back, so a shared link opens the same setup.
// `setupToQuery` writes only what differs from the defaults (the default setup is an empty query),
// in a fixed order, with numbers that parse back exactly. `setupFromQuery` reads a link setting by
// setting: a bad one is skipped with a notice that names it, says why and what was kept, the rest
// still apply, and it never throws. Pure functions: no DOM, no React.
import { DATASET_IDS, familyOf } from '../../core/experiment/datasets';
import type { FamilyId } from '../../core/experiment/taskFamily';
import type { HyperparameterInfo, MethodInfo } from '../../core/methods/catalog';
import { BACKEND_ORDER, type BackendPreference } from '../../worker/protocol';
import { DEFAULT_SETUP, methodsFor, type DatasetChoice, type Setup } from './setup';

/** Keys of the same query read by other features (embed mode, a lesson's link); setupFromQuery leaves them alone. */
export const RESERVED_KEYS: readonly string[] = ['embed', 'hide', 'origin', 'lesson'];

/** Hyperparameters go in the link as `h.<name>=<value>`, right after the method. */
const HYPER_PREFIX = 'h.';

/** One setting of the link: its key, the value as written, and how the link's text is read back. */
interface Setting {
  key: string;
  write(setup: Setup): string;
  /** The setup with the text applied, or why the text cannot be used (the limit, in the panel's words). */
  read(setup: Setup, text: string): Setup | string;
}

/** Words that differ between task families (the family's own checks word them so, e.g. "Support points per task (K)"). */
type ByTask = string | Readonly<Record<FamilyId, string>>;
const byTask = (text: ByTask, setup: Setup) => (typeof text === 'string' ? text : text[familyOf(setup.dataset).id]);

type WholeField = 'way' | 'shot' | 'query' | 'trainWay' | 'augmentShift' | 'steps' | 'valEvery' | 'evalEpisodes' | 'seed';

/** A whole-number setting from min to max; `limit` completes "<label> must be a whole number ..." (setupProblems' words). */
function whole(key: string, field: WholeField, label: ByTask, min: number, max: number, limit: ByTask): Setting {
  return {
    key,
    write: (setup) => String(setup[field]),
    read(setup, text) {
      const n = parseNumber(text);
      if (Number.isInteger(n) && n >= min && n <= max) return { ...setup, [field]: n };
      // "of at least 2" would puzzle someone who gave 5000: say the upper limit then.
      return `${byTask(label, setup)} must be a whole number ${n > max ? `of at most ${max.toLocaleString('en-US')}` : byTask(limit, setup)}`;
    },
  };
}

function oneOf<F extends 'dataset' | 'backend'>(key: string, field: F, label: string, choices: readonly Setup[F][]): Setting {
  return {
    key,
    write: (setup) => setup[field],
    read: (setup, text) => (choices.includes(text as Setup[F]) ? { ...setup, [field]: text } : `${label} must be one of ${choices.join(', ')}`),
  };
}

const BACKENDS: readonly BackendPreference[] = ['auto', ...BACKEND_ORDER];
const FLIP: Record<string, boolean> = { 1: true, true: true, yes: true, on: true, 0: false, false: false, no: false, off: false };

/** Every setting but the hyperparameters, in the order the link writes them. Limits as in setupProblems. */
const SETTINGS: readonly Setting[] = [
  oneOf('dataset', 'dataset', 'Dataset', DATASET_IDS),
  whole('way', 'way', 'Ways (N)', 2, 1000, 'of at least 2'),
  whole('shot', 'shot', { classification: 'Shots (K)', regression: 'Support points per task (K)' }, 1, 1000, { classification: 'of at least 1', regression: 'from 1 to 1000' }),
  whole('query', 'query', { classification: 'Queries per class', regression: 'Query points per task' }, 1, 1000, { classification: 'of at least 1', regression: 'from 1 to 1000' }),
  whole('trainWay', 'trainWay', 'Training ways', 2, 1000, 'of at least 2'),
  {
    key: 'split',
    write: ({ split }) => `${split.train},${split.val},${split.test}`,
    read(setup, text) {
      const parts = text.split(',').map(parseNumber);
      if (parts.length !== 3 || !parts.every(Number.isFinite)) return 'The split must be three percentages (training, validation, test), e.g. 70,10,20';
      const [train, val, test] = parts;
      if (!parts.every((v) => v >= 0) || train + val + test !== 100) {
        return `The split's percentages must be non-negative and add up to 100 (now ${train} + ${val} + ${test} = ${train + val + test})`;
      }
      if (train === 0 || test === 0) return 'Training and test need classes of their own: give each a share above 0%';
      return { ...setup, split: { train, val, test } };
    },
  },
  whole('shift', 'augmentShift', 'Random shifts', 0, 8, 'of pixels from 0 to 8'),
  {
    key: 'flip',
    write: (setup) => (setup.augmentFlip ? '1' : '0'),
    read: (setup, text) => (Object.hasOwn(FLIP, text) ? { ...setup, augmentFlip: FLIP[text] } : 'Random horizontal flips must be 1 (on) or 0 (off)'),
  },
  {
    key: 'method',
    write: (setup) => setup.method,
    read: (setup, text) =>
      findMethod(setup.dataset, text) ? { ...setup, method: text } : `Method must be one of ${methodsFor(setup.dataset).map((m) => m.name).join(', ')} on ${setup.dataset}`,
  },
  whole('steps', 'steps', 'Training steps', 1, 1_000_000, 'from 1 to 1,000,000'),
  whole('valEvery', 'valEvery', 'Validate every', 0, 1_000_000, 'of steps from 0 to 1,000,000 (0 turns validation off)'),
  whole('evalEpisodes', 'evalEpisodes', { classification: 'Test episodes', regression: 'Test tasks' }, 10, 10_000, 'from 10 to 10,000'),
  whole('seed', 'seed', 'Seed', 0, 2 ** 31 - 1, 'from 0 to 2147483647'),
  oneOf('backend', 'backend', 'Backend', BACKENDS),
];
const SETTING_BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

/** The hyperparameter `name` of a method: a choice, or a number within the catalog's range. */
function hyperparameter(info: MethodInfo, name: string, h: HyperparameterInfo): Setting {
  const range =
    h.min !== undefined && h.max !== undefined ? ` between ${h.min} and ${h.max}` : h.min !== undefined ? ` of at least ${h.min}` : h.max !== undefined ? ` of at most ${h.max}` : '';
  return {
    key: HYPER_PREFIX + name,
    write: (setup) => String(Object.hasOwn(setup.hyperparameters, name) ? setup.hyperparameters[name] : info.defaults[name]),
    read(setup, text) {
      const n = parseNumber(text);
      const value = h.choices ? text : n;
      if (h.choices ? !h.choices.includes(text) : !(Number.isFinite(n) && n >= (h.min ?? -Infinity) && n <= (h.max ?? Infinity))) {
        return h.choices ? `${name} must be one of ${h.choices.join(', ')}` : `${name} must be a number${range}`;
      }
      const hyperparameters = { ...setup.hyperparameters, [name]: value };
      if (String(value) === String(info.defaults[name])) delete hyperparameters[name];
      return { ...setup, hyperparameters };
    },
  };
}

/** The method's settings, in the catalog's order (only names it has and has a default for). */
function hyperparametersOf(info: MethodInfo): Setting[] {
  return Object.entries(info.hyperparameters)
    .filter(([name]) => Object.hasOwn(info.defaults, name))
    .map(([name, h]) => hyperparameter(info, name, h));
}

/** Like setup.ts's methodInfo, but a name such as "constructor" is no method. */
function findMethod(dataset: DatasetChoice, name: string): MethodInfo | undefined {
  return methodsFor(dataset).find((m) => m.name === name);
}

/** A number as written by String(n) (or any plain decimal); NaN for anything else ("", "0x10", "Infinity"). */
function parseNumber(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
}

/** Percent-encoding that keeps commas readable (split=70,10,20); '+' is encoded, so 1e+21 survives. */
const encode = (text: string) => encodeURIComponent(text).replace(/%2C/gi, ',');

/** A link's text in a notice, cut short if long. */
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The setup with hyperparameter overrides equal to the method's default dropped (they change nothing). */
export function normaliseSetup(setup: Setup): Setup {
  const info = findMethod(setup.dataset, setup.method);
  const isDefault = (name: string, value: number | string) => info !== undefined && Object.hasOwn(info.defaults, name) && String(value) === String(info.defaults[name]);
  return { ...setup, hyperparameters: Object.fromEntries(Object.entries(setup.hyperparameters).filter(([name, value]) => !isDefault(name, value))) };
}

/** The setup as a query string without '?': only what differs from DEFAULT_SETUP and the method's defaults. */
export function setupToQuery(setup: Setup): string {
  const pairs: string[] = [];
  const info = findMethod(setup.dataset, setup.method);
  for (const setting of SETTINGS) {
    const value = setting.write(setup);
    if (value !== setting.write(DEFAULT_SETUP)) pairs.push(`${setting.key}=${encode(value)}`);
    if (setting.key !== 'method' || !info) continue;
    for (const h of hyperparametersOf(info)) {
      const name = h.key.slice(HYPER_PREFIX.length);
      if (Object.hasOwn(setup.hyperparameters, name) && h.write(setup) !== String(info.defaults[name])) pairs.push(`${encode(h.key)}=${encode(h.write(setup))}`);
    }
  }
  return pairs.join('&');
}

/**
 * The setup a link's query describes (with or without '?'), starting from `base`: each setting is
 * checked on its own and a bad one keeps base's value, with a notice saying so. The dataset and
 * method apply first, whatever their place; of a repeated key the last one counts. Never throws.
 */
export function setupFromQuery(query: string, base: Setup = DEFAULT_SETUP): { setup: Setup; notices: string[] } {
  const given = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(typeof query === 'string' ? query : '')) given.set(key, value);
  const notices: string[] = [];
  let setup: Setup = { ...base, split: { ...base.split }, hyperparameters: { ...base.hyperparameters } };
  const apply = (setting: Setting, text: string) => {
    const result = setting.read(setup, text);
    if (typeof result !== 'string') setup = result;
    else notices.push(`Ignored "${shown(setting.key)}=${shown(text)}" in the link: ${result}; kept ${shown(setting.write(setup))}.`);
  };

  // The dataset decides which methods can run; the method decides which hyperparameters exist.
  const dataset = given.get('dataset');
  if (dataset !== undefined) apply(SETTING_BY_KEY.get('dataset')!, dataset);
  if (!findMethod(setup.dataset, setup.method)) setup = { ...setup, method: familyOf(setup.dataset).defaultMethod };
  const method = given.get('method');
  if (method !== undefined) apply(SETTING_BY_KEY.get('method')!, method);
  // Another method (or task family) has other settings: start from its defaults, as the panel does.
  if (setup.dataset !== base.dataset || setup.method !== base.method) setup = { ...setup, hyperparameters: {} };
  const info = findMethod(setup.dataset, setup.method)!;
  const hyperparameters = new Map(hyperparametersOf(info).map((h) => [h.key, h]));

  for (const [key, text] of given) {
    if (key === 'dataset' || key === 'method' || RESERVED_KEYS.includes(key)) continue;
    const setting = SETTING_BY_KEY.get(key) ?? hyperparameters.get(key);
    if (setting) apply(setting, text);
    else if (key.startsWith(HYPER_PREFIX)) {
      const names = [...hyperparameters.keys()].map((k) => k.slice(HYPER_PREFIX.length)).join(', ');
      notices.push(`Ignored "${shown(key)}=${shown(text)}" in the link: ${info.title} has no setting "${shown(key.slice(HYPER_PREFIX.length))}" (it has: ${names}).`);
    } else notices.push(`Ignored unknown setting "${shown(key)}" in the link.`);
  }
  return { setup, notices };
}
