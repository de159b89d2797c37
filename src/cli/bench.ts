// `npm run bench`: times the Prototypical Networks training step that dominates training (5-way
// 5-shot 15-query, 28x28x1 images, Conv-4 with 64 filters, Adam 1e-3) on each Node backend and
// prints median/min/p90 milliseconds per step, achieved GFLOP/s, peak tensor memory and process
// RSS; then every method's training step and test adaptation at its defaults, the sine-regression
// methods, and MAML's and the LSTM meta-learner's meta-steps by inner steps, with peak memory.
// Options: --backend wasm|cpu (default both), --threads 1,2 (wasm thread counts, default 1 and 2),
// --steps N, --warmup N, --impl protonet|local (default protonet: the method's own trainStep),
// --profile (per-kernel self time), --skip-maml, --no-peer, --json out.json.
//
// When python3 with torch is on the machine, each wasm row is followed at once by the PyTorch peer
// (src/cli/torchProtonetStep.py: the same episode shapes, network, loss and optimiser, the same
// thread count), and the table prints the ratio of the two medians: on a shared machine only a
// ratio measured back to back means something.
//
// The step is made by one function (`makeStep`), so the benchmark can time either a local
// reference step (conv4Forward + a prototypical loss + tf.train.adam) or the ProtoNet method's
// own trainStep.
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../core/backend';
import { noiseEpisode } from '../core/episodes/noiseEpisode';
import { measureMamlStep, type MamlBenchResult } from '../core/methods/mamlBench';
import { measureMetaLstmStep, type MetaLstmBenchResult } from '../core/methods/metalstmBench';
import { measureMethod, type MethodCost } from '../core/methods/methodBench';
import { createMethod, METHODS } from '../core/methods/registry';
import { measureRegressionMethod, type RegressionCost } from '../core/regression/regressionBench';
import { regressionMethodNames } from '../core/regression/registry';
import { conv4Forward, initConv4, type Conv4Config } from '../core/nn/conv4';
import { installKernelProfiler, type KernelTiming } from '../core/nn/kernels';
import { Rng } from '../core/rng';
import { registerThreadedWasmForNode, stopWasmThreads } from '../node/threadedWasm';
import { findTorchPython } from '../node/torchPython';
import { runTorchPeer, type PeerResult } from './torchPeer';

const WAY = 5;
const SHOT = 5;
const QUERY = 15;
const SIDE = 28;
const FILTERS = 64;
const BLOCKS = 4;
const BATCH = WAY * (SHOT + QUERY);

/** A training step under test: runs one step and resolves when its results are read back. */
interface StepRunner {
  step(): Promise<number>;
  dispose(): void;
}

type StepImpl = 'local' | 'protonet';

/**
 * FLOPs of one step, counting the convolutions only (2 x multiply-adds): forward, weight
 * gradient, and input gradient of every block but the first (the images need no gradient).
 * Batch norm, pooling, the loss and Adam add well under 1%.
 */
export function stepFlops(batch = BATCH, side = SIDE, filters = FILTERS, blocks = BLOCKS): { total: number; perLayer: number[] } {
  const perLayer: number[] = [];
  let s = side;
  let inChannels = 1;
  let total = 0;
  for (let i = 0; i < blocks; i++) {
    const conv = 2 * batch * s * s * 9 * inChannels * filters;
    perLayer.push(conv);
    total += conv * (i === 0 ? 2 : 3);
    inChannels = filters;
    s = Math.floor(s / 2);
  }
  return { total, perLayer };
}

const backbone: Conv4Config = { inputShape: [SIDE, SIDE, 1], filters: FILTERS, blocks: BLOCKS };

