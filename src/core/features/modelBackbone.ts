// A TensorFlow.js model (model.json + weight files, checked by modelFiles.ts) as a feature
// backbone: loaded from memory (nothing fetched), cut at a feature layer (layers models) or read at
// a node (graph models), pixels scaled to the model's input range, and a 4-D feature map
// global-average-pooled to one vector per image. A model exported by Few-Shot Lab brings its
// classifier back (the Dense layer on top) so it classifies at once.
import * as tf from '@tensorflow/tfjs';
import type { BackboneLayer, ClassifierKind, InputRange, ModelFiles } from './types';
import { EMBED_BATCH, pixelScaling, type Backbone, type ExportableGraph, type ProgressCallback } from './backbone';
import type { LinearClassifier } from './featureClassifiers';
import { checkModelFiles, ModelFilesError, weightGroupBytes, type FewShotLabMetadata } from './modelFiles';

/** Layer names of Few-Shot Lab's exported classifier (exportClassifier.ts). */
export const EXPORT_POOL_LAYER = 'fsl_pool';
export const EXPORT_CLASSIFIER_LAYER = 'fsl_classifier';

export interface ModelBackboneOptions {
  /** Feature layer (layers) or node (graph); default: Few-Shot Lab metadata, else the suggestion. */
  layer?: string;
  /** How pixels are scaled; default: metadata, else '-1,1' for Keras MobileNets, else '0,1'. */
  inputRange?: InputRange;
  /** Where a given inputRange came from: its publisher (a catalog model) or the user (the default). */
  inputRangeFrom?: 'publisher' | 'chosen';
  /**
   * The recommended feature layer is the model's own output (a publisher's feature-vector model,
   * whose output IS the documented feature vector), not the layer before a classifier tail.
   */
  recommendOutput?: boolean;
  /** The layer its publisher documents (a catalog model): recommended over the one found by looking. */
  recommendLayer?: string;
}

const DEFAULT_INPUT: [number, number, number] = [224, 224, 3];
type Json = Record<string, unknown>;

/** [h, w, c] from a model input shape [batch, h, w, c]; unknown sides default to 224x224x3. */
function inputShapeOf(shape: ReadonlyArray<number | null> | undefined): [number, number, number] {
  if (!shape || shape.length !== 4) {
    if (shape && shape.length !== 4) throw new ModelFilesError(`The model takes inputs of shape [${shape.join(', ')}]; Few-Shot Lab needs an image input [batch, height, width, channels].`);
    return [...DEFAULT_INPUT];
  }
  const side = (v: number | null, fallback: number) => (v !== null && v > 0 ? v : fallback);
  const shapeOut: [number, number, number] = [side(shape[1], 224), side(shape[2], 224), side(shape[3], 3)];
  if (shapeOut[2] !== 1 && shapeOut[2] !== 3) throw new ModelFilesError(`The model takes images with ${shapeOut[2]} channels; Few-Shot Lab gives 1 (grey) or 3 (RGB).`);
  return shapeOut;
}

/** Keras MobileNets (v1 names conv_dw_*, v2 names block_*_expand) expect pixels in [-1, 1]. */
function looksLikeKerasMobileNet(layers: BackboneLayer[]): boolean {
  return layers.some((l) => /^conv_dw_\d+$|^block_\d+_expand$/.test(l.name));
}

/** tfjs wants one ArrayBuffer holding every group's bytes, in manifest order. */
function concatenated(groups: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(groups.reduce((n, g) => n + g.length, 0));
  let at = 0;
  for (const g of groups) {
    out.set(g, at);
    at += g.length;
  }
  return out.buffer;
}

function artifactsOf(files: ModelFiles, format: 'layers' | 'graph'): tf.io.ModelArtifacts {
  const json = files.modelJson as Json;
  // The manifest's own entries (quantized weights keep their scale and min).
  const weightSpecs = (json.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>).flatMap((g) => g.weights);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData: concatenated(weightGroupBytes(files)),
    format: format === 'layers' ? 'layers-model' : 'graph-model',
  };
  for (const key of ['generatedBy', 'convertedBy', 'userDefinedMetadata', 'signature', 'modelInitializer', 'initializerSignature'] as const) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

function shapeWithoutBatch(shape: unknown): number[] | null {
  if (!Array.isArray(shape) || shape.length === 0 || Array.isArray(shape[0])) return null;
  const rest = shape.slice(1);
  return rest.every((d) => typeof d === 'number' && d > 0) ? (rest as number[]) : null;
}

