// An experiment handed to PyTorch exactly: the folder `npm run experiment -- --export-pytorch DIR`
// writes and the Run history's "PyTorch" button downloads as a zip. Plain data, no TensorFlow.js:
//
//   run.py         the self-contained PyTorch script (src/export/run.py, copied as it is)
//   config.json    the run's config, its method's resolved hyperparameters, the samplers, the run's
//                  name and setup (so run.py's results.json imports back as a run of the same setup)
//   split.json     the class split: dataset class indices of train, val and test, in pool order
//                  (the order the sampler draws from), and the class names
//   episodes.json  the test episodes as explicit index lists: per episode its classes (label i is
//                  classes[i]) and each support and query image's index within its class,
//                  label-major, exactly as core/episodes/sampler.ts draws them for (seed, i)
//   images.npz     every image of the dataset as the core sees it (after resizing and inversion):
//                  uint8 pixels [images, H, W, C] and class_offsets [classes + 1]; with a separate
//                  test dataset also test_pixels and test_class_offsets
//   weights.npz    the method's learnable state, float32, named and laid out as in the core
//                  (params/block0/conv/kernel is [3, 3, in, out] HWIO, head/kernel [features, way])
//
// run.py divides pixels by 255 (gatherImages), samples training episodes with a port of
// core/rng.ts (so training episodes and their augmentation are the browser's too) and evaluates
// on the listed test episodes, so both sides score identical tasks.
import type { ImageDataset } from '../data/dataset';
import type { SamplerSettings } from '../episodes/episode';
import { episodeAt } from '../episodes/sampler';
import { classPools, testSettingsOf, trainSettingsOf } from '../classification/dataProblems';
import type { RunConfig } from '../experiment/runConfig';
import type { Hyperparameters } from '../methods/catalog';
import type { MethodLabels } from '../methods/method';
import type { SavedTensors } from '../nn/params';
import { encodeNpz, type NpyArray } from './npz';

export const PYTORCH_EXPORT_FORMAT = 'few-shot-lab-pytorch-export';
export const PYTORCH_EXPORT_VERSION = 1;

/** Methods run.py implements. */
export const PYTORCH_METHODS = ['protonet', 'maml', 'fomaml', 'finetune', 'metalstm'] as const;

/** Validation episodes' seed in training (core/train/train.ts's default). */
export const VALIDATION_SEED = 7;

export interface PytorchExportInput {
  config: RunConfig;
  /** The method as the plan resolved it (hyperparameters with defaults applied). */
  method: { name: string; title: string; hyperparameters: Hyperparameters };
  metaBatch: number;
  /** What the method's evaluation labels say (batch-norm mode, order, ...). */
  labels: MethodLabels;
  dataset: ImageDataset;
  testDataset?: ImageDataset;
  /** The method's learnable state (stateTensors), names as in the core. */
  state: SavedTensors;
  /** The test episodes both sides evaluate on. */
  evaluation: { episodes: number; seed: number };
  /** The run as the history knows it: results.json carries these back. */
  run: {
    id: string;
    name: string;
    datasetLabel: string;
    /** The page's Setup of the run (null when the run cannot be expressed as one, e.g. a separate test dataset). */
    setup: Record<string, unknown> | null;
    /** Training steps already done (the exported weights are after this many). */
    stepsDone: number;
  };
  /** The text of src/export/run.py. */
  runPy: string;
  /** The project's version, for the record. */
  version?: string;
  /** ms since the epoch; default now. */
  now?: number;
}

export interface ExportedFile {
  path: string;
  bytes: Uint8Array;
}

/** The test episodes as index lists (sampler.ts's episodeAt for (seed, 0..count-1)). */
export function episodeIndexLists(
  pool: { name: string; dataset: ImageDataset; classIndices: readonly number[] },
  settings: SamplerSettings,
  seed: number,
  count: number,
): Array<{ classes: number[]; support: number[]; query: number[] }> {
  const out: Array<{ classes: number[]; support: number[]; query: number[] }> = [];
  for (let i = 0; i < count; i++) {
    const e = episodeAt(pool, settings, seed, i);
    out.push({ classes: [...e.classIndices], support: [...e.supportImageIndices], query: [...e.queryImageIndices] });
  }
  return out;
}

