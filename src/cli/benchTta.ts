// `npm run bench:tta`: time to accuracy. Trains Prototypical Networks 5-way 1-shot on the Omniglot
// background archive with the experiment's recipe, validates every 30 s of training on the
// held-out alphabets (the test split, 600 episodes of seed 2017: the README's evaluation) and
// prints the training time at which validation first reaches 95%, as "reached 95% after 212 s".
// Validation time is reported apart (wall time includes it). Every experiment flag works
// (--train-way, --train-query, --hp learningRate=..., --threads, ...); this file's own flags are
// --target 0.95, --every 30 (seconds), --budget 600 (seconds of training), --continue (train on
// after reaching the target) and --out FILE (JSON).
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { classPools, testSettingsOf, trainSettingsOf } from '../core/classification/dataProblems';
import { methodForExperiment } from '../core/methods/registry';
import { timeToAccuracy, type TimedValidation } from '../core/train/timeToAccuracy';
import { formatAccuracy } from '../core/train/stats';
import { fullOmniglotBackground } from '../node/fullOmniglot';
import { stopWasmThreads } from '../node/threadedWasm';
import { parseExperimentArgs, USAGE as EXPERIMENT_USAGE, UsageError } from './experimentArgs';
import { loadExperimentData } from './loadDatasets';
import { runConfigOf, withMethodRecipe } from './runExperiment';
import { initCliBackend, log, projectVersion, stopOnInterrupt } from './runCommon';
import { CLASSIFICATION } from '../core/classification/family';

const USAGE = `Usage: npm run bench:tta -- [--target 0.95] [--every 30] [--budget 600] [--continue] [--out FILE] [experiment flags]

Trains ProtoNet 5-way 1-shot on the Omniglot background archive (../shared/data/omniglot, or
$OMNIGLOT_BACKGROUND_ZIP, or the download cache; --data PATH for another copy), validates every
--every seconds of training on the held-out alphabets (600 episodes, seed 2017) and prints when
validation first reaches --target. Any experiment flag changes the recipe (--train-way,
--train-query, --hp learningRate=0.002, --threads 1, --seed ...); see npm run experiment -- --help.
`;

interface OwnFlags {
  target: number;
  every: number;
  budget: number;
  continueAfterTarget: boolean;
  out?: string;
  rest: string[];
}

function ownFlags(argv: string[]): OwnFlags {
  const { values, tokens } = parseArgs({
    args: argv,
    options: { target: { type: 'string' }, every: { type: 'string' }, budget: { type: 'string' }, continue: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: false,
    tokens: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const mine = new Set(['target', 'every', 'budget', 'continue', 'out']);
  const rest: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'option' && mine.has(t.name)) continue;
    if (t.kind === 'option') rest.push(t.rawName, ...(t.value !== undefined && !t.inlineValue ? [t.value] : []));
    else if (t.kind === 'positional') rest.push(t.value);
  }
  const number = (name: string, text: unknown, fallback: number, ok: (n: number) => boolean, what: string) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!ok(n)) throw new UsageError(`--${name} must be ${what}, got "${String(text)}".`);
    return n;
  };
  return {
    target: number('target', values.target, 0.95, (n) => n > 0 && n <= 1, 'an accuracy between 0 and 1 (0.95 for 95%)'),
    every: number('every', values.every, 30, (n) => n > 0, 'a positive number of seconds'),
    budget: number('budget', values.budget, 600, (n) => n > 0, 'a positive number of seconds'),
    continueAfterTarget: Boolean(values.continue),
    out: typeof values.out === 'string' ? values.out : undefined,
    rest,
  };
}

const pct = (v: number) => `${(100 * v).toFixed(v === 1 ? 0 : 1).replace(/\.0$/, '')}%`;

