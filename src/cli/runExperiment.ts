// One experiment from parsed CLI flags: load and split the data, train the method with a progress
// bar, evaluate on held-out classes, print a results table and write JSON. Used by
// `npm run experiment` and `npm start`.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { registerThreadedWasmForNode } from '../node/threadedWasm';
import { conv4EmbeddingSize, defaultConv4, type Conv4Config } from '../core/nn/conv4';
import { describeSplits } from '../core/episodes/split';
import { createMethod, getMethodSpec, resolveHyperparameters } from '../core/methods/registry';
import { evaluate } from '../core/train/evaluate';
import { formatAccuracy } from '../core/train/stats';
import { train } from '../core/train/train';
import type { ExperimentArgs } from './experimentArgs';
import { loadPools } from './loadDatasets';
import { formatDuration, progressBar } from './progress';
import { projectVersion, printTable } from './report';

export const log = (line: string) => process.stderr.write(`${line}\n`);

export async function runExperiment(args: ExperimentArgs): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const backend = await initBackend(
    args.backend,
    args.backend === 'wasm' ? { threads: args.threads, nodeThreadedWasm: registerThreadedWasmForNode } : {},
  );
  log(`Backend: ${backend.backend}${backend.info ? ` (${backend.info})` : ''}`);
  const pools = await loadPools(args, log);
  for (const w of pools.warnings.slice(0, 10)) log(`warning: ${w}`);
  if (pools.warnings.length > 10) log(`warning: ... and ${pools.warnings.length - 10} more`);
  const dataset = pools.train.dataset;
  log(`Dataset: ${pools.datasets.map((d) => `${d.name} (${d.classes.length} classes, ${d.height}x${d.width}x${d.channels})`).join(' + ')}`);
  log(`Split by group, seed ${args.seed}: ${pools.datasets.length === 1 ? describeSplits(dataset, { train: [...pools.train.classIndices], val: [...pools.val.classIndices], test: [...pools.test.classIndices] }) : `train ${pools.train.classIndices.length} classes, val ${pools.val.classIndices.length} classes (of ${dataset.name}); test ${pools.test.classIndices.length} classes (all of ${pools.test.dataset.name})`}`);

  const backbone: Conv4Config = { inputShape: [dataset.height, dataset.width, dataset.channels], ...defaultConv4 };
  conv4EmbeddingSize(backbone);
  const spec = getMethodSpec(args.method);
  const hyper = resolveHyperparameters(spec, args.hyper);
  const method = createMethod(args.method, { backbone, trainClassCount: pools.train.classIndices.length, trainClasses: pools.train.classIndices }, hyper, args.seed);
  const metaBatch = args.metaBatch ?? spec.metaBatch ?? 1;
  const trainSettings = { way: args.trainWay, shot: args.trainShot, query: args.trainQuery };
  const testSettings = { way: args.way, shot: args.shot, query: args.query };
  const hasVal = pools.val.classIndices.length > 0 && args.valEvery > 0;

  let stopRequested = false;
  process.once('SIGINT', () => {
    stopRequested = true;
    log('\nStopping after this step (Ctrl-C again to quit at once) ...');
    process.once('SIGINT', () => process.exit(130));
  });

  log(`Training ${spec.title}: ${args.episodes} steps of ${trainSettings.way}-way ${trainSettings.shot}-shot ${trainSettings.query}-query episodes (meta-batch ${metaBatch})`);
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
    shouldStop: () => stopRequested,
  });
  bar.finish();
  if (training.status !== 'done') log(training.message ?? training.status);

  let evaluation = null;
  if (training.status !== 'diverged') {
    log(`Evaluating on ${args.evalEpisodes} ${testSettings.way}-way ${testSettings.shot}-shot episodes of held-out test classes (episode seed ${args.evalSeed})`);
    const evalBar = progressBar('eval ', args.evalEpisodes);
    evaluation = await evaluate(method, pools.test, testSettings, {
      episodes: args.evalEpisodes,
      seed: args.evalSeed,
      onProgress: (done) => evalBar.update(done),
    });
    evalBar.finish();
  }
  const seconds = (performance.now() - t0) / 1000;

  const config = {
    dataset: args.dataset,
    data: args.data ?? null,
    evalData: args.evalData ?? null,
    datasets: pools.datasets.map((d) => ({ name: d.name, classes: d.classes.length, shape: [d.height, d.width, d.channels] })),
    rotations: args.rotations,
    split: pools.split,
    splitClasses: { train: pools.train.classIndices.length, val: pools.val.classIndices.length, test: pools.test.classIndices.length },
    method: args.method,
    hyperparameters: hyper,
    backbone,
    trainEpisodes: trainSettings,
    testEpisodes: testSettings,
    steps: args.episodes,
    metaBatch,
    augment: { maxShift: args.augmentShift, flip: args.augmentFlip },
    evalEpisodes: args.evalEpisodes,
    seed: args.seed,
    evalSeed: args.evalSeed,
  };
  const results = {
    config,
    versions: { fewShotLab: projectVersion(), tfjs: tf.version.tfjs, node: process.version },
    backend: backend.backend,
    backendInfo: backend.info,
    training: {
      status: training.status,
      message: training.message ?? null,
      stepsDone: training.stepsDone,
      seconds: training.seconds,
      curve: training.curve,
      validation: training.validation,
    },
    evaluation: evaluation && {
      split: evaluation.split,
      splitClasses: evaluation.splitClasses,
      settings: evaluation.settings,
      episodes: evaluation.summary.episodes,
      seed: evaluation.seed,
      meanAccuracy: evaluation.summary.mean,
      ci95: evaluation.summary.ci95,
      std: evaluation.summary.std,
      labels: evaluation.labels,
      perEpisodeAccuracy: evaluation.accuracies,
    },
    seconds,
  };

  printTable([
    ['method', spec.title],
    ['dataset', pools.datasets.map((d) => d.name).join(' -> ')],
    ['test classes', `${pools.test.classIndices.length} held-out (${pools.test.name} split)`],
    ['episodes', `${testSettings.way}-way ${testSettings.shot}-shot, ${testSettings.query} queries/class, ${evaluation?.summary.episodes ?? 0} test episodes, seed ${args.evalSeed}`],
    ['training', `${training.stepsDone} steps, ${trainSettings.way}-way ${trainSettings.shot}-shot ${trainSettings.query}-query, seed ${args.seed} (${training.status})`],
    ['accuracy', evaluation ? `${formatAccuracy(evaluation.summary)} (95% CI)` : 'not evaluated (training diverged)'],
    ['batch norm at test', String(evaluation?.labels.batchNormAtTest ?? '-')],
    ['backend', `${backend.backend} (${backend.info})`],
    ['time', formatDuration(seconds)],
  ]);
  if (args.out) {
    writeFileSync(args.out, JSON.stringify(results, null, 2));
    log(`Wrote ${args.out}`);
  }
  method.dispose();
  return results;
}
