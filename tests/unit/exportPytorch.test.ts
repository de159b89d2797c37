// The cross-framework truth test of the PyTorch export: a briefly trained ProtoNet, MAML and Meta-LSTM are
// exported, `run.py --evaluate` scores the exported test episodes, and its per-query predictions
// must agree with the core's on at least 99% of the queries, its mean accuracy within 0.5 points;
// its results.json imports into the page's history and lands in the comparison table beside the
// browser run with a paired difference; `torchrun` with 2 CPU processes (gloo) trains a few steps
// and continues the run exactly (the first step's loss equals the core's at the same weights).
// Without python3 and torch these tests say "skipped: no python3 torch".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { classPools, testSettingsOf } from '../../src/core/classification/dataProblems';
import { classificationRunMethod } from '../../src/core/classification/plan';
import type { ImageDataset } from '../../src/core/data/dataset';
import { generateGlyphs } from '../../src/core/data/glyphs';
import { episodeAt } from '../../src/core/episodes/sampler';
import { exportPlanToPytorch } from '../../src/core/export/exportPlan';
import { decodeNpz, encodeNpz } from '../../src/core/export/npz';
import { stateFromNpz } from '../../src/core/export/pytorchExport';
import type { ExperimentPlan } from '../../src/core/experiment/experimentPlan';
import { planExperiment } from '../../src/core/experiment/planExperiment';
import type { RunConfig } from '../../src/core/experiment/runConfig';
import { adaptFully } from '../../src/core/methods/stepwise';
import { saveTensors, type SavedTensors } from '../../src/core/nn/params';
import { summarise } from '../../src/core/train/stats';
import { findTorchPython } from '../../src/node/torchPython';
import { parseRunExport } from '../../src/ui/history/importRun';
import { comparisonGroups } from '../../src/ui/state/comparison';
import type { StoredRun } from '../../src/ui/state/runTypes';
import { DEFAULT_SETUP, type Setup } from '../../src/ui/state/setup';

const RUN_PY = readFileSync(new URL('../../src/export/run.py', import.meta.url), 'utf8');
const EVAL = { episodes: 16, seed: 2017 };

/** A python3 that imports torch and numpy: $PYTHON, python3 on the PATH, or Debian's /usr/bin/python3. */
const python = findTorchPython(['torch', 'numpy']);
if (!python) console.warn('exportPytorch.test.ts: skipped: no python3 torch');

