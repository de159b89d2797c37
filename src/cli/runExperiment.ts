// One experiment from parsed CLI flags: load and split the data once, then for each method (one,
// or several with --compare) train with a progress bar and evaluate on the same held-out test
// episodes; print a results table (with paired differences against the first method when
// comparing) and write JSON. Used by `npm run experiment` and `npm start`.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describeSplits } from '../core/episodes/split';
import { getMethodSpec, methodForExperiment, resolveHyperparameters, type Hyperparameters } from '../core/methods/registry';
import { conv4EmbeddingSize, defaultConv4, type Conv4Config } from '../core/nn/conv4';
import { evaluate, type EvaluationResult } from '../core/train/evaluate';
import { formatAccuracy, pairedDifference } from '../core/train/stats';
import { train, type TrainingResult } from '../core/train/train';
import type { ExperimentArgs } from './experimentArgs';
import { loadPools, type LoadedPools } from './loadDatasets';
import { formatDuration, progressBar } from './progress';
import { printComparison, printTable, projectVersion } from './report';
import { hyperparametersFor, initCliBackend, log, stopOnInterrupt, trainingJson } from './runCommon';

/** What one method's run produced. */
interface MethodRun {
  method: string;
  title: string;
  hyperparameters: Hyperparameters;
  /** Conv-4 filters of this method's backbone. */
  filters: number;
  metaBatch: number;
  training: TrainingResult;
  evaluation: EvaluationResult | null;
}

async function runMethod(
  name: string,
  args: ExperimentArgs,
  methods: string[],
  pools: LoadedPools,
  backbone: Conv4Config,
  shouldStop: () => boolean,
): Promise<MethodRun> {
  const imageShape = backbone.inputShape;
  const { method, spec, hyperparameters: hyper, backbone: methodBackbone } = methodForExperiment(
    name,
    hyperparametersFor(name, methods, args.hyper),
    args.seed,
    imageShape,
    pools.train.classIndices,
  );
  try {
    const metaBatch = args.metaBatch ?? spec.metaBatch ?? 1;
    const trainSettings = { way: args.trainWay, shot: args.trainShot, query: args.trainQuery };
    const testSettings = { way: args.way, shot: args.shot, query: args.query };
    const hasVal = pools.val.classIndices.length > 0 && args.valEvery > 0;
    log(
      `Training ${spec.title}: ${args.episodes} steps of ${trainSettings.way}-way ${trainSettings.shot}-shot ` +
        `${trainSettings.query}-query episodes (meta-batch ${metaBatch})`,
    );
    const bar = progressBar('train', args.episodes);
    let lastVal = '';
    const training = await train(method, {
      trainPool: pools.train,
      trainSettings,
      steps: args.episodes,
      episodesPerStep: metaBatch,
      seed: args.seed,
      augment: { maxShift: args.augmentShift, flip: args.augmentFlip },
      valPool: hasVal ? pools.val : undefined,
      valSettings: hasVal ? testSettings : undefined,
      valEvery: args.valEvery,
      valEpisodes: args.valEpisodes,
      onStep: (p) => bar.update(p.step, `loss ${p.loss.toFixed(3)} acc ${(100 * p.accuracy).toFixed(1)}%${lastVal}`),
      onValidation: (v) => {
        lastVal = ` val ${formatAccuracy(v.summary, 1)}`;
      },
      shouldStop,
    });
    bar.finish();
    if (training.status !== 'done') log(training.message ?? training.status);
    let evaluation: EvaluationResult | null = null;
    if (training.status !== 'diverged') {
      log(
        `Evaluating ${spec.title} on ${args.evalEpisodes} ${testSettings.way}-way ${testSettings.shot}-shot episodes ` +
          `of held-out test classes (episode seed ${args.evalSeed})`,
      );
      const evalBar = progressBar('eval ', args.evalEpisodes);
      evaluation = await evaluate(method, pools.test, testSettings, {
        episodes: args.evalEpisodes,
        seed: args.evalSeed,
        onProgress: (done) => evalBar.update(done),
      });
      evalBar.finish();
    }
    return { method: name, title: spec.title, hyperparameters: hyper, filters: methodBackbone.filters, metaBatch, training, evaluation };
  } finally {
    method.dispose();
  }
}

function describePools(args: ExperimentArgs, pools: LoadedPools): string {
  const dataset = pools.train.dataset;
  if (pools.datasets.length === 1) {
    return describeSplits(dataset, {
      train: [...pools.train.classIndices],
      val: [...pools.val.classIndices],
      test: [...pools.test.classIndices],
    });
  }
  return (
    `train ${pools.train.classIndices.length} classes, val ${pools.val.classIndices.length} classes (of ${dataset.name}); ` +
    `test ${pools.test.classIndices.length} classes (all of ${pools.test.dataset.name})`
  ) + ` [seed ${args.seed}]`;
}

function runJson(run: MethodRun) {
  const e = run.evaluation;
  return {
    method: run.method,
    hyperparameters: run.hyperparameters,
    filters: run.filters,
    metaBatch: run.metaBatch,
    training: trainingJson(run.training),
    evaluation: e && {
      split: e.split,
      splitClasses: e.splitClasses,
      settings: e.settings,
      episodes: e.summary.episodes,
      seed: e.seed,
      meanAccuracy: e.summary.mean,
      ci95: e.summary.ci95,
      std: e.summary.std,
      labels: e.labels,
      perEpisodeAccuracy: e.accuracies,
    },
  };
}