async function main(): Promise<void> {
  let own: OwnFlags;
  let args: ReturnType<typeof parseExperimentArgs>;
  try {
    own = ownFlags(process.argv.slice(2));
    const given = new Set(own.rest.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
    const defaults: string[] = [];
    if (!given.has('--dataset')) defaults.push('--dataset', 'omniglot');
    const local = fullOmniglotBackground();
    if (!given.has('--data') && local) defaults.push('--data', local);
    for (const [flag, value] of [['--method', 'protonet'], ['--way', '5'], ['--shot', '1']]) if (!given.has(flag)) defaults.push(flag, value);
    args = parseExperimentArgs([...defaults, ...own.rest]);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${USAGE}\n${EXPERIMENT_USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (args.methods.length !== 1) throw new UsageError('bench:tta times one method; --compare is for npm run experiment.');
  const backend = await initCliBackend(args);
  const loaded = await loadExperimentData(args, log);
  if (loaded.data.family !== 'classification') throw new UsageError('bench:tta needs an image dataset.');
  const { dataset, testDataset } = loaded.data;
  // The method's own training episodes unless given, exactly as npm run experiment chooses them.
  args = withMethodRecipe(args, loaded.data, CLASSIFICATION);
  const config = runConfigOf(args, args.methods[0], CLASSIFICATION);
  const pools = classPools(dataset, testDataset, config);
  // Rotated copies (--rotations) train as extra classes; validation stays on the held-out
  // alphabets' own characters, so that its figure is the README's evaluation.
  const valPool = { ...pools.test, classIndices: pools.test.classIndices.filter((c) => !/\/rot(90|180|270)$/.test(pools.test.dataset.classes[c].name)) };
  const trainSettings = trainSettingsOf(config.sampler);
  const valSettings = testSettingsOf(config.sampler);
  const made = methodForExperiment(config.method, config.hyperparameters ?? {}, config.seed, [dataset.height, dataset.width, dataset.channels], pools.train.classIndices);
  const hp = Object.entries(made.hyperparameters).map(([k, v]) => `${k}=${v}`).join(' ');
  log(`${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${availableParallelism()} available; backend ${backend.backend} (${backend.info}).`);
  log(`Data: ${pools.description}.`);
  log(
    `Recipe: ${made.spec.title}, training episodes ${trainSettings.way}-way ${trainSettings.shot}-shot ${trainSettings.query} queries` +
      `${args.rotations ? ', rotations' : ''}${args.augmentShift ? `, shifts up to ${args.augmentShift} px` : ''}; ${hp}; seed ${config.seed}.`,
  );
  log(
    `Validation: every ${own.every} s of training, ${args.evalEpisodes} episodes ${valSettings.way}-way ${valSettings.shot}-shot ${valSettings.query} queries ` +
      `of the ${valPool.classIndices.length} held-out test classes (seed ${args.evalSeed}); target ${pct(own.target)}, budget ${own.budget} s of training.`,
  );
  const shouldStop = stopOnInterrupt();
  const row = (v: TimedValidation) =>
    `${v.trainingSeconds.toFixed(0).padStart(5)} s training ${v.wallSeconds.toFixed(0).padStart(5)} s wall  step ${String(v.step).padStart(6)}  ` +
    `${formatAccuracy(v.summary)}  (validation ${v.validationSeconds.toFixed(1)} s)`;
  const result = await timeToAccuracy(made.method, {
    trainPool: pools.train,
    trainSettings,
    episodesPerStep: config.metaBatch ?? made.spec.metaBatch ?? 1,
    augment: config.augment,
    seed: config.seed,
    valPool,
    valSettings,
    valEpisodes: args.evalEpisodes,
    valSeed: args.evalSeed,
    everySeconds: own.every,
    budgetSeconds: own.budget,
    target: own.target,
    continueAfterTarget: own.continueAfterTarget,
    onValidation: (v) => log(row(v)),
    shouldStop,
  });
  if (result.message) log(result.message);
  const last = result.validations.at(-1);
  const line = result.reached
    ? `reached ${pct(own.target)} after ${result.reached.trainingSeconds.toFixed(0)} s ` +
      `(step ${result.reached.step}, ${formatAccuracy(result.reached.summary)}; ${result.reached.wallSeconds.toFixed(0)} s wall with ${result.validations.indexOf(result.reached) + 1} validations)`
    : `did not reach ${pct(own.target)} in ${own.budget} s of training${last ? ` (last: ${formatAccuracy(last.summary)} at step ${last.step})` : ''}`;
  console.log(line);
  if (own.out) {
    writeFileSync(
      own.out,
      JSON.stringify(
        {
          version: projectVersion(),
          machine: { cores: cpus().length, model: cpus()[0]?.model, backend: backend.backend, info: backend.info, threads: args.threads },
          recipe: { method: config.method, hyperparameters: made.hyperparameters, trainSettings, rotations: args.rotations, augment: config.augment, seed: config.seed },
          validation: { settings: valSettings, episodes: args.evalEpisodes, seed: args.evalSeed, classes: valPool.classIndices.length, every: own.every },
          target: own.target,
          budget: own.budget,
          ...result,
        },
        null,
        2,
      ),
    );
    log(`Wrote ${own.out}`);
  }
}

main()
  .then(() => {
    stopWasmThreads();
    process.exit(0);
  })
  .catch((error) => {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
