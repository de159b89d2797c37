// `npm run snapshots`: trains the snapshots the app ships (public/snapshots/, listed in
// src/snapshots/manifest.json), so a class sees every method's results the moment the page opens.
// Each snapshot is the page's own run: the setup's run config (ui/state/runConfig.ts), the page's
// glyphs (seed 1) or sine tasks, trained in Node on wasm, evaluated on the page's test episodes
// (600, seed 2017). Weights are stored as float16; the float16 weights are evaluated again on the
// same episodes and the command fails if their accuracy leaves the float32 run's 95% interval.
//
//   npm run snapshots                       every snapshot (about 40 minutes on 2 cores)
//   npm run snapshots -- --only maml-glyphs-5w1s,maml-sine-k10 --threads 1
//
// The manifest records the config (the setup), seed, steps, training time, versions, both
// evaluations, bytes and sha256 of each file; an entry is replaced when its snapshot is made again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { generateGlyphs } from '../core/data/glyphs';
import { familyOf } from '../core/experiment/datasets';
import type { ExperimentData } from '../core/experiment/experimentPlan';
import { planExperiment } from '../core/experiment/planExperiment';
import type { ExperimentEvaluation, ProgressPoint } from '../core/experiment/results';
import { saveTensors } from '../core/nn/params';
import { summarise } from '../core/train/stats';
import { registerThreadedWasmForNode } from '../node/threadedWasm';
import { SNAPSHOT_SPECS, type SnapshotSpec } from '../snapshots/specs';
import { decodeState, encodeState, SNAPSHOT_FORMAT, type SnapshotEntry, type SnapshotManifest, type SnapshotResult, type SnapshotRun } from '../snapshots/snapshot';
import { describeSetup, EVALUATION_SEED, runConfigOf } from '../ui/state/runConfig';
import { methodInfo } from '../ui/state/setup';
import { formatDuration, progressBar } from './progress';
import { log, projectVersion } from './runCommon';

const ROOT = new URL('../../', import.meta.url).pathname;
let SNAPSHOT_DIR = join(ROOT, 'public/snapshots');
let MANIFEST_FILE = join(ROOT, 'src/snapshots/manifest.json');
let EVAL_EPISODES = 600;
/** Test episodes on which the float32 weights are compared with the float16 ones. */
const FLOAT16_CHECK_EPISODES = 200;
/** --smoke N: N steps and N test episodes, written to --out DIR (checking the command itself). */
let SMOKE_STEPS: number | null = null;
/** Snapshots whose float16 weights left the float32 interval: written, and the command fails at the end. */
const failures: string[] = [];

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Fewer digits in the curves: 4 significant digits say all a chart shows, and keep the files small. */
function round(value: number, digits = 4): number {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)) : value;
}

function results(evaluation: ExperimentEvaluation): SnapshotResult[] {
  return evaluation.results.map((r) => ({ label: r.label, mean: r.summary.mean, ci95: r.summary.ci95 }));
}

function readManifest(): SnapshotManifest {
  if (!existsSync(MANIFEST_FILE)) return { format: SNAPSHOT_FORMAT, command: 'npm run snapshots', entries: [] };
  return JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as SnapshotManifest;
}

