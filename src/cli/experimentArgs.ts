// Parses and checks the flags of `npm run experiment`. Every mistake becomes a UsageError whose
// message says what was wrong; the entry point prints it with the usage text, never a stack trace.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { OMNIGLOT_ARCHIVES } from '../core/data/omniglotSources';
import { parseSplit, type SplitProportions } from '../core/episodes/split';
import { DATASET_IDS, FAMILIES, familyOf, type DatasetId } from '../core/experiment/datasets';
import { CLASSIFICATION } from '../core/classification/family';
import type { Hyperparameters } from '../core/methods/catalog';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--data omniglot:background` / `--eval-data omniglot:evaluation`: an official archive by name. */
export const OMNIGLOT_PREFIX = 'omniglot:';

/** A built-in dataset, or 'folder': the user's images laid out <class>/<image>. */
export type DatasetKind = DatasetId | 'folder';
const DATASET_KINDS: readonly string[] = [...DATASET_IDS, 'folder'];
export type NodeBackend = 'wasm' | 'cpu';

export interface ExperimentArgs {
  dataset: DatasetKind;
  data?: string;
  evalData?: string;
  split?: SplitProportions;
  rotations: boolean;
  imageSize?: number;
  channels?: 1 | 3;
  /** One method (--method) or several compared on identical episodes (--compare). */
  methods: string[];
  hyper: Hyperparameters;
  way: number;
  shot: number;
  query: number;
  trainWay: number;
  trainShot: number;
  trainQuery: number;
  /** Which training-episode flags the user gave; the others may follow the method's recipe (runExperiment.ts). */
  trainEpisodesGiven: { trainWay: boolean; trainQuery: boolean };
  episodes: number;
  /** Episodes per training step; undefined = the method's default. */
  metaBatch?: number;
  augmentShift: number;
  augmentFlip: boolean;
  evalEpisodes: number;
  /** sinusoid: adaptation step counts after which the test MSE is reported. */
  evalSteps: number[];
  valEvery: number;
  valEpisodes: number;
  seed: number;
  evalSeed: number;
  backend: NodeBackend;
  /** wasm threads (XNNPACK's convolutions); default: the machine's cores, at most 4. */
  threads: number;
  out?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run experiment -- [options]

Trains a few-shot method on meta-train classes and evaluates it on held-out classes
(mean accuracy and 95% confidence interval over test episodes).

Data
  --dataset ${DATASET_KINDS.join('|')}
                                     built-in procedural glyphs (default, offline), an Omniglot
                                     archive, an image folder / zip laid out <class>/<image>, or
                                     the sine-wave regression tasks of the MAML paper (generated)
  --data PATH                        omniglot: images_background.zip (or images_evaluation.zip),
                                     or omniglot:background / omniglot:evaluation for the official
                                     archive, downloaded once into the cache (the default:
                                     omniglot:background); folder: a directory or .zip
  --eval-data PATH                   a second archive whose classes are the test set (e.g.
                                     omniglot:evaluation, the Lake split); then --data is split
                                     train/val only
  --split TRAIN,VAL,TEST             class split by group (alphabet), fractions (0.7,0.1,0.2, the
                                     default) or group counts (24,6,0); with --eval-data the
                                     default is 0.8,0.2,0
  --rotations                        omniglot: add 90/180/270-degree rotations as new classes
  --image-size N                     folder: resize images to N x N (default 84); glyphs: 28
  --channels 1|3                     folder: grayscale or colour (default 3)

Episodes
  --way N --shot K --query Q         test episodes: N-way K-shot, Q queries per class (5, 1, 15)
  --train-way N                      ways of training episodes (default: --way; protonet alone:
                                     20, or the training classes if fewer; its paper trains 60-way)
  --train-shot K --train-query Q     shots and queries of training episodes (default: test values;
                                     protonet alone: 5 queries)
  sinusoid: --shot K support points per task (default 10), --query Q test query points (default
  100), --train-query query points of training tasks (default K); no --way

Method
  --method NAME                      ${Object.keys(CLASSIFICATION.methods).join(', ')} (default protonet)
  --compare A,B,...                  train each method and evaluate all on identical test episodes;
                                     prints accuracy and the paired difference to the first
  --hp NAME=VALUE                    a method hyperparameter, repeatable (e.g. --hp learningRate=0.001);
                                     METHOD.NAME=VALUE sets it for one compared method only
  --episodes N                       training steps (default 2000)
  --meta-batch N                     episodes per training step (default: the method's, e.g.
                                     1 for protonet, 4 for maml)
  --augment-shift P                  shift training images by up to P pixels (default 0)
  --augment-flip                     mirror training images at random (photos, not characters)

Evaluation
  --eval-episodes M                  test episodes (default 600); sinusoid: test tasks
  --eval-steps A,B,...               sinusoid: report the test MSE after these numbers of
                                     adaptation steps (default 1,10)
  --val-every N --val-episodes M     validate on the val split every N steps (default: 10 times
                                     per run, 100 episodes)
  --seed S                           seed of split, initialisation and training episodes (default 1)
  --eval-seed S                      seed of test episodes (default 2017): equal seeds, equal episodes

Run
  --backend wasm|cpu                 tfjs backend (default wasm)
  --threads N                        wasm threads (default: this machine's cores, at most 4)
  --out FILE                         write config, versions, curves and results as JSON
  -h, --help                         this text

Downloads
  Omniglot archives named as omniglot:... are fetched only when asked for, from the dataset's
  official address (github.com/brendenlake/omniglot), checked and kept in $XDG_CACHE_HOME/few-shot-lab
  (~/.cache/few-shot-lab; FEW_SHOT_LAB_CACHE overrides it); with the cache, runs work offline.
  FEW_SHOT_LAB_MIRROR=URL fetches the same file names from another folder URL instead.

Example
  npm run experiment -- --dataset omniglot --method protonet --way 5 --shot 1 --train-way 20 \\
    --episodes 2000 --out results.json
`;