/** The reference step: conv4Forward, prototypes, negative squared distances, cross-entropy, Adam. */
function localStep(seed: number): StepRunner {
  const params = initConv4(backbone, new Rng(seed));
  const variables: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(params)) {
    variables[name] = tf.variable(t, true, `bench/${name}/${seed}`);
    t.dispose();
  }
  const optimizer = tf.train.adam(1e-3);
  const episode = noiseEpisode(WAY, SHOT, QUERY, [SIDE, SIDE, 1], new Rng(seed));
  const images = tf.tensor4d(
    Float32Array.from([...episode.support.images, ...episode.query.images]),
    [BATCH, SIDE, SIDE, 1],
  );
  const queryLabels = tf.oneHot(tf.tensor1d(episode.query.labels, 'int32'), WAY);
  const loss = (): tf.Scalar => {
    const embeddings = conv4Forward(variables, images, { batchNorm: 'batch' });
    const support = tf.slice(embeddings, [0, 0], [WAY * SHOT, -1]);
    const prototypes = tf.mean(tf.reshape(support, [WAY, SHOT, -1]), 1);
    const query = tf.slice(embeddings, [WAY * SHOT, 0], [-1, -1]);
    // -|q - p|^2 = -(|q|^2 - 2 q.p + |p|^2); squaredDifference's broadcast gradient is broken.
    const qq = tf.sum(tf.square(query), 1, true);
    const pp = tf.reshape(tf.sum(tf.square(prototypes), 1), [1, -1]);
    const logits = tf.neg(tf.add(tf.sub(qq, tf.mul(tf.matMul(query, prototypes, false, true), 2)), pp));
    return tf.losses.softmaxCrossEntropy(queryLabels, logits) as tf.Scalar;
  };
  return {
    async step() {
      const value = optimizer.minimize(loss, true) as tf.Scalar;
      const [v] = await value.data();
      value.dispose();
      return v;
    },
    dispose() {
      tf.dispose([images, queryLabels, ...Object.values(variables)]);
      optimizer.dispose();
    },
  };
}

/** The ProtoNet method's own training step on the same kind of episode. */
function protonetStep(seed: number): StepRunner {
  const method = createMethod('protonet', { backbone, trainClassCount: 64 }, {}, seed);
  const episode = noiseEpisode(WAY, SHOT, QUERY, [SIDE, SIDE, 1], new Rng(seed));
  let index = 0;
  return {
    async step() {
      const metrics = await method.trainStep([episode], index++);
      return metrics.loss;
    },
    dispose: () => method.dispose(),
  };
}

/** The one place that decides what a step is. */
function makeStep(impl: StepImpl, seed: number): StepRunner {
  return impl === 'protonet' ? protonetStep(seed) : localStep(seed);
}

