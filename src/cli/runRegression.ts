// `npm run experiment -- --dataset sinusoid`: meta-trains each method on sine-wave regression tasks
// and reports the test MSE after 1, 10, ... adaptation steps on the same seeded test tasks, with
// paired differences against the first method when comparing; JSON with --out.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { resolveHyperparameters, type Hyperparameters } from '../core/methods/registry';
import { evaluateRegression, type RegressionEvaluationResult } from '../core/regression/evaluateRegression';
import { getRegressionMethodSpec } from '../core/regression/registry';
import { SINUSOID } from '../core/regression/sinusoid';
import { trainRegression, type RegressionTrainingResult } from '../core/regression/trainRegression';
import { pairedDifference, type AccuracySummary } from '../core/train/stats';
import type { ExperimentArgs } from './experimentArgs';
import { formatDuration, progressBar } from './progress';
import { printColumns, printTable, projectVersion } from './report';
import { hyperparametersFor, initCliBackend, log, stopOnInterrupt, trainingJson } from './runCommon';

interface RegressionRun {
  method: string;
  title: string;
  hyperparameters: Hyperparameters;
  metaBatch: number;
  training: RegressionTrainingResult;
  evaluation: RegressionEvaluationResult | null;
}

const defaultsOf = (name: string) => getRegressionMethodSpec(name).defaults;

/** "0.512 ± 0.034" (squared output units). */
export function formatMse(s: AccuracySummary): string {
  const digits = Math.abs(s.mean) >= 100 ? 1 : 3;
  return `${s.mean.toFixed(digits)} ± ${s.ci95.toFixed(digits)}`;
}

async function runOne(name: string, args: ExperimentArgs, shouldStop: () => boolean): Promise<RegressionRun> {
  const spec = getRegressionMethodSpec(name);
  const hyper = resolveHyperparameters(spec, hyperparametersFor(name, args.methods, args.hyper, defaultsOf));
  const method = spec.create(hyper, args.seed);
  try {
    const metaBatch = args.metaBatch ?? spec.metaBatch;
    const trainSettings = { shot: args.trainShot, query: args.trainQuery };
    log(`Training ${spec.title}: ${args.episodes} steps of ${metaBatch} sine tasks (K = ${trainSettings.shot} support, ${trainSettings.query} query points)`);
    const bar = progressBar('train', args.episodes);
    let lastVal = '';
    const training = await trainRegression(method, {
      settings: trainSettings,
      steps: args.episodes,
      tasksPerStep: metaBatch,
      seed: args.seed,
      valEvery: args.valEvery,
      valTasks: args.valEpisodes,
      valSteps: args.evalSteps[0],
      onStep: (p) => bar.update(p.step, `MSE ${p.loss.toFixed(3)}${lastVal}`),
      onValidation: (v) => {
        lastVal = ` val MSE after ${v.adaptationSteps} ${formatMse(v.mse)}`;
      },
      shouldStop,
    });
    bar.finish();
    if (training.status !== 'done') log(training.message ?? training.status);
    let evaluation: RegressionEvaluationResult | null = null;
    if (training.status !== 'diverged') {
      log(`Evaluating ${spec.title} on ${args.evalEpisodes} test tasks (K = ${args.shot}, ${args.query} query points, task seed ${args.evalSeed})`);
      const evalBar = progressBar('eval ', args.evalEpisodes);
      evaluation = await evaluateRegression(method, { shot: args.shot, query: args.query }, {
        tasks: args.evalEpisodes,
        seed: args.evalSeed,
        steps: args.evalSteps,
        onProgress: (done) => evalBar.update(done),
      });
      evalBar.finish();
    }
    return { method: name, title: spec.title, hyperparameters: hyper, metaBatch, training, evaluation };
  } finally {
    method.dispose();
  }
}