function wholeNumber(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${text}".`);
  }
  return n;
}

function parseEvalSteps(text: string | undefined): number[] {
  if (text === undefined) return [1, 10];
  const steps = text.split(',').map((t) => Number(t.trim()));
  if (steps.length === 0 || steps.some((n) => !Number.isInteger(n) || n < 0 || n > 1000)) {
    throw new UsageError(`--eval-steps takes whole numbers from 0 to 1000 separated by commas (e.g. 1,10), got "${text}".`);
  }
  return steps;
}

export function parseExperimentArgs(argv: string[]): ExperimentArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string' },
        data: { type: 'string' },
        'eval-data': { type: 'string' },
        split: { type: 'string' },
        rotations: { type: 'boolean' },
        'image-size': { type: 'string' },
        channels: { type: 'string' },
        method: { type: 'string' },
        compare: { type: 'string' },
        hp: { type: 'string', multiple: true },
        way: { type: 'string' },
        shot: { type: 'string' },
        query: { type: 'string' },
        'train-way': { type: 'string' },
        'train-shot': { type: 'string' },
        'train-query': { type: 'string' },
        episodes: { type: 'string' },
        'meta-batch': { type: 'string' },
        'augment-shift': { type: 'string' },
        'augment-flip': { type: 'boolean' },
        'eval-episodes': { type: 'string' },
        'eval-steps': { type: 'string' },
        'val-every': { type: 'string' },
        'val-episodes': { type: 'string' },
        seed: { type: 'string' },
        'eval-seed': { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs's messages name the flag ("Unknown option '--wya'"); drop its own advice lines.
    throw new UsageError(String((error as Error).message).split('\n')[0]);
  }
  const str = (name: string) => values[name] as string | undefined;
  const dataset = (str('dataset') ?? 'glyphs') as DatasetKind;
  if (!DATASET_KINDS.includes(dataset)) {
    throw new UsageError(`--dataset must be ${DATASET_KINDS.slice(0, -1).join(', ')} or ${DATASET_KINDS.at(-1)}, got "${dataset}".`);
  }
  const family = familyOf(dataset);
  if (!family.splitsClasses) {
    const imageOnly = ['data', 'eval-data', 'split', 'rotations', 'image-size', 'channels', 'way', 'train-way', 'augment-shift', 'augment-flip'];
    const given = imageOnly.filter((name) => values[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(`--dataset ${dataset} generates ${family.title} tasks; ${given.map((n) => `--${n}`).join(', ')} ${given.length > 1 ? 'are' : 'is'} for image datasets.`);
    }
  }
  if (dataset === 'folder' && !str('data')) {
    throw new UsageError('--dataset folder needs --data PATH to a directory or .zip laid out <class>/<image>.');
  }
  for (const flag of ['data', 'eval-data']) {
    const value = str(flag);
    if (value === undefined || !value.startsWith(OMNIGLOT_PREFIX)) continue;
    if (dataset !== 'omniglot') throw new UsageError(`--${flag} ${value} is an Omniglot archive: add --dataset omniglot.`);
    if (!(value.slice(OMNIGLOT_PREFIX.length) in OMNIGLOT_ARCHIVES)) {
      throw new UsageError(`--${flag} takes a path, omniglot:background or omniglot:evaluation; got "${value}".`);
    }
  }
  if (dataset === 'glyphs' && str('data')) {
    throw new UsageError('--data is for omniglot and folder datasets; glyphs are generated (drop --data or pick --dataset).');
  }
  if (str('method') !== undefined && str('compare') !== undefined) {
    throw new UsageError('Give either --method NAME or --compare A,B,... (not both).');
  }
  const methods = str('compare') !== undefined ? str('compare')!.split(',').map((m) => m.trim()) : [str('method') ?? family.defaultMethod];
  const known = Object.keys(family.methods);
  for (const method of methods) {
    if (!known.includes(method)) {
      const other = Object.values(FAMILIES).find((f) => f !== family && method in f.methods);
      const why = other ? ` (${other.methods[method].title} is a method of ${other.title}, not ${family.title})` : '';
      throw new UsageError(`${str('compare') !== undefined ? '--compare' : '--method'} takes methods among ${known.join(', ')}; got "${method}"${why}.`);
    }
  }
  if (new Set(methods).size !== methods.length) throw new UsageError(`--compare lists a method twice: ${methods.join(',')}.`);
  const hyper: Hyperparameters = {};
  for (const item of (values.hp as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp takes NAME=VALUE, got "${item}".`);
    const value = item.slice(eq + 1);
    hyper[item.slice(0, eq)] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const backend = (str('backend') ?? 'wasm') as NodeBackend;
  if (!['wasm', 'cpu'].includes(backend)) {
    throw new UsageError(`--backend must be wasm or cpu in Node, got "${backend}".`);
  }
  let split: SplitProportions | undefined;
  if (str('split') !== undefined) {
    try {
      split = parseSplit(str('split')!);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const channelsText = str('channels');
  if (channelsText !== undefined && channelsText !== '1' && channelsText !== '3') {
    throw new UsageError(`--channels must be 1 or 3, got "${channelsText}".`);
  }
  const way = wholeNumber('way', str('way'), 5, 2);
  const shot = wholeNumber('shot', str('shot'), family.samplerDefaults.shot, 1);
  const query = wholeNumber('query', str('query'), family.samplerDefaults.query, 1);
  const episodes = wholeNumber('episodes', str('episodes'), 2000, 0);
  return {
    dataset,
    // Omniglot without a path: the official background set, downloaded once into the cache.
    data: str('data') ?? (dataset === 'omniglot' ? `${OMNIGLOT_PREFIX}background` : undefined),
    evalData: str('eval-data'),
    split,
    rotations: Boolean(values.rotations),
    imageSize: str('image-size') === undefined ? undefined : wholeNumber('image-size', str('image-size'), 84, 16),
    channels: channelsText === undefined ? undefined : (Number(channelsText) as 1 | 3),
    methods,
    hyper,
    way,
    shot,
    query,
    trainWay: wholeNumber('train-way', str('train-way'), way, 2),
    trainShot: wholeNumber('train-shot', str('train-shot'), shot, 1),
    // The family's default: the test queries for images, K more points for sine waves (the MAML paper).
    trainQuery: wholeNumber('train-query', str('train-query'), family.samplerConfig({ way, shot, query, trainWay: way }).trainQuery ?? query, 1),
    trainEpisodesGiven: { trainWay: str('train-way') !== undefined, trainQuery: str('train-query') !== undefined },
    episodes,
    metaBatch: str('meta-batch') === undefined ? undefined : wholeNumber('meta-batch', str('meta-batch'), 1, 1),
    augmentShift: wholeNumber('augment-shift', str('augment-shift'), 0, 0),
    augmentFlip: Boolean(values['augment-flip']),
    evalEpisodes: wholeNumber('eval-episodes', str('eval-episodes'), 600, 1),
    evalSteps: parseEvalSteps(str('eval-steps')),
    valEvery: wholeNumber('val-every', str('val-every'), Math.max(1, Math.round(episodes / 10)), 0),
    valEpisodes: wholeNumber('val-episodes', str('val-episodes'), 100, 1),
    seed: wholeNumber('seed', str('seed'), 1, 0),
    evalSeed: wholeNumber('eval-seed', str('eval-seed'), 2017, 0),
    backend,
    threads: wholeNumber('threads', str('threads'), Math.min(4, availableParallelism()), 1),
    out: str('out'),
    help: Boolean(values.help),
  };
}