function describeShape(shape: number[]): string {
  return shape.join('×');
}

/** Loads a model from its files; throws ModelFilesError / Error with what to do. */
export async function loadModelBackbone(name: string, files: ModelFiles, options: ModelBackboneOptions = {}): Promise<Backbone> {
  const check = checkModelFiles(files);
  const artifacts = artifactsOf(files, check.format);
  const meta = check.fewShotLab;
  const range: InputRange = options.inputRange ?? meta?.inputRange ?? (check.format === 'layers' && looksLikeKerasMobileNet(check.layers) ? '-1,1' : '0,1');
  const rangeSource = options.inputRange ? (options.inputRangeFrom ?? 'chosen') : meta ? 'metadata' : 'guessed';
  const recommended = options.recommendOutput ? null : (options.recommendLayer ?? meta?.featureLayer ?? check.suggestedLayer);
  const wanted = options.layer ?? recommended;
  try {
    const backbone =
      check.format === 'layers'
        ? await layersBackbone(name, artifacts, wanted, range, meta)
        : await graphBackbone(name, artifacts, wanted, range, check.layers);
    // With recommendOutput, the recommended layer is the output the backbone fell back to without a wanted layer.
    const summary = backbone.summary as Backbone['summary'] & { recommendedLayer: string | null; inputRangeSource: typeof rangeSource };
    summary.recommendedLayer = recommended ?? (options.layer === undefined ? summary.featureLayer : outputName(check.format, check.layers));
    summary.inputRangeSource = rangeSource;
    return backbone;
  } catch (error) {
    if (error instanceof ModelFilesError) throw error;
    throw new ModelFilesError(
      `TensorFlow.js could not load "${name}" (${(error as Error).message}). Models with custom layers or ops cannot be read; try a standard model such as MobileNet.`,
    );
  }
}

/** The model's last layer or node: its output. */
function outputName(format: 'layers' | 'graph', layers: BackboneLayer[]): string | null {
  void format;
  return layers.length > 0 ? layers[layers.length - 1].name : null;
}

function unknownLayer(what: string, name: string, layers: BackboneLayer[]): ModelFilesError {
  const some = layers.slice(-6).map((l) => l.name).join(', ');
  return new ModelFilesError(`The model has no ${what} "${name}"; pick one of its ${what}s (the last ones are ${some}).`);
}

/** The features of a symbolic / real output: 4-D pooled, 2-D as is, anything else refused. */
function featureShape(layer: string, shape: number[]): { size: number; pooled: boolean; note: string } {
  if (shape.length === 3) return { size: shape[2], pooled: true, note: `global average pool of ${layer} (${describeShape(shape)})` };
  if (shape.length === 1) return { size: shape[0], pooled: false, note: `output of ${layer} (${shape[0]} values)` };
  throw new ModelFilesError(`The layer "${layer}" gives outputs of shape ${describeShape(shape)}; pick a layer with an image-like (height×width×channels) or vector output.`);
}

async function layersBackbone(name: string, artifacts: tf.io.ModelArtifacts, wanted: string | null, range: InputRange, meta: FewShotLabMetadata | null): Promise<Backbone> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    if (model.inputs.length !== 1) throw new ModelFilesError(`The model has ${model.inputs.length} inputs; Few-Shot Lab needs a model with one image input.`);
    const inputShape = inputShapeOf(model.inputs[0].shape);
    const layers: BackboneLayer[] = model.layers.map((l) => ({ name: l.name, className: l.getClassName(), outputShape: shapeWithoutBatch(l.outputShape) }));
    const layerName = wanted ?? model.layers[model.layers.length - 1].name;
    const layer = model.layers.find((l) => l.name === layerName);
    if (!layer) throw unknownLayer('layer', layerName, layers);
    const output = layer.output;
    if (Array.isArray(output)) throw new ModelFilesError(`The layer "${layerName}" has several outputs; pick a layer with one output.`);
    const shape = shapeWithoutBatch(output.shape);
    if (!shape) throw new ModelFilesError(`The output size of layer "${layerName}" is not fixed; pick another layer.`);
    const features = featureShape(layerName, shape);
    // Shares the loaded model's layers and weights: never disposed itself (disposing it would
    // free the shared weights); model.dispose() frees them once.
    const truncated = tf.model({ inputs: model.inputs, outputs: output });
    const ready = meta ? readyClassifier(model, meta, features.size) : undefined;
    const classifiers: ClassifierKind[] = ['prototype', 'head'];
    const forward = (x: tf.Tensor4D) => truncated.predict(x) as tf.Tensor;
    const backbone: Backbone = {
      summary: {
        name,
        kind: 'layers',
        inputShape,
        inputRange: range,
        inputRangeSource: 'guessed',
        recommendedLayer: null,
        layers,
        featureLayer: layerName,
        featureSize: features.size,
        featureNote: features.note,
        classifiers,
        parameters: truncated.countParams(),
      },
      inputShape,
      inputRange: range,
      invertInput: meta?.invertInput,
      embed: (images, onProgress) => embedInBatches(images, inputShape, backbone.inputRange, forward, features.pooled, onProgress),
      embedWithRange: (other, images, onProgress) => embedInBatches(images, inputShape, other, forward, features.pooled, onProgress),
      setInputRange: (other) => {
        backbone.inputRange = other;
        backbone.summary.inputRange = other;
      },
      exportGraph: (): ExportableGraph => ({ input: model.inputs[0], features: output, release: () => undefined }),
      ready,
      dispose: () => model.dispose(),
    };
    return backbone;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The Dense layer Few-Shot Lab put on top of an exported classifier, as a LinearClassifier. */