export async function runRegressionExperiment(args: ExperimentArgs): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const backend = await initCliBackend(args);
  // Check every method's settings before spending time on training any of them.
  for (const name of args.methods) {
    resolveHyperparameters(getRegressionMethodSpec(name), hyperparametersFor(name, args.methods, args.hyper, defaultsOf));
  }
  log(
    `Tasks: y = A sin(x - phase), A in [${SINUSOID.amplitude.join(', ')}], phase in [0, pi], x in [${SINUSOID.x.join(', ')}]; ` +
      `MLP 1-40-40-1, mean squared error`,
  );
  const stopRequested = stopOnInterrupt();
  const runs: RegressionRun[] = [];
  for (const name of args.methods) {
    if (stopRequested()) break;
    const run = await runOne(name, args, stopRequested);
    runs.push(run);
    // Said as soon as it is known, so a long --compare that is cut short keeps what it measured.
    const mse = run.evaluation?.mse.map((m) => `MSE after ${m.steps}: ${formatMse(m.summary)}`).join(', ');
    log(`${run.title}: ${mse ?? `not evaluated (${run.training.status})`}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const baseline = runs[0]?.evaluation;
  const comparison = runs.slice(1).map((run) => ({
    method: run.method,
    against: runs[0].method,
    differences: args.evalSteps.map((steps, k) => ({
      steps,
      difference: run.evaluation && baseline ? pairedDifference(run.evaluation.mse[k].perTask, baseline.mse[k].perTask) : null,
    })),
  }));

  printTable([
    ['tasks', `sine waves, K = ${args.shot} support points, ${args.query} query points, ${args.evalEpisodes} test tasks, seed ${args.evalSeed}`],
    ['training', `${args.episodes} steps, K = ${args.trainShot}, ${args.trainQuery} query points, seed ${args.seed}`],
    ['backend', `${backend.backend} (${backend.info})`],
    ['time', formatDuration(seconds)],
  ]);
  const header = ['method', ...args.evalSteps.map((s) => `MSE after ${s} step${s === 1 ? '' : 's'} (95% CI)`)];
  if (runs.length > 1) header.push(...args.evalSteps.map((s) => `vs ${runs[0].title} after ${s}`));
  printColumns(
    header,
    runs.map((run, i) => [
      run.training.status === 'done' ? run.title : `${run.title} (${run.training.status})`,
      ...args.evalSteps.map((_, k) => (run.evaluation ? formatMse(run.evaluation.mse[k].summary) : 'not evaluated')),
      ...(runs.length > 1
        ? comparison.length && i > 0
          ? comparison[i - 1].differences.map((d) => (d.difference ? formatMse(d.difference) : '-'))
          : args.evalSteps.map(() => 'baseline')
        : []),
    ]),
  );

  const results = {
    config: {
      dataset: 'sinusoid',
      task: { amplitude: SINUSOID.amplitude, phase: SINUSOID.phase, x: SINUSOID.x, model: [1, 40, 40, 1] },
      methods: args.methods,
      trainTasks: { shot: args.trainShot, query: args.trainQuery },
      testTasks: { shot: args.shot, query: args.query },
      steps: args.episodes,
      evalTasks: args.evalEpisodes,
      evalSteps: args.evalSteps,
      seed: args.seed,
      evalSeed: args.evalSeed,
    },
    versions: { fewShotLab: projectVersion(), tfjs: tf.version.tfjs, node: process.version },
    backend: backend.backend,
    backendInfo: backend.info,
    runs: runs.map((run) => ({
      method: run.method,
      hyperparameters: run.hyperparameters,
      metaBatch: run.metaBatch,
      training: trainingJson(run.training),
      evaluation: run.evaluation && {
        tasks: run.evaluation.mse[0]?.summary.episodes ?? 0,
        seed: run.evaluation.seed,
        labels: run.evaluation.labels,
        mse: run.evaluation.mse.map((m) => ({ steps: m.steps, mean: m.summary.mean, ci95: m.summary.ci95, std: m.summary.std, perTask: m.perTask })),
      },
    })),
    comparison,
    seconds,
  };
  if (args.out) {
    writeFileSync(args.out, JSON.stringify(results, null, 2));
    log(`Wrote ${args.out}`);
  }
  return results;
}