export async function runExperiment(args: ExperimentArgs): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const backend = await initCliBackend(args);
  const pools = await loadPools(args, log);
  for (const w of pools.warnings.slice(0, 10)) log(`warning: ${w}`);
  if (pools.warnings.length > 10) log(`warning: ... and ${pools.warnings.length - 10} more`);
  const dataset = pools.train.dataset;
  log(`Dataset: ${pools.datasets.map((d) => `${d.name} (${d.classes.length} classes, ${d.height}x${d.width}x${d.channels})`).join(' + ')}`);
  log(`Split by group, seed ${args.seed}: ${describePools(args, pools)}`);

  const backbone: Conv4Config = { inputShape: [dataset.height, dataset.width, dataset.channels], ...defaultConv4 };
  conv4EmbeddingSize(backbone);
  const methods = args.methods;
  // Check every method's settings before spending time on training any of them.
  for (const name of methods) resolveHyperparameters(getMethodSpec(name), hyperparametersFor(name, methods, args.hyper));

  const stopRequested = stopOnInterrupt();
  const runs: MethodRun[] = [];
  for (const name of methods) {
    if (stopRequested()) break;
    const run = await runMethod(name, args, methods, pools, backbone, stopRequested);
    runs.push(run);
    // Said as soon as it is known, so a long --compare that is cut short keeps what it measured.
    const result = run.evaluation ? `${formatAccuracy(run.evaluation.summary)} (95% CI, ${run.evaluation.summary.episodes} test episodes)` : `not evaluated (${run.training.status})`;
    log(`${run.title}: ${result}`);
  }
  const seconds = (performance.now() - t0) / 1000;

  const testSettings = { way: args.way, shot: args.shot, query: args.query };
  const config = {
    dataset: args.dataset,
    data: args.data ?? null,
    evalData: args.evalData ?? null,
    datasets: pools.datasets.map((d) => ({ name: d.name, classes: d.classes.length, shape: [d.height, d.width, d.channels] })),
    rotations: args.rotations,
    split: pools.split,
    splitClasses: { train: pools.train.classIndices.length, val: pools.val.classIndices.length, test: pools.test.classIndices.length },
    methods,
    backbone,
    trainEpisodes: { way: args.trainWay, shot: args.trainShot, query: args.trainQuery },
    testEpisodes: testSettings,
    steps: args.episodes,
    augment: { maxShift: args.augmentShift, flip: args.augmentFlip },
    evalEpisodes: args.evalEpisodes,
    seed: args.seed,
    evalSeed: args.evalSeed,
  };
  const baseline = runs[0]?.evaluation;
  const comparison = runs.slice(1).map((run) => {
    if (!run.evaluation || !baseline) return { method: run.method, against: runs[0].method, difference: null };
    const d = pairedDifference(run.evaluation.accuracies, baseline.accuracies);
    return { method: run.method, against: runs[0].method, difference: d };
  });
  const results = {
    config,
    versions: { fewShotLab: projectVersion(), tfjs: tf.version.tfjs, node: process.version },
    backend: backend.backend,
    backendInfo: backend.info,
    runs: runs.map(runJson),
    comparison,
    seconds,
  };

  const shared: Array<[string, string]> = [
    ['dataset', pools.datasets.map((d) => d.name).join(' -> ')],
    ['test classes', `${pools.test.classIndices.length} held-out (${pools.test.name} split)`],
    ['episodes', `${testSettings.way}-way ${testSettings.shot}-shot, ${testSettings.query} queries/class, ${args.evalEpisodes} test episodes, seed ${args.evalSeed}`],
    ['training', `${args.episodes} steps, ${args.trainWay}-way ${args.trainShot}-shot ${args.trainQuery}-query, seed ${args.seed}`],
    ['backend', `${backend.backend} (${backend.info})`],
    ['time', formatDuration(seconds)],
  ];
  if (runs.length === 1) {
    const [run] = runs;
    printTable([
      ['method', run.title],
      ...shared.slice(0, 4),
      ['status', run.training.status === 'done' ? 'done' : `${run.training.status}: ${run.training.message ?? ''}`],
      ['accuracy', run.evaluation ? `${formatAccuracy(run.evaluation.summary)} (95% CI)` : 'not evaluated (training diverged)'],
      ['batch norm at test', String(run.evaluation?.labels.batchNormAtTest ?? '-')],
      ...shared.slice(4),
    ]);
  } else {
    printTable(shared);
    printComparison(
      runs.map((run, i) => ({
        method: run.title,
        accuracy: run.evaluation ? formatAccuracy(run.evaluation.summary) : `not evaluated (${run.training.status})`,
        difference: i === 0 ? 'baseline' : comparison[i - 1].difference ? formatAccuracy(comparison[i - 1].difference!) : '-',
        batchNorm: String(run.evaluation?.labels.batchNormAtTest ?? '-'),
        status: run.training.status,
      })),
    );
  }
  if (args.out) {
    writeFileSync(args.out, JSON.stringify(results, null, 2));
    log(`Wrote ${args.out}`);
  }
  return results;
}
