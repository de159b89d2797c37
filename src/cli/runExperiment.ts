// One experiment from parsed CLI flags, for every task family: load the data once, then for each
// method (one, or several with --compare) plan the experiment in core, train with a progress bar
// and evaluate on the same seeded test tasks; print a results table (with paired differences
// against the first method when comparing) and write JSON. Used by `npm run experiment`.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { familyOf } from '../core/experiment/datasets';
import type { ExperimentPlan } from '../core/experiment/experimentPlan';
import { planExperiment } from '../core/experiment/planExperiment';
import type { ExperimentData } from '../core/experiment/experimentPlan';
import type { RunConfig } from '../core/experiment/runConfig';
import { countOf, type TaskFamily } from '../core/experiment/taskFamily';
import { classPools } from '../core/classification/dataProblems';
import { withTrainingRecipe } from '../core/classification/trainingRecipe';
import { resolveHyperparameters } from '../core/methods/catalog';
import { SettingsError } from '../core/settingProblems';
import { pairedDifference } from '../core/train/stats';
import type { ExperimentArgs } from './experimentArgs';
import { resultsJson, type MethodRun } from './experimentJson';
import { loadExperimentData } from './loadDatasets';
import { formatDuration, progressBar } from './progress';
import { printExperimentReport } from './report';
import { hyperparametersFor, initCliBackend, log, stopOnInterrupt } from './runCommon';

/** The run config of one method, from the flags. */
export function runConfigOf(args: ExperimentArgs, method: string, family: TaskFamily): RunConfig {
  return {
    datasetId: args.dataset,
    split: args.split,
    sampler: { way: args.way, shot: args.shot, query: args.query, trainWay: args.trainWay, trainShot: args.trainShot, trainQuery: args.trainQuery },
    method,
    hyperparameters: hyperparametersFor(method, args.methods, args.hyper, (m) => family.methods[m].defaults),
    steps: args.episodes,
    metaBatch: args.metaBatch,
    augment: { maxShift: args.augmentShift, flip: args.augmentFlip },
    seed: args.seed,
    valEvery: args.valEvery,
    valEpisodes: args.valEpisodes,
    adaptationSteps: args.evalSteps,
  };
}

/**
 * The flags with a lone method's own training episodes where the user gave none (ProtoNet: 20-way
 * 5-query, trainingRecipe.ts), fitted to this data's training classes. A comparison keeps the
 * test's episodes for every method, so that no method is trained on different tasks unasked.
 */
export function withMethodRecipe(args: ExperimentArgs, data: ExperimentData, family: TaskFamily): ExperimentArgs {
  if (data.family !== 'classification' || args.methods.length !== 1) return args;
  const info = family.methods[args.methods[0]];
  const pools = classPools(data.dataset, data.testDataset, { split: args.split, seed: args.seed });
  const trainClasses = pools.train.classIndices.map((i) => data.dataset.classes[i]);
  const sampler = withTrainingRecipe(
    { way: args.way, shot: args.shot, query: args.query, trainWay: args.trainWay, trainShot: args.trainShot, trainQuery: args.trainQuery },
    info,
    trainClasses,
    args.trainEpisodesGiven,
  );
  if (sampler.trainWay === args.trainWay && sampler.trainQuery === args.trainQuery) return args;
  log(
    `Training episodes: ${sampler.trainWay}-way ${args.trainShot}-shot ${sampler.trainQuery}-query, the recipe for ${info.title} ` +
      '(what reaches a held-out accuracy soonest: npm run bench:tta; --train-way and --train-query choose others).',
  );
  return { ...args, trainWay: sampler.trainWay!, trainQuery: sampler.trainQuery! };
}

/** Checks every method's name and settings before time goes into training any of them. */
function checkMethods(args: ExperimentArgs, family: TaskFamily): void {
  for (const name of args.methods) {
    const info = family.methods[name];
    if (!info) throw new SettingsError([{ code: 'unknown-method', field: 'method', message: family.unknownMethodMessage(name) }]);
    resolveHyperparameters(info, hyperparametersFor(name, args.methods, args.hyper, (m) => family.methods[m].defaults));
  }
}

