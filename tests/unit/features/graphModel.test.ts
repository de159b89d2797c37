// A TensorFlow.js GRAPH model (the converter's "graph-model" format, as TF Hub / SavedModel
// conversions come) as a feature backbone, on the wasm backend with real compute: checkModelFiles
// lists its nodes and suggests the feature node; loadModelBackbone loads it from memory, reads the
// input shape from the Placeholder (or the signature), embeds images at the suggested node or any
// other (4-D outputs pooled) without leaking tensors, and gives the same numbers as the same ops
// written out with tf.conv2d etc.; and the worker session fits, estimates and classifies with it,
// refusing only the export.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/backend';
import { fitImage } from '../../../src/core/data/resize';
import type { Backbone } from '../../../src/core/features/backbone';
import { checkModelFiles } from '../../../src/core/features/modelFiles';
import { loadModelBackbone } from '../../../src/core/features/modelBackbone';
import type { AccuracyEstimate, BackboneSummary, Classification, ClassifierSummary, ModelFiles } from '../../../src/worker/ownImagesProtocol';
import {
  buildTinyGraphModel,
  GRAPH_CLASSES,
  GRAPH_FEATURES,
  GRAPH_INPUT,
  GRAPH_NODES as N,
  GRAPH_WEIGHT_FILE,
  GRAPH_WEIGHTS,
  tinyGraphWeightValues,
} from '../../fixtures/tinyGraphModel';
import { sessionHarness } from '../fixtures/sessionHarness';
import { CLASS_NAMES, ownClasses, picture, picturePng } from './ownImageFixtures';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** Class c's picture i, fitted to 64x64x3 as the worker fits it. */
const fitted = (c: number, i: number) => fitImage({ width: 48, height: 48, channels: 3, data: picture(c, i) }, { height: 64, width: 64, channels: 3 }, true);
const worst = (a: ArrayLike<number>[], b: ArrayLike<number>[]) => Math.max(...a.flatMap((row, i) => Array.from(row, (v, j) => Math.abs(v - b[i][j]))));

/** The weights read back from the weight file by the manifest (not through tfjs's loader). */
function weightsFromFile(files: ModelFiles): Map<string, { shape: number[]; values: Float32Array | Int32Array }> {
  const manifest = (files.modelJson as { weightsManifest: Array<{ weights: Array<{ name: string; shape: number[]; dtype: string }> }> }).weightsManifest[0].weights;
  const bytes = files.weights[0].bytes;
  const out = new Map<string, { shape: number[]; values: Float32Array | Int32Array }>();
  let at = 0;
  for (const w of manifest) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const copy = bytes.slice(at, at + size * 4).buffer;
    out.set(w.name, { shape: w.shape, values: w.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy) });
    at += size * 4;
  }
  expect(at).toBe(bytes.length);
  return out;
}

/** The graph's ops written out with tfjs ops: [pooled features (8), conv1 Relu6 map pooled (8), logits (5)] per image. */
function reference(files: ModelFiles, images: Uint8Array[]): { features: number[][]; relu1: number[][]; logits: number[][] } {
  const w = weightsFromFile(files);
  const t = (key: keyof typeof GRAPH_WEIGHTS) => tf.tensor(w.get(GRAPH_WEIGHTS[key].name)!.values, w.get(GRAPH_WEIGHTS[key].name)!.shape);
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(images.flatMap((im) => Array.from(im, (v) => v / 255))), [images.length, ...GRAPH_INPUT]);
    const relu1 = tf.relu6(tf.add(tf.conv2d(x, t('kernel1') as tf.Tensor4D, 2, 'same'), t('bias1')));
    const relu2 = tf.relu(tf.add(tf.conv2d(relu1 as tf.Tensor4D, t('kernel2') as tf.Tensor4D, 2, 'same'), t('bias2')));
    const features = tf.mean(relu2, [1, 2]);
    const logits = tf.add(tf.matMul(features as tf.Tensor2D, t('dense') as tf.Tensor2D), t('denseBias'));
    return {
      features: features.arraySync() as number[][],
      relu1: tf.mean(relu1, [1, 2]).arraySync() as number[][],
      logits: logits.arraySync() as number[][],
    };
  });
}

