// A TensorFlow.js model as a feature backbone, on the wasm backend with real compute: the tiny
// MobileNet-shaped model's layers and shapes, its suggested feature layer, pixel scaling, pooled
// features, another layer on request, no tensor leaks over repeated embeds; and an exported
// classifier (prototype and head) that loads back with the same probabilities.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/backend';
import { fitImage } from '../../../src/core/data/resize';
import type { Backbone } from '../../../src/core/features/backbone';
import { exportClassifier } from '../../../src/core/features/exportClassifier';
import { classifyFeatures, headClassifier, prototypeClassifier } from '../../../src/core/features/featureClassifiers';
import { checkModelFiles } from '../../../src/core/features/modelFiles';
import { loadModelBackbone } from '../../../src/core/features/modelBackbone';
import type { ModelFiles } from '../../../src/worker/ownImagesProtocol';
import { buildTinyMobilenet, TINY_FEATURES } from '../../fixtures/tinyMobilenet';
import { picture } from './ownImageFixtures';

let tiny: ModelFiles;
let backbone: Backbone;

/** Class c's image i, fitted to 224x224x3 as the worker fits it. */
const fitted = (c: number, i: number) => fitImage({ width: 48, height: 48, channels: 3, data: picture(c, i) }, { height: 224, width: 224, channels: 3 }, true);

beforeAll(async () => {
  await initBackend('wasm', { threads: 1 });
  tiny = await buildTinyMobilenet();
  backbone = await loadModelBackbone('tiny MobileNet', tiny);
});

describe('model backbone', () => {
  it('lists the layers with their output shapes and uses the suggested layer, pooled, in [-1, 1]', () => {
    const s = backbone.summary;
    expect(s).toMatchObject({
      kind: 'layers',
      inputShape: [224, 224, 3],
      inputRange: '-1,1', // Keras MobileNet layer names
      featureLayer: 'conv_pw_13_relu',
      featureSize: TINY_FEATURES,
      featureNote: 'global average pool of conv_pw_13_relu (7×7×16)',
      classifiers: ['prototype', 'head'],
    });
    expect(s.layers.find((l) => l.name === 'conv1')).toEqual({ name: 'conv1', className: 'Conv2D', outputShape: [112, 112, 8] });
    expect(s.layers.find((l) => l.name === 'conv_pw_13_relu')!.outputShape).toEqual([7, 7, 16]);
    expect(s.layers.find((l) => l.name === 'reshape_2')!.outputShape).toEqual([10]);
    expect(s.parameters).toBeGreaterThan(1000);
    expect(backbone.ready).toBeUndefined();
  });

  it('gives one feature row per image, the same in any batch, without leaking tensors', async () => {
    const images = [fitted(0, 1), fitted(1, 1), fitted(2, 1)];
    const first = await backbone.embed!(images);
    expect(first).toHaveLength(3);
    expect(first[0]).toHaveLength(TINY_FEATURES);
    expect(first.every((row) => row.every(Number.isFinite))).toBe(true);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await backbone.embed!(images);
    const alone = await backbone.embed!([images[1]]);
    expect(tf.memory().numTensors).toBe(before);
    for (let j = 0; j < TINY_FEATURES; j++) expect(alone[0][j]).toBeCloseTo(first[1][j], 5);
    // Different pictures, different features.
    expect(Math.max(...first[0].map((v, j) => Math.abs(v - first[2][j])))).toBeGreaterThan(1e-3);
  });

  it('takes another layer and input range on request, and names an unknown layer', async () => {
    const other = await loadModelBackbone('tiny', tiny, { layer: 'conv_pw_6_relu', inputRange: '0,1' });
    expect(other.summary).toMatchObject({ featureLayer: 'conv_pw_6_relu', featureSize: 16, inputRange: '0,1' });
    other.dispose();
    const flat = await loadModelBackbone('tiny', tiny, { layer: 'reshape_2' });
    expect(flat.summary).toMatchObject({ featureSize: 10, featureNote: 'output of reshape_2 (10 values)' });
    flat.dispose();
    await expect(loadModelBackbone('tiny', tiny, { layer: 'conv_pw_99' })).rejects.toThrow(/The model has no layer "conv_pw_99"; pick one of its layers/);
  });

  it('exports prototype and head classifiers that load back, recognised, with the same probabilities', async () => {
    const support = [0, 1, 2].flatMap((c) => [1, 2, 3].map((i) => fitted(c, i)));
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const queries = [fitted(0, 9), fitted(1, 9), fitted(2, 9)];
    const rows = await backbone.embed!(support);
    const queryRows = await backbone.embed!(queries);
    for (const classifier of [prototypeClassifier(rows, labels, 3), headClassifier(rows, labels, 3)]) {
      const before = tf.memory().numTensors;
      const files = await exportClassifier(backbone, classifier, { classes: ['a', 'b', 'c'], kind: classifier.kind, backbone: 'tiny MobileNet' }, 'my classifier');
      expect(tf.memory().numTensors).toBe(before);
      expect(files.weights.map((w) => w.path)).toEqual(['my_classifier.weights.bin']);
      const check = checkModelFiles(files);
      expect(check.fewShotLab).toEqual({
        version: 1,
        classes: ['a', 'b', 'c'],
        kind: classifier.kind,
        inputRange: '-1,1',
        inputShape: [224, 224, 3],
        featureLayer: 'conv_pw_13_relu',
        backbone: 'tiny MobileNet',
      });
      // Through JSON text and back, as a file would travel.
      const loaded = await loadModelBackbone('exported', { modelJson: JSON.parse(JSON.stringify(files.modelJson)), weights: files.weights });
      expect(loaded.ready?.metadata.classes).toEqual(['a', 'b', 'c']);
      expect(loaded.summary.featureLayer).toBe('conv_pw_13_relu');
      const original = classifyFeatures(classifier, queryRows);
      const again = classifyFeatures(loaded.ready!.classifier, await loaded.embed!(queries));
      // And the exported model itself, run as a whole by TensorFlow.js.
      const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: (files.modelJson as { modelTopology: object }).modelTopology, weightSpecs: (files.modelJson as { weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> }).weightsManifest[0].weights, weightData: files.weights[0].bytes.slice().buffer }));
      const input = tf.tensor4d(Float32Array.from(queries.flatMap((q) => Array.from(q, (v) => v / 127.5 - 1))), [3, 224, 224, 3]);
      const direct = model.predict(input) as tf.Tensor;
      const directRows = (await direct.array()) as number[][];
      tf.dispose([input, direct]);
      model.dispose();
      let worst = 0;
      original.forEach((row, i) => row.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - again[i][c]), Math.abs(p - directRows[i][c])))));
      expect(worst).toBeLessThan(1e-5);
      loaded.dispose();
    }
  });
});