async function runMethod(plan: ExperimentPlan, args: ExperimentArgs, config: RunConfig, shouldStop: () => boolean): Promise<MethodRun> {
  const { family } = plan;
  const trainSampler = { way: args.trainWay, shot: args.trainShot, query: args.trainQuery };
  log(`Training ${plan.method.title}: ${args.episodes} steps of ${countOf(family, plan.metaBatch)} (${family.describeEpisodes(trainSampler)})`);
  const bar = progressBar('train', args.episodes);
  let lastVal = '';
  const training = await plan.train({
    onStep: (p) => bar.update(p.step, `loss ${p.loss.toFixed(3)}${p.accuracy === undefined ? '' : ` acc ${(100 * p.accuracy).toFixed(1)}%`}${lastVal}`),
    onValidation: (v) => {
      lastVal = ` val ${family.metric.format(v.summary, 1)}`;
    },
    shouldStop,
  });
  bar.finish();
  if (training.status !== 'done') log(training.message ?? training.status);
  let evaluation: MethodRun['evaluation'] = null;
  if (training.status !== 'diverged') {
    log(`Evaluating ${plan.method.title} on ${countOf(family, args.evalEpisodes)} (${family.describeEpisodes(args)}) of ${family.testSource} (seed ${args.evalSeed})`);
    const evalBar = progressBar('eval ', args.evalEpisodes);
    evaluation = await plan.evaluate({ episodes: args.evalEpisodes, seed: args.evalSeed, embedOnce: true, onProgress: (done) => evalBar.update(done) });
    evalBar.finish();
  }
  return { method: config.method, title: plan.method.title, hyperparameters: plan.method.hyperparameters, metaBatch: plan.metaBatch, training, evaluation };
}

function describeData(data: ExperimentData, datasets: ExperimentArgs['dataset'] | string): string {
  return data.family === 'classification'
    ? [data.dataset, data.testDataset].filter((d) => d !== undefined).map((d) => `${d.name} (${d.classes.length} classes, ${d.height}x${d.width}x${d.channels})`).join(' + ')
    : datasets;
}

/** What a caller adds to each method's run while its plan (and trained state) is alive, e.g. --export-pytorch. */
export interface ExperimentHooks {
  afterMethod?(plan: ExperimentPlan, data: ExperimentData, config: RunConfig, run: MethodRun): Promise<void>;
}

export async function runExperiment(given: ExperimentArgs, hooks: ExperimentHooks = {}): Promise<Record<string, unknown>> {
  let args = given;
  const t0 = performance.now();
  const family = familyOf(args.dataset);
  const backend = await initCliBackend(args);
  const loaded = await loadExperimentData(args, log);
  for (const w of loaded.warnings.slice(0, 10)) log(`warning: ${w}`);
  if (loaded.warnings.length > 10) log(`warning: ... and ${loaded.warnings.length - 10} more`);
  log(`Dataset: ${describeData(loaded.data, args.dataset)}`);
  checkMethods(args, family);
  args = withMethodRecipe(args, loaded.data, family);

  const stopRequested = stopOnInterrupt();
  const runs: MethodRun[] = [];
  let dataDescription = '';
  for (const name of args.methods) {
    if (stopRequested()) break;
    const config = runConfigOf(args, name, family);
    const plan = planExperiment(loaded.data, config);
    try {
      if (!dataDescription) log(`${family.splitsClasses ? `Split by group, seed ${args.seed}` : 'Tasks'}: ${(dataDescription = plan.dataDescription)}`);
      const run = await runMethod(plan, args, config, stopRequested);
      runs.push(run);
      await hooks.afterMethod?.(plan, loaded.data, config, run);
      // Said as soon as it is known, so a long --compare that is cut short keeps what it measured.
      const results = run.evaluation?.results.map((r) => `${r.label} ${family.metric.format(r.summary)} (95% CI)`).join(', ');
      log(`${run.title}: ${results ? `${results}, ${countOf(family, run.evaluation!.episodes)}` : `not evaluated (${run.training.status})`}`);
    } finally {
      plan.dispose();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const baseline = runs[0]?.evaluation;
  const comparison = runs.slice(1).map((run) => ({
    method: run.method,
    against: runs[0].method,
    differences: (baseline?.results ?? []).map((b, k) => ({
      label: b.label,
      difference: run.evaluation ? pairedDifference(run.evaluation.results[k].perEpisode, b.perEpisode) : null,
    })),
  }));
  printExperimentReport({ family, args, runs, comparison, dataDescription, datasets: describeData(loaded.data, args.dataset), backend, time: formatDuration(seconds) });
  const results = resultsJson({ family, args, runs, comparison, datasets: loaded.datasets, backend, seconds, versions: { tfjs: tf.version.tfjs, node: process.version } });
  if (args.out) {
    writeFileSync(args.out, JSON.stringify(results, null, 2));
    log(`Wrote ${args.out}`);
  }
  return results;
}
