// Checking a TensorFlow.js model given as files (model.json + weight files) before anything loads
// it: the JSON's shape, the weights manifest, that every listed weight file was picked and that the
// bytes add up, plus the layer (or node) list, a suggested feature layer and Few-Shot Lab's own
// metadata of an exported classifier. No tfjs and no DOM: the page runs the same check the moment
// the user picks files, so a wrong pick is explained before any bytes go to the worker.
import type { BackboneLayer, ClassifierKind, InputRange, ModelFiles } from './types';

/** A person can cause it (picked the wrong files); the message says what is wrong and what to do. */
export class ModelFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFilesError';
  }
}

/** What Few-Shot Lab writes into model.json's userDefinedMetadata.fewShotLab when it exports a classifier. */
export interface FewShotLabMetadata {
  version: 1;
  /** Class names, in the order of the model's outputs. */
  classes: string[];
  kind: ClassifierKind;
  inputRange: InputRange;
  /** [height, width, channels] of the model input. */
  inputShape: [number, number, number];
  /** The backbone layer whose output (global-average-pooled if 4-D) feeds the classifier. */
  featureLayer: string | null;
  /** What the backbone was, in words (its name). */
  backbone: string;
  /** Images are inverted (255 - value) before scaling: the backbone learned bright strokes on dark. */
  invertInput?: boolean;
  /**
   * The calibration temperature already folded into the classifier's weights (kernel and bias
   * divided by it) when it was exported; absent when it was not calibrated.
   */
  temperature?: number;
}

export interface ModelFilesCheck {
  format: 'layers' | 'graph';
  /** Bytes of all weights, as the manifest describes them (= as the files hold them). */
  weightBytes: number;
  /** Layers (layers models) or nodes (graph models) in model order; outputShape is null here. */
  layers: BackboneLayer[];
  /** The last layer before the classifier tail (e.g. conv_pw_13_relu for MobileNet v1), or null. */
  suggestedLayer: string | null;
  fewShotLab: FewShotLabMetadata | null;
}

/** Largest total of weights accepted: a browser tab holding more than this twice (bytes, tensors) struggles. */
export const MAX_WEIGHT_BYTES = 300 * 1024 * 1024;

const INPUT_RANGES: readonly InputRange[] = ['0,1', '-1,1', '0,255'];
const CLASSIFIER_KINDS: readonly ClassifierKind[] = ['prototype', 'head', 'runAdapt'];

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

const bytes = (n: number) => n.toLocaleString('en-US');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One weight entry of a manifest group. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/** Bytes one weight takes in the weight files: elements x (quantized dtype size, else dtype size). */
export function weightByteSize(spec: WeightSpec): number {
  const elements = spec.shape.reduce((n, d) => n * d, 1);
  const per = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : DTYPE_BYTES[spec.dtype];
  if (per === undefined) {
    const what = spec.quantization ? `quantization dtype "${spec.quantization.dtype}"` : `dtype "${spec.dtype}"`;
    throw new ModelFilesError(
      `The weight "${spec.name}" in model.json has ${what}, which Few-Shot Lab cannot read (float32, int32, bool, and uint8/uint16/float16 quantization work).`,
    );
  }
  return elements * per;
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The weights manifest, checked entry by entry. */
function manifestOf(json: Json): ManifestGroup[] {
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw new ModelFilesError('model.json has no "weightsManifest" list, so its weights cannot be found; pick the model.json of a TensorFlow.js model (converted with tensorflowjs_converter or saved with model.save).');
  }
  return manifest.map((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.some((p) => typeof p !== 'string')) {
      throw new ModelFilesError(`Entry ${g + 1} of model.json's weightsManifest needs "paths" (file names) and "weights" lists; the file is damaged or not a TensorFlow.js model.json.`);
    }
    const weights = group.weights.map((w, i): WeightSpec => {
      if (
        !isObject(w) ||
        typeof w.name !== 'string' ||
        typeof w.dtype !== 'string' ||
        !Array.isArray(w.shape) ||
        w.shape.some((d) => !Number.isInteger(d) || (d as number) < 0)
      ) {
        throw new ModelFilesError(`Weight ${i + 1} of manifest entry ${g + 1} in model.json needs a "name", a "dtype" and a "shape" of whole numbers; the file is damaged.`);
      }
      const spec: WeightSpec = { name: w.name, shape: w.shape as number[], dtype: w.dtype };
      if (w.quantization !== undefined) {
        if (!isObject(w.quantization) || typeof w.quantization.dtype !== 'string') {
          throw new ModelFilesError(`The weight "${w.name}" in model.json has a "quantization" without a dtype; the file is damaged.`);
        }
        spec.quantization = { dtype: w.quantization.dtype };
      }
      weightByteSize(spec); // the dtype is one we can read
      return spec;
    });
    return { paths: group.paths as string[], weights };
  });
}