let files: ModelFiles;
let backbone: Backbone;

beforeAll(async () => {
  await initBackend('wasm', { threads: 1 });
  files = buildTinyGraphModel();
  backbone = await loadModelBackbone('tiny graph', files);
});

describe('graph model fixture', () => {
  it('is the same bytes every time and holds the seeded weights', () => {
    const again = buildTinyGraphModel();
    expect(again.weights[0].bytes).toEqual(files.weights[0].bytes);
    expect(JSON.stringify(again.modelJson)).toBe(JSON.stringify(files.modelJson));
    const values = tinyGraphWeightValues();
    const read = weightsFromFile(files);
    expect(Array.from(read.get(GRAPH_WEIGHTS.kernel2.name)!.values)).toEqual(Array.from(values.kernel2));
    expect(Array.from(read.get(GRAPH_WEIGHTS.axes.name)!.values)).toEqual([1, 2]);
  });
});

describe('checkModelFiles on a graph model', () => {
  it('reads the format, lists the computing nodes in order and suggests the input of the feature-vector Mean', () => {
    const check = checkModelFiles(files);
    expect(check.format).toBe('graph');
    expect(check.weightBytes).toBe(files.weights[0].bytes.length);
    expect(check.layers.map((l) => [l.name, l.className])).toEqual([
      [N.conv1, 'Conv2D'],
      [N.bias1, 'BiasAdd'],
      [N.relu1, 'Relu6'],
      [N.conv2, '_FusedConv2D'],
      [N.pool, 'Mean'],
      [N.matmul, 'MatMul'],
      [N.logits, 'BiasAdd'],
      [N.softmax, 'Softmax'],
      [N.output, 'Identity'],
    ]);
    // Global-average-pooling the Mean's input gives exactly the feature vector.
    expect(check.suggestedLayer).toBe(N.conv2);
    expect(check.fewShotLab).toBeNull();
  });

  it('names a missing weight file of a graph model', () => {
    expect(() => checkModelFiles({ modelJson: files.modelJson, weights: [] })).toThrow(`The weight file "${GRAPH_WEIGHT_FILE}" listed in model.json was not picked`);
  });
});