function readyClassifier(model: tf.LayersModel, meta: FewShotLabMetadata, size: number): { classifier: LinearClassifier; metadata: FewShotLabMetadata } {
  const dense = model.layers.find((l) => l.name === EXPORT_CLASSIFIER_LAYER) ?? [...model.layers].reverse().find((l) => l.getClassName() === 'Dense');
  const weights = dense?.getWeights() ?? [];
  if (weights.length !== 2 || weights[0].shape.length !== 2 || weights[0].shape[0] !== size || weights[0].shape[1] !== meta.classes.length) {
    throw new ModelFilesError(
      `model.json's Few-Shot Lab metadata names ${meta.classes.length} classes on ${size} features, but the model's classifier layer does not match; export the classifier again.`,
    );
  }
  const kernel = Float64Array.from(weights[0].dataSync());
  const bias = Float64Array.from(weights[1].dataSync());
  return {
    classifier: { kind: meta.kind === 'prototype' ? 'prototype' : 'head', size, classes: meta.classes.length, kernel, bias },
    metadata: meta,
  };
}

/**
 * The input shape a graph model's signature gives its input node (protobuf JSON: {dim: [{size: "-1"}, ...]}),
 * for models whose Placeholder carries no shape attribute.
 */
function signatureInputShape(artifacts: tf.io.ModelArtifacts, inputNode: string): number[] | undefined {
  const inputs = (artifacts.signature as { inputs?: Record<string, { name?: string; tensorShape?: { dim?: Array<{ size?: string | number }>; unknownRank?: boolean } }> } | undefined)?.inputs;
  const entries = Object.values(inputs ?? {});
  const entry = entries.find((e) => e.name?.replace(/:\d+$/, '') === inputNode) ?? (entries.length === 1 ? entries[0] : undefined);
  const dims = entry?.tensorShape?.unknownRank ? undefined : entry?.tensorShape?.dim;
  return dims?.map((d) => Number(d.size ?? -1));
}

/** Numbers the weights hold (quantized ones count as many as they dequantize to). */
function parameterCount(artifacts: tf.io.ModelArtifacts): number {
  return (artifacts.weightSpecs ?? []).filter((w) => w.dtype === 'float32').reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}