/** The weight file names model.json's manifest lists, in manifest order (what a downloader fetches). */
export function expectedWeightPaths(modelJson: unknown): string[] {
  if (!isObject(modelJson)) throw new ModelFilesError(notAnObject(modelJson));
  return manifestOf(modelJson).flatMap((g) => g.paths);
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The picked file for a manifest path: the same path, else the same base name (a page picking
 * files gets bare names; the manifest may say "./group1-shard1of1.bin" or a sub-folder).
 */
export function findWeightFile(files: ModelFiles['weights'], path: string): ModelFiles['weights'][number] | undefined {
  return files.find((f) => f.path === path) ?? files.find((f) => baseName(f.path) === baseName(path));
}

function notAnObject(value: unknown): string {
  const what = typeof value === 'string' ? 'text' : Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value;
  return `model.json must hold a JSON object (with "modelTopology" and "weightsManifest"), but it holds ${what}; pick the model.json of a TensorFlow.js model.`;
}

/** 'layers' or 'graph', from "format" or, when it is missing (older converters), from the topology's shape. */
function formatOf(json: Json): 'layers' | 'graph' {
  const topology = json.modelTopology;
  if (!isObject(topology)) {
    throw new ModelFilesError('model.json has no "modelTopology" object, so the model\'s layers are unknown; pick the model.json of a TensorFlow.js model (not a weights-only file).');
  }
  const format = json.format;
  if (format === 'layers-model') return 'layers';
  if (format === 'graph-model') return 'graph';
  if (format !== undefined) {
    throw new ModelFilesError(`model.json has format "${String(format)}"; Few-Shot Lab reads TensorFlow.js "layers-model" and "graph-model" files. Convert the model with tensorflowjs_converter.`);
  }
  if ('class_name' in topology || 'model_config' in topology) return 'layers';
  if (Array.isArray(topology.node)) return 'graph';
  throw new ModelFilesError('model.json names no "format" and its modelTopology is neither a Keras model nor a graph; pick the model.json of a TensorFlow.js layers or graph model.');
}

/** Layers of a layers model: name + class, input to output (as Keras lists them). */
function layerList(topology: Json): BackboneLayer[] {
  const config = isObject(topology.model_config) ? topology.model_config : topology;
  const inner = isObject(config.config) ? config.config : null;
  const layers = inner && Array.isArray(inner.layers) ? inner.layers : null;
  if (!layers) {
    throw new ModelFilesError('model.json\'s modelTopology lists no layers (model_config.config.layers); the file is damaged or not a TensorFlow.js layers model.');
  }
  return layers.map((layer, i) => {
    if (!isObject(layer) || typeof layer.class_name !== 'string') {
      throw new ModelFilesError(`Layer ${i + 1} in model.json has no "class_name"; the file is damaged.`);
    }
    const layerConfig = isObject(layer.config) ? layer.config : {};
    const name = typeof layer.name === 'string' ? layer.name : typeof layerConfig.name === 'string' ? layerConfig.name : `layer_${i}`;
    return { name, className: layer.class_name, outputShape: null };
  });
}

interface GraphNode {
  name: string;
  op: string;
  input: string[];
}

/** Nodes of a graph model that compute something (constants, placeholders and their Identity copies left out). */
function nodeList(topology: Json): { nodes: GraphNode[]; all: Map<string, GraphNode> } {
  const raw = Array.isArray(topology.node) ? topology.node : [];
  const all = new Map<string, GraphNode>();
  for (const n of raw) {
    if (!isObject(n) || typeof n.name !== 'string' || typeof n.op !== 'string') continue;
    const input = Array.isArray(n.input) ? n.input.filter((s): s is string => typeof s === 'string') : [];
    all.set(n.name, { name: n.name, op: n.op, input });
  }
  const isConstant = (node: GraphNode | undefined, depth = 0): boolean =>
    !!node && (node.op === 'Const' || (node.op === 'Identity' && depth < 8 && isConstant(all.get(inputName(node.input[0] ?? '')), depth + 1)));
  const nodes = [...all.values()].filter((n) => n.op !== 'Placeholder' && !isConstant(n));
  return { nodes, all };
}

const inputName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/** Layer classes that make up a classifier tail after the features. */
const TAIL_CLASSES = new Set(['Flatten', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'Dense', 'Reshape', 'Softmax', 'Activation', 'Dropout']);
const COLLAPSING_CLASSES = new Set(['Flatten', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D']);

/**
 * The feature layer to suggest: the layer before the last Flatten / global pooling (what a
 * classifier tail starts with; MobileNet's tail also holds a 1x1 conv, so "skip tail classes from
 * the end" alone would stop at conv_preds). Without such a layer, the layer before the run of
 * Dense / Reshape / Softmax / Activation / Dropout layers at the end.
 */
function suggestLayer(layers: BackboneLayer[]): string | null {
  const body = layers.filter((l) => l.className !== 'InputLayer');
  for (let i = body.length - 1; i >= 1; i--) {
    if (COLLAPSING_CLASSES.has(body[i].className)) return body[i - 1].name;
  }
  let end = body.length;
  while (end > 0 && TAIL_CLASSES.has(body[end - 1].className)) end--;
  if (end > 0) return body[end - 1].name;
  // All tail (a stack of Dense layers): the one before the last.
  return body.length >= 2 ? body[body.length - 2].name : null;
}

const GRAPH_COLLAPSING = new Set(['Mean', 'AvgPool', 'Max']);
const GRAPH_TAIL = new Set(['Softmax', 'Reshape', 'Squeeze', 'MatMul', '_FusedMatMul', 'BiasAdd', 'Add', 'AddV2', 'Identity', 'Mean', 'AvgPool']);

/** Graph models: the input of the last global pooling (Mean / AvgPool), else the node before the tail ops. */
function suggestNode(nodes: GraphNode[], all: Map<string, GraphNode>): string | null {
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (GRAPH_COLLAPSING.has(nodes[i].op)) {
      const source = nodes[i].input.map(inputName).find((n) => all.get(n) && all.get(n)!.op !== 'Const');
      return source ?? (i > 0 ? nodes[i - 1].name : null);
    }
  }
  let end = nodes.length;
  while (end > 0 && GRAPH_TAIL.has(nodes[end - 1].op)) end--;
  return end > 0 && end < nodes.length ? nodes[end - 1].name : null;
}

/** Checks model.json's userDefinedMetadata.fewShotLab, when present. */
export function fewShotLabMetadataOf(json: Json): FewShotLabMetadata | null {
  const user = json.userDefinedMetadata;
  if (!isObject(user) || user.fewShotLab === undefined) return null;
  const m = user.fewShotLab;
  const bad = (what: string) =>
    new ModelFilesError(`model.json's Few-Shot Lab metadata (userDefinedMetadata.fewShotLab) is damaged: ${what}. Export the classifier again, or remove "fewShotLab" to use the file as a plain backbone.`);
  if (!isObject(m)) throw bad('it is not an object');
  if (m.version !== 1) throw bad(`version ${String(m.version)} is not one this Few-Shot Lab reads (1)`);
  if (!Array.isArray(m.classes) || m.classes.length < 2 || m.classes.some((c) => typeof c !== 'string' || c === '')) throw bad('"classes" must list at least 2 class names');
  if (new Set(m.classes).size !== m.classes.length) throw bad('"classes" names a class twice');
  if (!CLASSIFIER_KINDS.includes(m.kind as ClassifierKind)) throw bad(`"kind" must be one of ${CLASSIFIER_KINDS.join(', ')}`);
  if (!INPUT_RANGES.includes(m.inputRange as InputRange)) throw bad(`"inputRange" must be one of ${INPUT_RANGES.join(', ')}`);
  if (!Array.isArray(m.inputShape) || m.inputShape.length !== 3 || m.inputShape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
    throw bad('"inputShape" must be [height, width, channels] of whole numbers');
  }
  if (m.featureLayer !== null && typeof m.featureLayer !== 'string') throw bad('"featureLayer" must be a layer name or null');
  if (typeof m.backbone !== 'string') throw bad('"backbone" must be a name');
  if (m.invertInput !== undefined && typeof m.invertInput !== 'boolean') throw bad('"invertInput" must be true or false');
  if (m.temperature !== undefined && !(typeof m.temperature === 'number' && m.temperature > 0 && Number.isFinite(m.temperature))) throw bad('"temperature" must be a number above 0');
  return {
    version: 1,
    classes: [...(m.classes as string[])],
    kind: m.kind as ClassifierKind,
    inputRange: m.inputRange as InputRange,
    inputShape: [...(m.inputShape as number[])] as [number, number, number],
    featureLayer: m.featureLayer as string | null,
    backbone: m.backbone,
    ...(m.invertInput === true && { invertInput: true }),
    ...(typeof m.temperature === 'number' && { temperature: m.temperature }),
  };
}

/** The weights of each manifest group, concatenated in manifest order, after checking every size. */
export function weightGroupBytes(files: ModelFiles): Uint8Array[] {
  const json = files.modelJson as Json;
  return manifestOf(json).map((group) => {
    const parts = group.paths.map((path) => {
      const file = findWeightFile(files.weights, path);
      if (!file) {
        throw new ModelFilesError(`The weight file "${path}" listed in model.json was not picked; pick model.json together with all its .bin files.`);
      }
      return file.bytes;
    });
    const held = parts.reduce((n, p) => n + p.length, 0);
    const expected = group.weights.reduce((n, w) => n + weightByteSize(w), 0);
    if (held !== expected) {
      const names = group.paths.map((p) => `"${p}"`).join(', ');
      throw new ModelFilesError(
        `model.json says the weights take ${bytes(expected)} bytes but the weight files hold ${bytes(held)} (${names}); the files do not belong together or one is truncated.`,
      );
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(held);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });
}

/** Validates model.json and its weight files; throws ModelFilesError saying what is wrong and what to do. */
export function checkModelFiles(files: ModelFiles): ModelFilesCheck {
  const json = files.modelJson;
  if (!isObject(json)) throw new ModelFilesError(notAnObject(json));
  const format = formatOf(json);
  const groups = manifestOf(json);
  const weightBytes = groups.reduce((n, g) => n + g.weights.reduce((m, w) => m + weightByteSize(w), 0), 0);
  if (weightBytes > MAX_WEIGHT_BYTES) {
    throw new ModelFilesError(
      `The model's weights take ${bytes(weightBytes)} bytes, more than the ${bytes(MAX_WEIGHT_BYTES)} a browser tab can hold comfortably; pick a smaller model (MobileNet, for example).`,
    );
  }
  weightGroupBytes(files); // every file present, every size right
  const topology = json.modelTopology as Json;
  let layers: BackboneLayer[];
  let suggestedLayer: string | null;
  if (format === 'layers') {
    layers = layerList(topology);
    suggestedLayer = suggestLayer(layers);
  } else {
    const { nodes, all } = nodeList(topology);
    if (nodes.length === 0) throw new ModelFilesError('model.json\'s graph has no computing nodes; the file is damaged or not a TensorFlow.js graph model.');
    layers = nodes.map((n) => ({ name: n.name, className: n.op, outputShape: null }));
    suggestedLayer = suggestNode(nodes, all);
  }
  const fewShotLab = fewShotLabMetadataOf(json);
  if (fewShotLab?.featureLayer && !layers.some((l) => l.name === fewShotLab.featureLayer)) {
    throw new ModelFilesError(
      `model.json's Few-Shot Lab metadata names the feature layer "${fewShotLab.featureLayer}", which the model does not have; export the classifier again.`,
    );
  }
  return { format, weightBytes, layers, suggestedLayer, fewShotLab };
}