describe('graph model backbone', () => {
  it('loads with the input shape of the Placeholder and features at the suggested node, pooled, in [0, 1]', () => {
    expect(backbone.summary).toMatchObject({
      name: 'tiny graph',
      kind: 'graph',
      inputShape: GRAPH_INPUT,
      inputRange: '0,1',
      featureLayer: N.conv2,
      featureSize: GRAPH_FEATURES,
      featureNote: `global average pool of ${N.conv2} (16×16×8)`,
      classifiers: ['prototype', 'head'],
      parameters: 3 * 3 * 3 * 8 + 8 + 3 * 3 * 8 * 8 + 8 + 8 * GRAPH_CLASSES + GRAPH_CLASSES,
    });
    expect(backbone.summary.layers.map((l) => l.name)).toContain(N.pool);
    expect(backbone.ready).toBeUndefined();
    expect(() => backbone.exportGraph()).toThrow(/Classifiers on a graph model \(a converted SavedModel\) cannot be exported/);
  });

  it('gives the features of the same ops written with tfjs, for several images, without leaking tensors', async () => {
    // 20 images: more than one embedding batch.
    const images = Array.from({ length: 20 }, (_, i) => fitted(i % 3, i + 1));
    const before = tf.memory().numTensors;
    const rows = await backbone.embed!(images);
    expect(tf.memory().numTensors).toBe(before);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.length === GRAPH_FEATURES && r.every(Number.isFinite))).toBe(true);
    const ref = reference(files, images);
    expect(worst(rows, ref.features)).toBeLessThan(1e-5);
    // Not a trivial graph: pictures of different classes get different features.
    expect(Math.max(...rows[0].map((v, j) => Math.abs(v - rows[1][j])))).toBeGreaterThan(1e-2);
    const alone = await backbone.embed!([images[4]]);
    expect(worst(alone, [rows[4]])).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes another node on request: the Mean itself, a 4-D map (pooled) and the logits', async () => {
    const images = [fitted(0, 3), fitted(1, 3), fitted(2, 3)];
    const ref = reference(files, images);
    const before = tf.memory().numTensors;
    const cases: Array<[string, number, string, number[][]]> = [
      [N.pool, GRAPH_FEATURES, `output of ${N.pool} (8 values)`, ref.features],
      [N.relu1, 8, `global average pool of ${N.relu1} (32×32×8)`, ref.relu1],
      [N.logits, GRAPH_CLASSES, `output of ${N.logits} (5 values)`, ref.logits],
    ];
    for (const [layer, size, note, expected] of cases) {
      const other = await loadModelBackbone('tiny graph', files, { layer });
      expect(other.summary).toMatchObject({ featureLayer: layer, featureSize: size, featureNote: note });
      expect(worst(await other.embed!(images), expected)).toBeLessThan(1e-5);
      other.dispose();
    }
    // Loading, probing, embedding and disposing leave nothing behind.
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadModelBackbone('tiny graph', files, { layer: 'conv9/Relu' })).rejects.toThrow(/The model has no node "conv9\/Relu"; pick one of its nodes \(the last ones are .*Identity\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a publisher's feature-vector model: its output is the recommended layer, with the publisher's scaling; another layer keeps the output marked", async () => {
    const vector = buildTinyGraphModel({ inputSize: 224, featureVectorOutput: true });
    const images = [fitted(0, 3), fitted(1, 3)];
    const backbone = await loadModelBackbone('v3 stand-in', vector, { recommendOutput: true, inputRange: '0,1', inputRangeFrom: 'publisher' });
    expect(backbone.summary).toMatchObject({ inputShape: [224, 224, 3], featureLayer: N.output, recommendedLayer: N.output, featureSize: GRAPH_FEATURES, inputRange: '0,1', inputRangeSource: 'publisher' });
    backbone.dispose();
    const picked = await loadModelBackbone('v3 stand-in', vector, { recommendOutput: true, layer: N.relu1, inputRange: '-1,1' });
    expect(picked.summary).toMatchObject({ featureLayer: N.relu1, recommendedLayer: N.output, inputRangeSource: 'chosen' });
    picked.dispose();
    // The 64x64 model with a suggested layer: the Mean's input, marked recommended; no scaling stated: a guess.
    const plain = await loadModelBackbone('tiny graph', files);
    expect(plain.summary).toMatchObject({ featureLayer: N.conv2, recommendedLayer: N.conv2, inputRangeSource: 'guessed' });
    expect((await plain.embed!(images)).length).toBe(2);
    plain.dispose();
  });

  it('reads the input shape from the signature when the Placeholder has none', async () => {
    const json = clone(files.modelJson) as { modelTopology: { node: Array<{ name: string; attr: Record<string, unknown> }> } };
    delete json.modelTopology.node.find((n) => n.name === N.input)!.attr.shape;
    const other = await loadModelBackbone('no placeholder shape', { modelJson: json, weights: files.weights });
    expect(other.summary.inputShape).toEqual(GRAPH_INPUT);
    other.dispose();
  });

  it('feeds a model with a fixed batch size (Placeholder [1, 64, 64, 3]) one image at a time', async () => {
    const json = clone(files.modelJson) as { modelTopology: { node: Array<{ name: string; attr: { shape?: { shape: { dim: Array<{ size: string }> } } } }> } };
    json.modelTopology.node.find((n) => n.name === N.input)!.attr.shape!.shape.dim[0].size = '1';
    const other = await loadModelBackbone('batch of one', { modelJson: json, weights: files.weights });
    expect(other.summary.inputShape).toEqual(GRAPH_INPUT);
    const images = [fitted(0, 5), fitted(1, 5), fitted(2, 5)];
    const before = tf.memory().numTensors;
    expect(worst(await other.embed!(images), reference(files, images).features)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    other.dispose();
  });

  it('refuses a node that does not give one row per image', async () => {
    // A node computing on the weights alone: the same [8, 5] whatever the images.
    const json = clone(files.modelJson) as { modelTopology: { node: Array<Record<string, unknown>> } };
    json.modelTopology.node.push({ name: 'weights_only/Relu', op: 'Relu', input: [GRAPH_WEIGHTS.dense.name], attr: { T: { type: 'DT_FLOAT' } } });
    const before = tf.memory().numTensors;
    await expect(loadModelBackbone('odd', { modelJson: json, weights: files.weights }, { layer: 'weights_only/Relu' })).rejects.toThrow(
      'The node "weights_only/Relu" gives float32 outputs of shape [8, 5] for 2 images, not one row of numbers per image; pick a node that computes on the image (a convolution, activation or pooling).',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('survives the trip through JSON text, as a picked file would come', async () => {
    const other = await loadModelBackbone('from text', { modelJson: JSON.parse(JSON.stringify(files.modelJson)), weights: files.weights });
    const images = [fitted(2, 7)];
    expect(worst(await other.embed!(images), await backbone.embed!(images))).toBeLessThan(1e-6);
    other.dispose();
  });
});

describe('a graph model through the worker session', () => {
  const h = sessionHarness();
  const classes = ownClasses(4);
  const newPictures = [0, 1, 2].map((c) => picturePng(c, 50));

  beforeAll(async () => {
    await h.send({ type: 'init', backend: 'wasm' });
  });

  it('loads, fits a prototype classifier, estimates leave-one-out accuracy, classifies, and refuses export', async () => {
    const summary = (await h.send({ type: 'loadBackbone', backboneId: 'g', source: { kind: 'model', name: 'tiny graph', files: buildTinyGraphModel() } })) as BackboneSummary;
    expect(summary).toMatchObject({ backboneId: 'g', kind: 'graph', inputShape: GRAPH_INPUT, inputRange: '0,1', featureLayer: N.conv2, featureSize: GRAPH_FEATURES });
    const proto = (await h.send({ type: 'fitClassifier', classifierId: 'p', backboneId: 'g', kind: 'prototype', classes })) as ClassifierSummary;
    expect(proto).toMatchObject({ classifierId: 'p', kind: 'prototype', classes: CLASS_NAMES, imagesPerClass: [4, 4, 4] });
    expect(proto.description).toBe(`nearest prototype on 8 features (global average pool of ${N.conv2} (16×16×8))`);
    const loo = (await h.send({ type: 'estimateAccuracy', backboneId: 'g', kind: 'prototype', classes, protocol: { kind: 'leaveOneOut' } })) as AccuracyEstimate;
    expect(loo.summary.episodes).toBe(12);
    expect(loo.summary.mean).toBeGreaterThan(0.9);
    const result = (await h.send({ type: 'classify', classifierId: 'p', images: newPictures })) as Classification;
    expect(result.classes).toEqual(CLASS_NAMES);
    for (const row of result.probabilities) expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(result.probabilities.map((row) => row.indexOf(Math.max(...row)))).toEqual([0, 1, 2]);
    await expect(h.send({ type: 'exportClassifier', classifierId: 'p', name: 'x' })).rejects.toThrow(
      'Classifiers on a graph model (a converted SavedModel) cannot be exported: its ops cannot be rebuilt as layers. Export works on TensorFlow.js layers models (e.g. Keras MobileNet) and on ProtoNet or fine-tuning runs.',
    );
    await h.send({ type: 'disposeBackbone', backboneId: 'g' });
  });
});