/** A dataset's images as one uint8 array plus where each class starts. */
function imageArrays(dataset: ImageDataset): { pixels: NpyArray; offsets: NpyArray } {
  const size = dataset.height * dataset.width * dataset.channels;
  const total = dataset.classes.reduce((sum, c) => sum + c.count, 0);
  const pixels = new Uint8Array(total * size);
  const offsets = new Int32Array(dataset.classes.length + 1);
  let at = 0;
  dataset.classes.forEach((c, i) => {
    offsets[i] = at;
    pixels.set(c.pixels.subarray(0, c.count * size), at * size);
    at += c.count;
  });
  offsets[dataset.classes.length] = at;
  return {
    pixels: { dtype: 'uint8', shape: [total, dataset.height, dataset.width, dataset.channels], data: pixels },
    offsets: { dtype: 'int32', shape: [offsets.length], data: offsets },
  };
}

const text = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);

/** The files of the export folder (see the file comment). Throws for a method run.py does not implement. */
export function pytorchExport(input: PytorchExportInput): ExportedFile[] {
  const { config, dataset, testDataset } = input;
  if (!(PYTORCH_METHODS as readonly string[]).includes(input.method.name)) {
    throw new Error(`${input.method.title} cannot be exported to PyTorch yet; run.py implements ${PYTORCH_METHODS.join(', ')}.`);
  }
  if (input.method.name === 'finetune' && input.method.hyperparameters.finetuneBackbone === 'yes') {
    throw new Error("The fine-tuning baseline's whole-network fine-tuning (finetuneBackbone 'yes') is not exported to PyTorch yet; export it with finetuneBackbone 'no' (the frozen backbone).");
  }
  const pools = classPools(dataset, testDataset, config);
  const trainSettings = trainSettingsOf(config.sampler);
  const testSettings = testSettingsOf(config.sampler);
  const episodes = episodeIndexLists(pools.test, testSettings, input.evaluation.seed, input.evaluation.episodes);
  const main = imageArrays(dataset);
  const arrays: Record<string, NpyArray> = { pixels: main.pixels, class_offsets: main.offsets };
  if (testDataset) {
    const test = imageArrays(testDataset);
    arrays.test_pixels = test.pixels;
    arrays.test_class_offsets = test.offsets;
  }
  const weights: Record<string, NpyArray> = {};
  for (const [name, t] of Object.entries(input.state)) {
    weights[name] = { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.values) };
  }
  const configJson = {
    format: PYTORCH_EXPORT_FORMAT,
    version: PYTORCH_EXPORT_VERSION,
    exportedAt: new Date(input.now ?? Date.now()).toISOString(),
    fewShotLab: input.version ?? null,
    run: input.run,
    runConfig: config,
    method: input.method.name,
    methodTitle: input.method.title,
    hyperparameters: input.method.hyperparameters,
    labels: input.labels,
    metaBatch: input.metaBatch,
    image: { height: dataset.height, width: dataset.width, channels: dataset.channels },
    trainSettings,
    testSettings,
    seed: config.seed,
    steps: config.steps,
    augment: config.augment ?? { maxShift: 0, flip: false },
    valEvery: config.valEvery ?? 0,
    valEpisodes: config.valEpisodes ?? 100,
    valSeed: VALIDATION_SEED,
    evaluation: { episodes: input.evaluation.episodes, seed: input.evaluation.seed, split: pools.test.name, splitClasses: pools.test.classIndices.length },
    separateTestDataset: testDataset !== undefined,
  };
  const split = {
    train: pools.train.classIndices,
    val: pools.val.classIndices,
    test: pools.test.classIndices,
    description: pools.description,
    classNames: dataset.classes.map((c) => c.name),
    testClassNames: testDataset ? testDataset.classes.map((c) => c.name) : undefined,
  };
  return [
    { path: 'run.py', bytes: new TextEncoder().encode(input.runPy) },
    { path: 'config.json', bytes: text(configJson) },
    { path: 'split.json', bytes: text(split) },
    { path: 'episodes.json', bytes: new TextEncoder().encode(`${JSON.stringify({ seed: input.evaluation.seed, settings: testSettings, pool: pools.test.name, episodes })}\n`) },
    { path: 'images.npz', bytes: encodeNpz(arrays) },
    { path: 'weights.npz', bytes: encodeNpz(weights, 1) },
  ];
}

/** A state read back from weights.npz (run.py writes its trained weights in the same names and layouts). */
export function stateFromNpz(arrays: Record<string, NpyArray>): SavedTensors {
  const out: SavedTensors = {};
  for (const [name, a] of Object.entries(arrays)) {
    out[name] = { shape: a.shape, values: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data) };
  }
  return out;
}