function runPython(args: string[], cwd: string, timeout = 120_000) {
  const r = spawnSync(python!, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A page setup of the config (what a browser run of it would hold). */
function setupOf(config: RunConfig): Setup {
  return {
    ...DEFAULT_SETUP,
    dataset: 'glyphs',
    way: config.sampler.way,
    shot: config.sampler.shot,
    query: config.sampler.query,
    trainWay: config.sampler.trainWay ?? config.sampler.way,
    method: config.method,
    hyperparameters: { ...(config.hyperparameters ?? {}) } as Setup['hyperparameters'],
    steps: config.steps,
    valEvery: 0,
    evalEpisodes: EVAL.episodes,
    seed: config.seed,
  };
}

async function exportTo(folder: string, plan: ExperimentPlan, dataset: ImageDataset, config: RunConfig, stepsDone: number, episodes = EVAL.episodes): Promise<void> {
  const files = await exportPlanToPytorch(plan, { family: 'classification', dataset }, config, {
    evaluation: { episodes, seed: EVAL.seed },
    run: { id: `browser-${config.method}`, name: `${config.method} browser`, datasetLabel: 'glyphs (100 classes, 28x28x1)', setup: setupOf(config) as unknown as Record<string, unknown>, stepsDone },
    runPy: RUN_PY,
  });
  mkdirSync(folder, { recursive: true });
  for (const f of files) writeFileSync(join(folder, f.path), f.bytes);
}

/** The core's predicted label of every query of the exported test episodes, and each episode's accuracy. */
async function corePredictions(config: RunConfig, dataset: ImageDataset, state: SavedTensors, episodes = EVAL.episodes) {
  const method = classificationRunMethod(config, dataset);
  method.loadState(state);
  const pool = classPools(dataset, undefined, config).test;
  const predicted: number[][] = [];
  const accuracies: number[] = [];
  for (let i = 0; i < episodes; i++) {
    const e = episodeAt(pool, testSettingsOf(config.sampler), EVAL.seed, i);
    const a = await adaptFully(await method.startAdaptation(e.support, e.way));
    const p = await a.predict(e.query);
    a.dispose();
    const labels: number[] = [];
    for (let q = 0; q < e.query.count; q++) {
      let best = 0;
      for (let c = 1; c < e.way; c++) if (p[q * e.way + c] > p[q * e.way + best]) best = c;
      labels.push(best);
    }
    predicted.push(labels);
    accuracies.push(labels.filter((l, q) => l === e.query.labels[q]).length / e.query.count);
  }
  method.dispose();
  return { predicted, accuracies };
}

function storedRunOf(config: RunConfig, accuracies: number[]): StoredRun {
  const summary = summarise(accuracies);
  return {
    id: `browser-${config.method}`,
    name: `${config.method} browser`,
    createdAt: 1,
    datasetLabel: 'glyphs (100 classes, 28x28x1)',
    setup: setupOf(config),
    status: 'done',
    backend: null,
    seconds: 1,
    metaBatch: 1,
    points: [],
    validation: [],
    evaluations: [
      {
        runId: `browser-${config.method}`,
        metric: 'accuracy',
        results: [{ label: 'accuracy', summary, perEpisode: accuracies }],
        episodes: EVAL.episodes,
        seed: EVAL.seed,
        settings: config.sampler,
        split: 'test',
        splitClasses: 20,
        labels: {},
        backend: 'wasm',
        stoppedEarly: false,
      },
    ],
  } as unknown as StoredRun;
}

describe.skipIf(!python)(python ? 'PyTorch export: run.py against the core' : 'PyTorch export (skipped: no python3 torch)', () => {
  let dataset: ImageDataset;
  const root = mkdtempSync(join(tmpdir(), 'fsl-pytorch-'));

  beforeAll(async () => {
    await initBackend('wasm');
    dataset = generateGlyphs({ seed: 3, alphabets: 10, charactersPerAlphabet: 10, examplesPerCharacter: 20 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Per method: train briefly in the core, export, evaluate with run.py, compare query by query.
  async function truthCheck(config: RunConfig, episodes = EVAL.episodes) {
    const plan = planExperiment({ family: 'classification', dataset }, config);
    try {
      const trained = await plan.train({});
      expect(trained.status).toBe('done');
      const folder = join(root, config.method);
      await exportTo(folder, plan, dataset, config, trained.stepsDone, episodes);
      const state = await saveTensors(plan.stateTensors());
      const core = await corePredictions(config, dataset, state, episodes);
      runPython([join(folder, 'run.py'), '--evaluate', '--device', 'cpu', '--threads', '2'], folder);
      const py = JSON.parse(readFileSync(join(folder, 'predictions.json'), 'utf8')).episodes as number[][];
      const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
      let agree = 0;
      let total = 0;
      core.predicted.forEach((labels, i) => labels.forEach((l, q) => ((agree += l === py[i][q] ? 1 : 0), total++)));
      const pyMean = results.evaluations[0].results[0].mean;
      const coreMean = summarise(core.accuracies).mean;
      console.info(`${config.method}: ${agree}/${total} query predictions agree (${((100 * agree) / total).toFixed(2)}%); accuracy core ${(100 * coreMean).toFixed(2)}%, PyTorch ${(100 * pyMean).toFixed(2)}%`);
      expect(total).toBe(episodes * config.sampler.way * config.sampler.query);
      expect(agree / total).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(pyMean - coreMean)).toBeLessThanOrEqual(0.005);
      return { folder, results, core };
    } finally {
      plan.dispose();
    }
  }

  it('ProtoNet: run.py --evaluate predicts as the core on the same episodes; results.json imports beside the browser run', async () => {
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'protonet', steps: 6, seed: 1, valEvery: 0 };
    const { folder, results, core } = await truthCheck(config);
    // The export holds what the issue asks: run.py, config, split, episodes as index lists, uint8 images, weights in the core's names.
    for (const f of ['run.py', 'config.json', 'split.json', 'episodes.json', 'images.npz', 'weights.npz']) expect(existsSync(join(folder, f))).toBe(true);
    const images = decodeNpz(readFileSync(join(folder, 'images.npz')));
    expect(images.pixels.dtype).toBe('uint8');
    expect(images.pixels.shape).toEqual([2000, 28, 28, 1]);
    expect(Object.keys(decodeNpz(readFileSync(join(folder, 'weights.npz')))).sort()).toContain('params/block0/conv/kernel');
    // Into the page: the importer takes the file as it is, marked as trained elsewhere, and the
    // comparison table puts it in the browser run's group with a paired difference.
    const parsed = parseRunExport(JSON.stringify(results), { fileName: 'results.json', now: 2 });
    expect(parsed.run.trainedElsewhere?.engine).toBe('PyTorch');
    expect(parsed.run.evaluations[0].labels.engine).toMatch(/^PyTorch .*, cpu$/);
    const groups = comparisonGroups([storedRunOf(config, core.accuracies), { ...parsed.run, createdAt: 2 }]);
    expect(groups).toHaveLength(1);
    expect(groups[0].rows).toHaveLength(2);
    const diff = groups[0].rows[1].difference!;
    expect(Math.abs(diff.mean)).toBeLessThanOrEqual(0.005);
  }, 120_000);

  it('MAML (second order): run.py --evaluate predicts as the core after 3 inner steps at test', async () => {
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'maml', hyperparameters: { testInnerSteps: 3 }, steps: 2, metaBatch: 1, seed: 1, valEvery: 0 };
    await truthCheck(config, 8);
  }, 120_000);

  it('Meta-LSTM: run.py --evaluate predicts as the core after its LSTM updates', async () => {
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'metalstm', hyperparameters: { updates: 2 }, steps: 1, seed: 1, valEvery: 0 };
    await truthCheck(config, 8);
  }, 120_000);

  it('torchrun with 2 CPU processes (gloo) trains a few steps, continuing exactly where the browser run stopped', async () => {
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'protonet', steps: 2, metaBatch: 2, seed: 1, valEvery: 0 };
    const plan = planExperiment({ family: 'classification', dataset }, config);
    const folder = join(root, 'ddp');
    try {
      await plan.train({});
      await exportTo(folder, plan, dataset, config, 2);
      // The core's next step from the same weights: its loss is the PyTorch run's first loss.
      const next = planExperiment({ family: 'classification', dataset }, { ...config, steps: 3 });
      next.loadState(await saveTensors(plan.stateTensors()));
      const coreStep = (await next.train({ startStep: 2 })).curve.at(-1)!;
      next.dispose();
      const torchrun = spawnSync(python!, ['-c', 'import torch.distributed.run'], { encoding: 'utf8' }).status === 0;
      expect(torchrun).toBe(true);
      runPython(['-m', 'torch.distributed.run', '--nproc_per_node', '2', '--redirects', '1:1', '--tee', '1:1', '--master_port', String(29500 + (process.pid % 400)), join(folder, 'run.py'), '--train', '--steps', '4', '--device', 'cpu', '--threads', '1'], folder, 180_000);
      const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
      expect(results.trainedElsewhere.processes).toBe(2);
      expect(results.points.map((p: { step: number }) => p.step)).toEqual([3, 4]);
      expect(results.stepsDone).toBe(4);
      expect(results.evaluations[0].results[0].perEpisode).toHaveLength(EVAL.episodes);
      expect(coreStep.step).toBe(3);
      expect(results.points[0].loss).toBeCloseTo(coreStep.loss, 3);
      expect(results.points[0].accuracy).toBeCloseTo(coreStep.accuracy!, 6);
      // The trained weights come back in the core's names and shapes, in trained_weights.npz and
      // inside results.json (what "Import run" keeps as the run's state), and the core predicts
      // with them what PyTorch predicted.
      const trained = stateFromNpz(decodeNpz(readFileSync(join(folder, 'trained_weights.npz'))));
      const parsed = parseRunExport(JSON.stringify(results), { fileName: 'results.json' });
      expect(parsed.run.progress?.step).toBe(4);
      expect(Object.keys(parsed.state!).sort()).toEqual(Object.keys(trained).sort());
      expect(Array.from(parsed.state!['params/block3/conv/kernel'].values)).toEqual(Array.from(trained['params/block3/conv/kernel'].values));
      const core = await corePredictions(config, dataset, parsed.state!);
      const py = JSON.parse(readFileSync(join(folder, 'predictions.json'), 'utf8')).episodes as number[][];
      const flat = core.predicted.flat();
      const agree = flat.filter((l, i) => l === py.flat()[i]).length;
      console.info(`PyTorch-trained weights in the core: ${agree}/${flat.length} query predictions agree`);
      expect(agree / flat.length).toBeGreaterThanOrEqual(0.99);
    } finally {
      plan.dispose();
    }
  }, 240_000);
});

describe('the Run history\'s PyTorch export', () => {
  it('zips the folder run.py needs for a glyphs run with kept weights, and says why other runs cannot be exported here', async () => {
    const { pytorchExportProblem, pytorchExportZip } = await import('../../src/ui/history/exportPytorch');
    const { unzipSync } = await import('fflate');
    await initBackend('wasm');
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 15 }, method: 'protonet', steps: 0, seed: 1, valEvery: 0 };
    const method = classificationRunMethod(config, generateGlyphs({ seed: 1 }));
    const weights = await saveTensors(method.stateTensors());
    method.dispose();
    const run = { ...storedRunOf(config, Array(EVAL.episodes).fill(0.5)), setup: { ...setupOf(config), evalEpisodes: EVAL.episodes }, kept: { step: 0, elapsed: 0, bytes: 1, savedAt: 1, resumable: false } } as StoredRun;
    expect(pytorchExportProblem(run, false)).toMatch(/weights are not kept/);
    expect(pytorchExportProblem({ ...run, setup: { ...run.setup, dataset: 'omniglot' } } as StoredRun, true)).toMatch(/--export-pytorch DIR/);
    const files = unzipSync(pytorchExportZip(run, { ...weights, 'training/step': { shape: [], values: Float32Array.of(1) } }, 'run'));
    expect(Object.keys(files).sort()).toEqual(['run/config.json', 'run/episodes.json', 'run/images.npz', 'run/run.py', 'run/split.json', 'run/weights.npz']);
    expect(new TextDecoder().decode(files['run/run.py'])).toBe(RUN_PY);
    const episodes = JSON.parse(new TextDecoder().decode(files['run/episodes.json']));
    expect(episodes.episodes).toHaveLength(EVAL.episodes);
    expect(episodes.seed).toBe(EVAL.seed);
    // The worker's glyphs (800 classes of 20), and the episodes the browser evaluates on.
    expect(decodeNpz(files['run/images.npz']).pixels.shape).toEqual([16000, 28, 28, 1]);
    const glyphs = generateGlyphs({ seed: 1 });
    const e3 = episodeAt(classPools(glyphs, undefined, config).test, testSettingsOf(config.sampler), EVAL.seed, 3);
    expect(episodes.episodes[3]).toEqual({ classes: e3.classIndices, support: e3.supportImageIndices, query: e3.queryImageIndices });
    const saved = decodeNpz(files['run/weights.npz']);
    expect(Object.keys(saved).sort()).toEqual(Object.keys(weights).sort());
    expect(saved['params/block0/conv/kernel'].shape).toEqual([3, 3, 1, 64]);
  }, 60_000);
});