interface BenchRow {
  backend: string;
  threads?: number;
  info: string;
  steps: number;
  medianMs: number;
  minMs: number;
  p90Ms: number;
  gflopPerS: number;
  peakTensorMB: number;
  rssMB: number;
  finalLoss: number;
  profile?: KernelTiming[];
  /** The PyTorch peer's step, timed right after this row with the same thread count. */
  peer?: PeerResult;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

async function benchOne(
  backend: BackendName,
  threads: number | undefined,
  steps: number,
  warmup: number,
  impl: StepImpl,
  profile: boolean,
): Promise<BenchRow> {
  const init = await initBackend(backend, {
    threads,
    nodeThreadedWasm: registerThreadedWasmForNode,
  });
  const runner = makeStep(impl, 1);
  try {
    for (let i = 0; i < warmup; i++) await runner.step();
    const times: number[] = [];
    let loss = NaN;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      loss = await runner.step();
      times.push(performance.now() - t0);
    }
    // One more step under tf.profile for the peak of tensor memory during a step.
    const info = await tf.profile(async () => {
      await runner.step();
    });
    let profiled: KernelTiming[] | undefined;
    if (profile) {
      const profiler = installKernelProfiler(backend, true);
      const n = Math.max(1, Math.min(steps, 5));
      for (let i = 0; i < n; i++) await runner.step();
      profiled = profiler.report().map((t) => ({ ...t, calls: t.calls / n, selfMs: t.selfMs / n }));
      profiler.uninstall();
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    return {
      backend,
      threads: init.details.threads,
      info: init.info,
      steps,
      medianMs: median,
      minMs: sorted[0],
      p90Ms: quantile(sorted, 0.9),
      gflopPerS: stepFlops().total / (median / 1000) / 1e9,
      peakTensorMB: info.peakBytes / 2 ** 20,
      rssMB: process.memoryUsage().rss / 2 ** 20,
      finalLoss: loss,
      profile: profiled,
    };
  } finally {
    runner.dispose();
  }
}

function printTable(rows: BenchRow[]): void {
  const withPeer = rows.some((r) => r.peer);
  const header = ['backend', 'steps', 'median ms', 'min ms', 'p90 ms', 'GFLOP/s', 'peak tensors MB', 'RSS MB', ...(withPeer ? ['PyTorch ms', 'ratio'] : [])];
  const lines = rows.map((r) => [
    r.backend === 'wasm' ? `wasm (${r.info})` : r.backend,
    String(r.steps),
    r.medianMs.toFixed(1),
    r.minMs.toFixed(1),
    r.p90Ms.toFixed(1),
    r.gflopPerS.toFixed(2),
    r.peakTensorMB.toFixed(1),
    r.rssMB.toFixed(0),
    ...(withPeer ? [r.peer ? r.peer.medianMs.toFixed(1) : '', r.peer ? (r.medianMs / r.peer.medianMs).toFixed(2) : ''] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
  const peer = rows.find((r) => r.peer)?.peer;
  if (peer) {
    console.log(
      `PyTorch ms: torch ${peer.torch} on the CPU, the same step (src/cli/torchProtonetStep.py) with the same threads, run right after the row; ` +
        'ratio = our median / PyTorch median (below 1 is faster than PyTorch).',
    );
  }
}

function printProfile(row: BenchRow): void {
  if (!row.profile) return;
  const total = row.profile.reduce((s, t) => s + t.selfMs, 0);
  console.log(`\nPer-kernel self time, ${row.backend}${row.threads ? ` ${row.threads} thread(s)` : ''} (ms per step; kernel total ${total.toFixed(1)}):`);
  for (const t of row.profile.slice(0, 25)) {
    console.log(`  ${t.selfMs.toFixed(2).padStart(8)}  ${String(t.calls).padStart(4)}x  ${t.kernel}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      threads: { type: 'string' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      impl: { type: 'string' },
      profile: { type: 'boolean' },
      json: { type: 'string' },
      'skip-maml': { type: 'boolean' },
      'no-peer': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log('npm run bench -- [--backend wasm|cpu] [--threads 1,2] [--steps N] [--warmup N] [--impl local|protonet] [--profile] [--skip-maml] [--no-peer] [--json out.json]');
    return;
  }
  const backends = (values.backend ? [values.backend] : ['wasm', 'cpu']) as BackendName[];
  for (const b of backends) {
    if (b !== 'wasm' && b !== 'cpu') throw new Error(`--backend must be wasm or cpu in Node, got "${b}".`);
  }
  const threadCounts = (values.threads ?? (os.cpus().length > 1 ? '1,2' : '1')).split(',').map(Number);
  if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads takes whole numbers like 1,2; got "${values.threads}".`);
  const impl = (values.impl ?? 'protonet') as StepImpl;
  if (impl !== 'local' && impl !== 'protonet') throw new Error(`--impl must be local or protonet, got "${impl}".`);
  const stepsArg = values.steps !== undefined ? Number(values.steps) : undefined;
  if (stepsArg !== undefined && (!Number.isInteger(stepsArg) || stepsArg < 1)) throw new Error(`--steps must be a positive whole number.`);

  const flops = stepFlops();
  console.log(
    `ProtoNet training step: ${WAY}-way ${SHOT}-shot ${QUERY}-query (${BATCH} images ${SIDE}x${SIDE}x1), Conv-4 with ${FILTERS} filters, Adam; step = ${impl}.`,
  );
  console.log(
    `FLOPs per step: ${(flops.total / 1e9).toFixed(2)} G = 2 x multiply-adds of the convolutions (forward ${flops.perLayer
      .map((f) => (f / 1e6).toFixed(0))
      .join(' + ')} MFLOP per layer; weight gradients the same; input gradients for layers 2-4). ${os.cpus().length} cores: ${os.cpus()[0]?.model ?? 'unknown'}.`,
  );
  const python = values['no-peer'] ? null : findTorchPython();
  if (!values['no-peer'] && !python) {
    console.log('PyTorch peer: not run (no python3 that imports torch; on Debian: apt-get install -y python3-torch, or set PYTHON).');
  }
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    const variants = backend === 'wasm' ? threadCounts : [undefined];
    for (const threads of variants) {
      // cpu is about 30 times slower: fewer repetitions.
      const steps = stepsArg ?? (backend === 'cpu' ? 3 : 20);
      const warmup = values.warmup !== undefined ? Number(values.warmup) : backend === 'cpu' ? 1 : 3;
      const label = `${backend}${threads ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}`;
      try {
        console.log(`Running ${label}: ${warmup} warm-up + ${steps} timed steps ...`);
        const row = await benchOne(backend, threads, steps, warmup, impl, !!values.profile);
        if (python && backend === 'wasm' && threads) {
          console.log(`Running the PyTorch peer (${threads} thread${threads > 1 ? 's' : ''}): ${warmup} warm-up + ${steps} timed steps ...`);
          try {
            row.peer = runTorchPeer(python, { way: WAY, shot: SHOT, query: QUERY, side: SIDE, filters: FILTERS, blocks: BLOCKS }, threads, steps, warmup);
          } catch (e) {
            console.log(`PyTorch peer: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        rows.push(row);
      } catch (e) {
        console.log(`Skipping ${label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  console.log('');
  printTable(rows);
  for (const r of rows) printProfile(r);
  const metaBackend = backends.includes('wasm') ? 'wasm' : 'cpu';
  const methods = values['skip-maml'] ? [] : await benchMethods(metaBackend, threadCounts[0]);
  const regression = values['skip-maml'] ? [] : await benchRegression(metaBackend, threadCounts[0]);
  const maml = values['skip-maml'] ? [] : await benchMaml(metaBackend, threadCounts[0]);
  const metalstm = values['skip-maml'] ? [] : await benchMetaLstm(metaBackend, threadCounts[0]);
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ flopsPerStep: flops.total, impl, rows, methods, regression, maml, metalstm }, null, 2));
    console.log(`\nWrote ${values.json}`);
  }
}

/**
 * Every registered method at its defaults (its meta-batch and filter count) on 5-way 1-shot
 * 15-query 28x28 episodes: a training step, a test-time adaptation, and peak tensor memory.
 */
async function benchMethods(backend: BackendName, threads: number): Promise<Array<MethodCost & { method: string; metaBatch: number; filters: number }>> {
  await initBackend(backend, { threads: backend === 'wasm' ? threads : undefined, nodeThreadedWasm: registerThreadedWasmForNode });
  const repeats = backend === 'cpu' ? 1 : 5;
  console.log(`\nEach method at its defaults on ${backend}, 5-way 1-shot 15-query 28x28 episodes, median of ${repeats}:`);
  console.log('| method | meta-batch | filters | ms per training step | ms per test adaptation | peak tensor MB | tensors leaked |');
  console.log('|---|---|---|---|---|---|---|');
  const out = [];
  for (const spec of Object.values(METHODS)) {
    const metaBatch = spec.metaBatch ?? 1;
    const filters = spec.filters ?? FILTERS;
    const backbone: Conv4Config = { inputShape: [SIDE, SIDE, 1], filters, blocks: BLOCKS };
    const trainClasses = Array.from({ length: 64 }, (_, i) => i);
    const method = createMethod(spec.name, { backbone, trainClassCount: trainClasses.length, trainClasses }, {}, 1);
    const rng = new Rng(1).derive(`bench:${spec.name}`);
    const episodes = Array.from({ length: metaBatch }, () => noiseEpisode(WAY, 1, QUERY, backbone.inputShape, rng));
    try {
      const cost = await measureMethod(method, episodes, { repeats });
      out.push({ method: spec.name, metaBatch, filters, ...cost });
      console.log(
        `| ${spec.title} | ${metaBatch} | ${filters} | ${cost.msPerStep.toFixed(0)} | ${cost.msPerAdaptation.toFixed(0)} | ` +
          `${(cost.peakBytes / 2 ** 20).toFixed(1)} | ${cost.tensorsLeaked} |`,
      );
    } finally {
      method.dispose();
    }
  }
  return out;
}

/** The sine-regression methods: a meta-step of their default meta-batch, and a 10-step fit. */
async function benchRegression(backend: BackendName, threads: number): Promise<RegressionCost[]> {
  await initBackend(backend, { threads: backend === 'wasm' ? threads : undefined, nodeThreadedWasm: registerThreadedWasmForNode });
  console.log(`\nSine-wave regression (MLP 1-40-40-1, K = 10) on ${backend}, median of 5:`);
  console.log('| method | tasks per step | ms per training step | ms per 10-step fit | peak tensor MB | tensors leaked |');
  console.log('|---|---|---|---|---|---|');
  const out: RegressionCost[] = [];
  for (const name of regressionMethodNames()) {
    const c = await measureRegressionMethod(name);
    out.push(c);
    console.log(`| ${name} | ${c.metaBatch} | ${c.msPerStep.toFixed(1)} | ${c.msPerFit.toFixed(1)} | ${(c.peakBytes / 2 ** 20).toFixed(2)} | ${c.tensorsLeaked} |`);
  }
  return out;
}

/**
 * MAML's meta-step per task (5-way 1-shot, 15 queries, Conv-4 64 filters, 28x28): second order
 * with 1 and 5 inner steps, and first order, with the peak of tensor memory during a step. Second
 * order keeps every inner step's graph, so its memory grows with the inner steps.
 */
async function benchMaml(backend: BackendName, threads: number): Promise<MamlBenchResult[]> {
  await initBackend(backend, { threads: backend === 'wasm' ? threads : undefined, nodeThreadedWasm: registerThreadedWasmForNode });
  const repeats = backend === 'cpu' ? 1 : 5;
  console.log(`\nMAML meta-step per task on ${backend}${backend === 'wasm' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}, 5-way 1-shot 15-query, median of ${repeats} steps:`);
  const results: MamlBenchResult[] = [];
  for (const [secondOrder, innerSteps] of [[true, 1], [true, 5], [false, 1], [false, 5]] as const) {
    results.push(await measureMamlStep({ secondOrder, innerSteps, query: 15, repeats }));
  }
  console.log('| variant | inner steps | ms per task | peak tensor MB | tensors leaked |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.secondOrder ? 'MAML (second order)' : 'first-order MAML'} | ${r.innerSteps} | ${r.msPerMetaStep.toFixed(0)} | ${(r.peakBytes / 2 ** 20).toFixed(1)} | ${r.tensorsLeaked} |`,
    );
  }
  return results;
}

/** The LSTM meta-learner's meta-step (32-filter learner, 5-way 1-shot 15-query) for T = 1, 5, 12 updates. */
async function benchMetaLstm(backend: BackendName, threads: number): Promise<MetaLstmBenchResult[]> {
  await initBackend(backend, { threads: backend === 'wasm' ? threads : undefined, nodeThreadedWasm: registerThreadedWasmForNode });
  const repeats = backend === 'cpu' ? 1 : 3;
  console.log(`\nLSTM meta-learner meta-step on ${backend}, 32-filter learner, 5-way 1-shot 15-query, median of ${repeats} steps:`);
  const results: MetaLstmBenchResult[] = [];
  for (const updates of [1, 5, 12]) results.push(await measureMetaLstmStep({ updates, query: 15, repeats }));
  console.log('| updates T | ms per meta-step | ms per test adaptation | peak tensor MB | tensors leaked |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.updates} | ${r.msPerMetaStep.toFixed(0)} | ${r.msPerAdaptation.toFixed(0)} | ${(r.peakBytes / 2 ** 20).toFixed(1)} | ${r.tensorsLeaked} |`);
  }
  return results;
}

main()
  .then(() => {
    stopWasmThreads();
    process.exit(0);
  })
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