async function graphBackbone(
  name: string,
  artifacts: tf.io.ModelArtifacts,
  wanted: string | null,
  range: InputRange,
  nodes: BackboneLayer[],
): Promise<Backbone> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  try {
    if (model.inputs.length !== 1) throw new ModelFilesError(`The model has ${model.inputs.length} inputs; Few-Shot Lab needs a model with one image input.`);
    const input = model.inputs[0];
    const inputShape = inputShapeOf((input.shape ?? signatureInputShape(artifacts, input.name))?.map((d) => (d < 0 ? null : d)));
    const nodeName = wanted ?? model.outputs[0].name.replace(/:\d+$/, '');
    if (!nodes.some((n) => n.name === nodeName) && !model.outputs.some((o) => o.name.replace(/:\d+$/, '') === nodeName)) throw unknownLayer('node', nodeName, nodes);
    const forward = (x: tf.Tensor4D) => model.execute(x, nodeName) as tf.Tensor;
    // A converted model may take a fixed number of images at once (often [1, 224, 224, 3]).
    const fixedBatch = input.shape && input.shape.length === 4 && input.shape[0] > 0 ? input.shape[0] : undefined;
    // The node's output size is known only by running it: blank images (two unless the batch is
    // fixed), so that an output that is not one row per image (a Shape, a computation on the
    // weights alone) shows.
    const batch = fixedBatch ?? 2;
    const probe = tf.tidy(() => forward(tf.zeros([batch, ...inputShape]) as tf.Tensor4D));
    const { shape: probed, dtype } = probe;
    probe.dispose();
    if (probed[0] !== batch || dtype !== 'float32') {
      throw new ModelFilesError(
        `The node "${nodeName}" gives ${dtype} outputs of shape [${probed.join(', ')}] for ${batch} image${batch === 1 ? '' : 's'}, not one row of numbers per image; pick a node that computes on the image (a convolution, activation or pooling).`,
      );
    }
    const shape = probed.slice(1);
    const features = featureShape(nodeName, shape);
    const backbone: Backbone = {
      summary: {
        name,
        kind: 'graph',
        inputShape,
        inputRange: range,
        inputRangeSource: 'guessed',
        recommendedLayer: null,
        // Only the chosen node's output shape is known (from the probe).
        layers: nodes.map((n) => (n.name === nodeName ? { ...n, outputShape: shape } : n)),
        featureLayer: nodeName,
        featureSize: features.size,
        featureNote: features.note,
        classifiers: ['prototype', 'head'],
        parameters: parameterCount(artifacts),
      },
      inputShape,
      inputRange: range,
      embed: (images, onProgress) => embedInBatches(images, inputShape, backbone.inputRange, forward, features.pooled, onProgress, fixedBatch),
      embedWithRange: (other, images, onProgress) => embedInBatches(images, inputShape, other, forward, features.pooled, onProgress, fixedBatch),
      setInputRange: (other) => {
        backbone.inputRange = other;
        backbone.summary.inputRange = other;
      },
      exportGraph: () => {
        throw new Error(
          'Classifiers on a graph model (a converted SavedModel) cannot be exported: its ops cannot be rebuilt as layers. Export works on TensorFlow.js layers models (e.g. Keras MobileNet) and on ProtoNet or fine-tuning runs.',
        );
      },
      dispose: () => model.dispose(),
    };
    return backbone;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Fitted byte images -> float input tensor data in the model's range. */
export function scaledPixels(images: Uint8Array[], shape: [number, number, number], range: InputRange): Float32Array {
  const size = shape[0] * shape[1] * shape[2];
  const { scale, offset } = pixelScaling(range);
  const out = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    if (image.length !== size) throw new Error(`An image holds ${image.length} bytes; the backbone takes ${describeShape(shape)} = ${size}.`);
    for (let j = 0; j < size; j++) out[i * size + j] = image[j] * scale + offset;
  });
  return out;
}

/**
 * Runs `forward` on batches of images inside tf.tidy; 4-D outputs are averaged over height and
 * width. A model with a fixed batch size gets batches of exactly that size (the last one padded
 * with blank images, whose rows are dropped).
 */
async function embedInBatches(
  images: Uint8Array[],
  shape: [number, number, number],
  range: InputRange,
  forward: (x: tf.Tensor4D) => tf.Tensor,
  pooled: boolean,
  onProgress?: ProgressCallback,
  fixedBatch?: number,
): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  const step = fixedBatch ?? EMBED_BATCH;
  for (let start = 0; start < images.length; start += step) {
    const batch = images.slice(start, start + step);
    const pixels = shape[0] * shape[1] * shape[2];
    const fed = fixedBatch ? [...batch, ...Array.from({ length: fixedBatch - batch.length }, () => new Uint8Array(pixels))] : batch;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(scaledPixels(fed, shape, range), [fed.length, ...shape]);
      const y = forward(x);
      return (pooled ? tf.mean(y, [1, 2]) : y) as tf.Tensor2D;
    });
    const values = (await out.data()) as Float32Array;
    const size = out.shape[1];
    out.dispose();
    for (let i = 0; i < batch.length; i++) rows.push(values.slice(i * size, (i + 1) * size));
    await onProgress?.(Math.min(start + step, images.length), images.length);
  }
  return rows;
}