/** Replaces one entry, keeping the specs' order (read just before writing: two commands may run side by side). */
function writeEntry(entry: SnapshotEntry): void {
  const manifest = readManifest();
  const others = manifest.entries.filter((e) => e.id !== entry.id);
  const order = (id: string) => SNAPSHOT_SPECS.findIndex((s) => s.id === id);
  manifest.entries = [...others, entry].sort((a, b) => order(a.id) - order(b.id));
  writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** "glyphs 5-way 1-shot", "glyphs 5-way 1-shot, shifts of up to 2 px", "sine waves, K=10". */
function setupLabelOf(setup: SnapshotSpec['setup']): string {
  if (!familyOf(setup.dataset).splitsClasses) return `sine waves, K=${setup.shot}`;
  const augment = [setup.augmentShift > 0 && `shifts of up to ${setup.augmentShift} px`, setup.augmentFlip && 'flips'].filter(Boolean).join(' and ');
  return `${setup.dataset} ${familyOf(setup.dataset).describeSampler(setup)}${augment ? `, ${augment}` : ''}`;
}

async function makeSnapshot(spec: SnapshotSpec, backendInfo: string): Promise<SnapshotEntry> {
  const setup = SMOKE_STEPS === null ? spec.setup : { ...spec.setup, steps: SMOKE_STEPS, valEvery: SMOKE_STEPS };
  const family = familyOf(setup.dataset);
  const info = methodInfo(setup.dataset, setup.method)!;
  const data: ExperimentData = family.splitsClasses ? { family: 'classification', dataset: generateGlyphs({ seed: 1 }) } : { family: 'regression' };
  const config = runConfigOf(setup);
  const plan = planExperiment(data, config);
  try {
    log(`\n${spec.id}: ${info.title}, ${family.describeSampler(setup)} on ${setup.dataset}, ${setup.steps} steps of ${plan.metaBatch}, seed ${setup.seed}`);
    const bar = progressBar('train', setup.steps);
    let lastVal = '';
    const points: ProgressPoint[] = [];
    const training = await plan.train({
      onStep: (p) => {
        points.push({ step: p.step, loss: round(p.loss), ...(p.accuracy === undefined ? {} : { accuracy: round(p.accuracy) }), learningRate: round(p.learningRate), elapsed: round(p.elapsed, 5) });
        bar.update(p.step, `loss ${p.loss.toFixed(3)}${p.accuracy === undefined ? '' : ` acc ${(100 * p.accuracy).toFixed(1)}%`}${lastVal}`);
      },
      onValidation: (v) => {
        lastVal = ` val ${family.metric.format(v.summary, 1)}`;
      },
    });
    bar.finish();
    if (training.status !== 'done') throw new Error(`${spec.id} did not finish training (${training.status}: ${training.message ?? ''}).`);
    const seconds = training.seconds;
    log(`trained in ${formatDuration(seconds)}`);

    const evaluateNow = async (what: string, episodes: number) => {
      const evalBar = progressBar(`eval ${what}`, episodes);
      const e = await plan.evaluate({ episodes, seed: EVALUATION_SEED, onProgress: (done) => evalBar.update(done) });
      evalBar.finish();
      return e;
    };
    // The float32 weights as trained, on the first FLOAT16_CHECK_EPISODES test episodes; then the
    // shipped float16 weights on all of them (what the page shows and re-evaluates identically).
    // Episode i depends only on (seed, i), so the two are compared on the same episodes.
    const float32 = await evaluateNow('float32', Math.min(FLOAT16_CHECK_EPISODES, EVAL_EPISODES));
    const state = await saveTensors(plan.stateTensors());
    const { bin, tensors } = encodeState(state);
    plan.loadState(decodeState(bin, tensors));
    const shipped = await evaluateNow('float16', EVAL_EPISODES);
    for (const [k, r] of float32.results.entries()) {
      const all = shipped.results[k].summary;
      const prefix = summarise(shipped.results[k].perEpisode.slice(0, float32.episodes));
      const line = `${r.label}: float16 ${family.metric.format(all)} on ${shipped.episodes}; on the first ${float32.episodes}: float32 ${family.metric.format(r.summary)}, float16 ${family.metric.format(prefix)}`;
      log(line);
      if (Math.abs(prefix.mean - r.summary.mean) > all.ci95) {
        failures.push(`${spec.id}: the float16 weights leave the recorded 95% interval (${line}).`);
        log(`FAILED: ${failures.at(-1)}`);
      }
    }

    const run: SnapshotRun = {
      format: SNAPSHOT_FORMAT,
      id: spec.id,
      name: `${describeSetup(setup, info.title)} (trained snapshot)`,
      setup,
      datasetLabel: family.splitsClasses ? `glyphs (${data.family === 'classification' ? data.dataset.classes.length : 0} classes, 28x28x1)` : 'sine-wave regression',
      steps: training.stepsDone,
      seconds: round(seconds, 5),
      metaBatch: plan.metaBatch,
      points,
      validation: training.validation.map((v) => ({ ...v, summary: { ...v.summary, mean: round(v.summary.mean, 5), ci95: round(v.summary.ci95, 5), std: round(v.summary.std, 5) } })),
      evaluation: { ...shipped, results: shipped.results.map((r) => ({ ...r, perEpisode: r.perEpisode.map((v) => round(v, 6)) })) },
      tensors,
    };
    const json = JSON.stringify(run);
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    writeFileSync(join(SNAPSHOT_DIR, `${spec.id}.json`), json);
    writeFileSync(join(SNAPSHOT_DIR, `${spec.id}.bin`), bin);
    const entry: SnapshotEntry = {
      id: spec.id,
      title: info.title,
      setupLabel: setupLabelOf(setup),
      dataset: setup.dataset,
      method: setup.method,
      way: setup.way,
      shot: setup.shot,
      steps: training.stepsDone,
      seed: setup.seed,
      trainingSeconds: Math.round(seconds),
      evaluation: { metric: shipped.metric, episodes: shipped.episodes, seed: shipped.seed, float32: results(float32), float32Episodes: float32.episodes, shipped: results(shipped) },
      files: { json: { bytes: Buffer.byteLength(json), sha256: sha256(json) }, bin: { bytes: bin.byteLength, sha256: sha256(bin) } },
      versions: { app: projectVersion(), tfjs: tf.version.tfjs, node: process.version, backend: backendInfo },
      createdAt: new Date().toISOString(),
    };
    writeEntry(entry);
    log(`${spec.id}: ${entry.files.json.bytes + entry.files.bin.bytes} bytes`);
    return entry;
  } finally {
    plan.dispose();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = flag('--only')?.split(',');
  const threads = Number(flag('--threads') ?? 2);
  if (flag('--smoke')) {
    SMOKE_STEPS = Number(flag('--smoke'));
    EVAL_EPISODES = SMOKE_STEPS;
  }
  if (flag('--out')) {
    SNAPSHOT_DIR = flag('--out')!;
    MANIFEST_FILE = join(SNAPSHOT_DIR, 'manifest.json');
  }
  const unknown = only?.filter((id) => !SNAPSHOT_SPECS.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0) {
    log(`Unknown snapshot ${unknown.join(', ')}; the snapshots are ${SNAPSHOT_SPECS.map((s) => s.id).join(', ')}.`);
    process.exit(2);
  }
  const backend = await initBackend('wasm', { threads, nodeThreadedWasm: registerThreadedWasmForNode });
  log(`Backend: ${backend.backend} (${backend.info})`);
  const t0 = performance.now();
  for (const spec of SNAPSHOT_SPECS.filter((s) => !only || only.includes(s.id))) await makeSnapshot(spec, `${backend.backend} (${backend.info})`);
  const total = readManifest().entries.reduce((n, e) => n + e.files.json.bytes + e.files.bin.bytes, 0);
  if (failures.length > 0) {
    log(`\n${failures.join('\n')}`);
    process.exit(1);
  }
  log(`\nDone in ${formatDuration((performance.now() - t0) / 1000)}; all snapshots: ${(total / 1e6).toFixed(2)} MB.`);
  process.exit(0);
}

void main().catch((error) => {
  log(`\nError: ${(error as Error).message}`);
  if (process.env.DEBUG) log(String((error as Error).stack));
  process.exit(1);
});