describe('a run trained elsewhere, in the playground', () => {
  it('"Import run" keeps the weights results.json carries as the run\'s state, marks the run as trained elsewhere, and it exports again', async () => {
    const { createPlaygroundStore } = await import('../../src/ui/state/store');
    const { scriptedClient } = await import('./ui/fixtures/scriptedClient');
    const { memoryHistory, noOmniglot } = await import('./ui/fixtures/memoryHistory');
    const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 15 }, method: 'protonet', steps: 40, seed: 1, valEvery: 0 };
    const kernel = Float32Array.from({ length: 9 * 64 }, (_, i) => Math.sin(i));
    const base64 = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
    const accuracies = Array.from({ length: EVAL.episodes }, (_, i) => (i % 3) / 3);
    const s = summarise(accuracies);
    // What run.py writes (results_json), cut down to one tensor.
    const results = {
      format: 'few-shot-lab-run',
      version: 1,
      id: 'pytorch-abc',
      name: 'protonet · PyTorch 1.13, cuda',
      createdAt: '2026-12-06T10:00:00.000Z',
      dataset: 'glyphs (800 classes, 28x28x1)',
      setup: setupOf(config),
      status: 'done',
      message: 'Trained elsewhere with run.py',
      backend: null,
      trainedElsewhere: { engine: 'PyTorch', version: '1.13.1', device: 'cuda', deviceName: 'cuda (NVIDIA A100)', processes: 4, python: '3.11' },
      seconds: 12,
      stepsDone: 40,
      metaBatch: 1,
      finalTraining: { step: 40, loss: 0.5, accuracy: 0.9 },
      validation: [],
      evaluations: [{ metric: 'accuracy', episodes: EVAL.episodes, seed: EVAL.seed, sampler: config.sampler, split: 'test', splitClasses: 160, labels: { batchNormAtTest: 'running', engine: 'PyTorch 1.13.1, cuda' }, backend: 'cpu', stoppedEarly: false, results: [{ label: 'accuracy', ...s, perEpisode: accuracies }] }],
      points: [{ step: 40, loss: 0.5, accuracy: 0.9, learningRate: 0.001, elapsed: 12 }],
      state: { encoding: 'float32-le-base64', tensors: [{ name: 'params/block0/conv/kernel', shape: [3, 3, 1, 64], data: base64(kernel) }] },
    };
    const history = memoryHistory();
    const store = createPlaygroundStore({ client: scriptedClient().client, history, omniglot: noOmniglot, now: () => 5 });
    await store.getState().importRun(JSON.stringify(results), 'results.json');
    const run = store.getState().runs.find((r) => r.id === 'pytorch-abc')!;
    expect(store.getState().historyMessage).toBeNull();
    expect(run.trainedElsewhere).toMatchObject({ engine: 'PyTorch', device: 'cuda', processes: 4 });
    expect(run.kept).toMatchObject({ step: 40, resumable: false, bytes: kernel.byteLength });
    expect(store.getState().keptStateIds).toContain('pytorch-abc');
    expect(Array.from(history.states.get('pytorch-abc')!['params/block0/conv/kernel'].values)).toEqual(Array.from(kernel));
    expect(history.runs.get('pytorch-abc')?.kept?.step).toBe(40);
    // A broken tensor is refused with the field named, and nothing is added.
    const broken = { ...results, id: 'other', state: { encoding: 'float32-le-base64', tensors: [{ name: 'x', shape: [2], data: base64(Float32Array.of(1)) }] } };
    await store.getState().importRun(JSON.stringify(broken), 'broken.json');
    expect(store.getState().historyMessage).toMatch(/state\.tensors\[0\]\.data/);
    expect(store.getState().runs.some((r) => r.id === 'other')).toBe(false);
    // Its kept weights make it exportable again (a one-tensor state here: the files are made, not checked by run.py).
    const zip = await store.getState().exportRunToPytorch('pytorch-abc');
    expect(zip?.fileName).toMatch(/_pytorch\.zip$/);
  }, 60_000);
});

