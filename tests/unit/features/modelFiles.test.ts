// checkModelFiles on a real (tiny, MobileNet-shaped) model and on every kind of bad pick: a
// missing weight file, a truncated one, not a JSON object, an unknown format, damaged
// Few-Shot Lab metadata. Each refusal must say what is wrong and what to do.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkModelFiles, expectedWeightPaths, ModelFilesError, weightByteSize } from '../../../src/core/features/modelFiles';
import type { ModelFiles } from '../../../src/worker/ownImagesProtocol';
import { buildTinyMobilenet, WEIGHT_FILE } from '../../fixtures/tinyMobilenet';

let tiny: ModelFiles & { modelJson: Record<string, unknown> };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

beforeAll(async () => {
  tiny = await buildTinyMobilenet();
});

function refusal(files: ModelFiles): string {
  try {
    checkModelFiles(files);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFilesError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('checkModelFiles', () => {
  it('reads a MobileNet-shaped layers model: layers, weight bytes, suggested layer conv_pw_13_relu', () => {
    const check = checkModelFiles(tiny);
    expect(check.format).toBe('layers');
    expect(check.weightBytes).toBe(tiny.weights[0].bytes.length);
    expect(check.layers[0]).toEqual({ name: 'input_1', className: 'InputLayer', outputShape: null });
    expect(check.layers.map((l) => l.name)).toContain('conv_dw_1_bn');
    expect(check.suggestedLayer).toBe('conv_pw_13_relu');
    expect(check.fewShotLab).toBeNull();
    expect(expectedWeightPaths(tiny.modelJson)).toEqual([WEIGHT_FILE]);
  });

  it('accepts a missing format (older converters: modelTopology.model_config) and weight files under another folder', () => {
    const json = clone(tiny.modelJson);
    delete json.format;
    const topology = json.modelTopology as Record<string, unknown>;
    json.modelTopology = { keras_version: '2.1.4', backend: 'tensorflow', model_config: topology };
    (json.weightsManifest as Array<{ paths: string[] }>)[0].paths = ['./group1-shard1of1.bin'];
    const check = checkModelFiles({ modelJson: json, weights: [{ path: 'models/mobilenet/group1-shard1of1.bin', bytes: tiny.weights[0].bytes }] });
    expect(check.format).toBe('layers');
    expect(check.suggestedLayer).toBe('conv_pw_13_relu');
  });

  it('counts quantized and other dtypes by their stored size', () => {
    expect(weightByteSize({ name: 'a', shape: [3, 4], dtype: 'float32' })).toBe(48);
    expect(weightByteSize({ name: 'a', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'uint8' } })).toBe(12);
    expect(weightByteSize({ name: 'a', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'float16' } })).toBe(24);
    expect(weightByteSize({ name: 'a', shape: [5], dtype: 'bool' })).toBe(5);
    expect(() => weightByteSize({ name: 'w', shape: [1], dtype: 'complex64' })).toThrow(/"w" in model.json has dtype "complex64"/);
  });

  it('names a weight file that was not picked', () => {
    expect(refusal({ modelJson: tiny.modelJson, weights: [] })).toBe(
      'The weight file "group1-shard1of1.bin" listed in model.json was not picked; pick model.json together with all its .bin files.',
    );
  });

  it('says when the bytes do not add up (truncated or mismatched files)', () => {
    const bytes = tiny.weights[0].bytes;
    const message = refusal({ modelJson: tiny.modelJson, weights: [{ path: WEIGHT_FILE, bytes: bytes.subarray(0, 10_000) }] });
    expect(message).toBe(
      `model.json says the weights take ${bytes.length.toLocaleString('en-US')} bytes but the weight files hold 10,000 ("group1-shard1of1.bin"); the files do not belong together or one is truncated.`,
    );
  });

  it('refuses what is not a JSON object, an unknown format and a manifest-less file', () => {
    expect(refusal({ modelJson: 'hello', weights: [] })).toMatch(/model.json must hold a JSON object .* but it holds text; pick the model.json of a TensorFlow.js model/);
    expect(refusal({ modelJson: [1, 2], weights: [] })).toMatch(/holds a list/);
    expect(refusal({ modelJson: { ...tiny.modelJson, format: 'onnx' }, weights: tiny.weights })).toMatch(/format "onnx"; Few-Shot Lab reads TensorFlow.js "layers-model" and "graph-model" files/);
    expect(refusal({ modelJson: { ...tiny.modelJson, weightsManifest: undefined }, weights: tiny.weights })).toMatch(/no "weightsManifest" list/);
    expect(refusal({ modelJson: { format: 'layers-model' }, weights: [] })).toMatch(/no "modelTopology" object/);
  });

  it('refuses models that are too big for a browser tab', () => {
    const json = clone(tiny.modelJson);
    (json.weightsManifest as Array<{ weights: unknown[] }>)[0].weights.push({ name: 'huge', shape: [100_000_000], dtype: 'float32' });
    expect(refusal({ modelJson: json, weights: tiny.weights })).toMatch(/weights take 400,\d{3},\d{3} bytes, more than the 314,572,800 a browser tab can hold comfortably; pick a smaller model/);
  });

  it('reads and checks Few-Shot Lab metadata', () => {
    const metadata = { version: 1, classes: ['cat', 'dog'], kind: 'prototype', inputRange: '-1,1', inputShape: [224, 224, 3], featureLayer: 'conv_pw_13_relu', backbone: 'tiny' };
    const ok = checkModelFiles({ modelJson: { ...tiny.modelJson, userDefinedMetadata: { fewShotLab: metadata } }, weights: tiny.weights });
    expect(ok.fewShotLab).toEqual(metadata);
    const bad = (patch: Record<string, unknown>) =>
      refusal({ modelJson: { ...tiny.modelJson, userDefinedMetadata: { fewShotLab: { ...metadata, ...patch } } }, weights: tiny.weights });
    expect(bad({ classes: ['cat'] })).toMatch(/Few-Shot Lab metadata .* is damaged: "classes" must list at least 2 class names. Export the classifier again/);
    expect(bad({ classes: ['cat', 'cat'] })).toMatch(/names a class twice/);
    expect(bad({ kind: 'knn' })).toMatch(/"kind" must be one of prototype, head, runAdapt/);
    expect(bad({ version: 2 })).toMatch(/version 2 is not one this Few-Shot Lab reads/);
    expect(bad({ inputShape: [224, 224] })).toMatch(/"inputShape" must be \[height, width, channels\]/);
    expect(bad({ featureLayer: 'nope' })).toMatch(/names the feature layer "nope", which the model does not have/);
  });

  it('lists the computing nodes of a graph model and suggests the input of its global pooling', () => {
    const node = (name: string, op: string, input: string[] = []) => ({ name, op, input });
    const modelJson = {
      format: 'graph-model',
      modelTopology: {
        node: [
          node('images', 'Placeholder'),
          node('w', 'Const'),
          node('w/read', 'Identity', ['w']),
          node('conv', 'Conv2D', ['images', 'w/read']),
          node('relu', 'Relu6', ['conv']),
          node('axes', 'Const'),
          node('pool', 'Mean', ['relu', 'axes']),
          node('logits', 'MatMul', ['pool', 'w']),
          node('probs', 'Softmax', ['logits']),
        ],
      },
      weightsManifest: [{ paths: ['g.bin'], weights: [{ name: 'w', shape: [3, 3, 3, 4], dtype: 'float32' }, { name: 'axes', shape: [2], dtype: 'int32' }] }],
    };
    const check = checkModelFiles({ modelJson, weights: [{ path: 'g.bin', bytes: new Uint8Array(3 * 3 * 3 * 4 * 4 + 8) }] });
    expect(check.format).toBe('graph');
    expect(check.layers.map((l) => l.name)).toEqual(['conv', 'relu', 'pool', 'logits', 'probs']);
    expect(check.suggestedLayer).toBe('relu');
  });
});
