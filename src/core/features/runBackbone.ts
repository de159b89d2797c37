// A run trained in the playground as a backbone: its method's embeddings as features (ProtoNet,
// fine-tuning) and its own adaptation as the 'runAdapt' classifier (every method). Images are
// fitted to the run dataset's shape by the caller and scaled /255 here, as the datasets store them.
// A Conv-4 whose test-time batch norm uses running averages is rebuilt from tf.layers for export.
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../episodes/episode';
import type { FewShotMethod } from '../methods/method';
import { adaptFully } from '../methods/stepwise';
import { BN_EPSILON } from '../nn/conv4';
import type { ClassifierKind } from './types';
import { EMBED_BATCH, type Backbone, type ExportableGraph, type ProgressCallback } from './backbone';

/** Fitted HWC byte images (and labels) -> the float [0, 1] images methods take. */
export function labeledImages(images: Uint8Array[], labels: number[] | null, shape: [number, number, number]): LabeledImages {
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    if (image.length !== size) throw new Error(`An image holds ${image.length} bytes; the run takes ${shape.join('×')} = ${size}.`);
    for (let j = 0; j < size; j++) out[i * size + j] = image[j] / 255;
  });
  return { images: out, labels: Int32Array.from(labels ?? new Array<number>(images.length).fill(0)), count: images.length, imageShape: shape };
}

export interface RunBackboneOptions {
  /** Shown to the user, e.g. "run 3 (protonet, glyphs)". */
  name: string;
  /** The run dataset's [height, width, channels]. */
  inputShape: [number, number, number];
  /** The run's dataset is bright strokes on dark (ImageDataset.brightStrokes): invert the user's pictures. */
  invertInput?: boolean;
}

/**
 * Wraps `method` (the backbone owns it from now on and disposes it). Features are offered only
 * when the method embeds each image on its own: with test-time batch norm on batch statistics
 * ('batch') an image's features would depend on the other images in its batch, so cached
 * features, leave-one-out and export would not be what classification later sees; such runs
 * (and MAML-like methods without embeddings) classify with their own adaptation only.
 */
export async function runBackbone(method: FewShotMethod, options: RunBackboneOptions): Promise<Backbone> {
  const { inputShape } = options;
  const independent = method.labels().batchNormAtTest !== 'batch';
  const embedding = method.embed && independent ? method.embed.bind(method) : null;
  let featureSize: number | null = null;
  if (embedding) featureSize = (await embedding(labeledImages([new Uint8Array(inputShape[0] * inputShape[1] * inputShape[2])], null, inputShape))).size;
  const classifiers: ClassifierKind[] = embedding ? ['prototype', 'head', 'runAdapt'] : ['runAdapt'];
  const parameters = Object.values(method.stateTensors()).reduce((n, t) => n + t.size, 0);
  const featureNote = embedding
    ? `the ${method.name} run's embedding (${featureSize} values, batch norm on running averages)`
    : method.embed
      ? `none: this ${method.name} run normalises test images with batch statistics, so an image's features depend on its batch; it classifies with its own adaptation`
      : `none: ${method.name} classifies by adapting to the support images (runAdapt)`;
  const inverted = options.invertInput ? '; your images are inverted first (dark ink on light paper becomes bright strokes on dark, as the run was trained on)' : '';
  return {
    invertInput: options.invertInput,
    summary: {
      name: options.name,
      kind: 'run',
      inputShape,
      inputRange: '0,1',
      layers: [],
      featureLayer: null,
      recommendedLayer: null,
      inputRangeSource: 'run',
      featureSize,
      featureNote: featureNote + inverted,
      classifiers,
      parameters,
    },
    inputShape,
    inputRange: '0,1',
    embed: embedding
      ? async (images: Uint8Array[], onProgress?: ProgressCallback) => {
          const rows: Float32Array[] = [];
          for (let start = 0; start < images.length; start += EMBED_BATCH) {
            const batch = images.slice(start, start + EMBED_BATCH);
            const { values, size } = await embedding(labeledImages(batch, null, inputShape));
            for (let i = 0; i < batch.length; i++) rows.push(values.slice(i * size, (i + 1) * size));
            await onProgress?.(start + batch.length, images.length);
          }
          return rows;
        }
      : undefined,
    adapt: async (support, labels, way) => {
      const predictor = await adaptFully(await method.startAdaptation(labeledImages(support, labels, inputShape), way));
      return {
        predict: async (images) => {
          const rows: Float32Array[] = [];
          // One image at a time: methods that normalise with batch statistics would otherwise let
          // the images of one request influence each other's predictions.
          for (const image of images) rows.push((await predictor.predict(labeledImages([image], null, inputShape))).slice(0, way));
          return rows;
        },
        dispose: () => predictor.dispose(),
      };
    },
    exportGraph: () => conv4Layers(method, inputShape, embedding !== null),
    dispose: () => method.dispose(),
  };
}

/**
 * The Conv-4 of nn/conv4.ts as tf.layers: per block conv 3x3 'same' without bias, batch norm with
 * the running statistics (epsilon BN_EPSILON), ReLU, 2x2 max-pool 'valid'; then Flatten (row-major
 * HWC, as conv4Forward's reshape). Only for runs whose state is a Conv-4 with running statistics
 * ("params/block{i}/conv/kernel", "params/block{i}/bn/*", "running/block{i}/*").
 */
function conv4Layers(method: FewShotMethod, inputShape: [number, number, number], embeds: boolean): ExportableGraph {
  const state = method.stateTensors();
  if (!embeds || !state['params/block0/conv/kernel'] || !state['running/block0/mean']) {
    throw new Error(
      `A ${method.name} run's classifier cannot be exported: only runs that classify by embeddings with batch norm on running averages (ProtoNet, fine-tuning) rebuild as a standard model. Export also works on TensorFlow.js layers models (e.g. MobileNet).`,
    );
  }
  const input = tf.input({ shape: inputShape, name: 'images' });
  let x: tf.SymbolicTensor = input;
  const made: tf.layers.Layer[] = [];
  for (let i = 0; state[`params/block${i}/conv/kernel`]; i++) {
    const kernel = state[`params/block${i}/conv/kernel`];
    const conv = tf.layers.conv2d({ name: `block${i}_conv`, filters: kernel.shape[3] as number, kernelSize: 3, padding: 'same', useBias: false });
    const bn = tf.layers.batchNormalization({ name: `block${i}_bn`, epsilon: BN_EPSILON, axis: -1 });
    const relu = tf.layers.reLU({ name: `block${i}_relu` });
    const pool = tf.layers.maxPooling2d({ name: `block${i}_pool`, poolSize: 2, strides: 2, padding: 'valid' });
    x = conv.apply(x) as tf.SymbolicTensor;
    x = bn.apply(x) as tf.SymbolicTensor;
    x = pool.apply(relu.apply(x)) as tf.SymbolicTensor;
    conv.setWeights([kernel]);
    bn.setWeights([state[`params/block${i}/bn/gamma`], state[`params/block${i}/bn/beta`], state[`running/block${i}/mean`], state[`running/block${i}/variance`]]);
    made.push(conv, bn);
  }
  const features = tf.layers.flatten({ name: 'features' }).apply(x) as tf.SymbolicTensor;
  return { input, features, release: () => made.forEach((l) => l.dispose()) };
}