describe('the command line\'s --export-pytorch and --import-run', () => {
  it('takes its flags out of the command line, and its setup makes results.json land in the page\'s group of the same run', async () => {
    const { pytorchFlags, setupOfCli, compareImported } = await import('../../src/cli/pytorchExport');
    const { parseExperimentArgs } = await import('../../src/cli/experimentArgs');
    const { runConfigOf } = await import('../../src/cli/runExperiment');
    const { familyOf } = await import('../../src/core/experiment/datasets');
    const flags = pytorchFlags(['--method', 'maml', '--export-pytorch', 'out/maml', '--import-run=r.json', '--way', '5']);
    expect(flags).toEqual({ exportDir: 'out/maml', importRun: 'r.json', rest: ['--method', 'maml', '--way', '5'] });
    expect(() => pytorchFlags(['--export-pytorch'])).toThrow(/needs a folder/);
    const args = parseExperimentArgs(flags.rest);
    const config = runConfigOf(args, 'maml', familyOf('glyphs'));
    const setup = setupOfCli(args, config)!;
    // The page's default setup with MAML: the same dataset, split, seed, sampler and test episodes.
    expect(setup).toMatchObject({ dataset: 'glyphs', split: { train: 70, val: 10, test: 20 }, seed: 1, way: 5, shot: 1, query: 15, evalEpisodes: 600 });
    const perEpisode = Array.from({ length: 600 }, (_, i) => (i % 4) / 4);
    const file = {
      format: 'few-shot-lab-run', version: 1, id: 'pytorch-1', name: 'MAML · PyTorch', createdAt: '2026-12-06T10:00:00.000Z', dataset: 'glyphs (800 classes, 28x28x1)',
      setup, status: 'done', message: null, backend: null, seconds: 1, stepsDone: 0, metaBatch: 4, finalTraining: null, validation: [],
      evaluations: [{ metric: 'accuracy', episodes: 600, seed: 2017, sampler: config.sampler, split: 'test', splitClasses: 160, labels: {}, backend: 'cpu', stoppedEarly: false, results: [{ label: 'accuracy', ...summarise(perEpisode), perEpisode }] }],
      points: [],
    };
    const imported = parseRunExport(JSON.stringify(file), { fileName: 'results.json' }).run;
    const browser = { ...storedRunOf({ ...config, sampler: { way: 5, shot: 1, query: 15 } }, perEpisode.map((v) => 1 - v)), setup: { ...DEFAULT_SETUP, method: 'maml' }, datasetLabel: 'glyphs (800 classes, 28x28x1)' } as StoredRun;
    browser.evaluations = browser.evaluations.map((e) => ({ ...e, episodes: 600 }));
    const groups = comparisonGroups([browser, { ...imported, createdAt: 2 }]);
    expect(groups).toHaveLength(1);
    expect(groups[0].rows[1].difference!.mean).toBeCloseTo(summarise(perEpisode).mean - summarise(perEpisode.map((v) => 1 - v)).mean, 10);
    // Evaluations on other episodes are not compared, and the reason says why.
    const evaluation = { ...browser.evaluations[0], seed: 7 };
    expect(compareImported({ name: 'x', engine: 'PyTorch', episodes: 600, seed: 2017, settings: { way: 5, shot: 1, query: 15 }, summary: summarise(perEpisode), perEpisode }, evaluation)).toMatchObject({ reason: expect.stringMatching(/not the same episodes/) });
  });
});

describe('npz', () => {
  it('writes arrays numpy reads and reads them back', () => {
    const bytes = encodeNpz({ a: { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }, b: { dtype: 'uint8', shape: [4], data: Uint8Array.from([0, 1, 254, 255]) } });
    const back = decodeNpz(bytes);
    expect(back.a.shape).toEqual([2, 3]);
    expect(Array.from(back.a.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(Array.from(back.b.data)).toEqual([0, 1, 254, 255]);
  });
});
