// A fitted few-shot classifier as a standard TensorFlow.js layers model (model.json + one weight
// file): the backbone up to its feature layer, global average pooling when the features are a
// 4-D map, and one Dense softmax layer holding the classifier (nearest prototype and the folded
// head are both exactly linear, featureClassifiers.ts). Few-Shot Lab's metadata in
// userDefinedMetadata.fewShotLab lets the playground recognise the file and classify at once.
import * as tf from '@tensorflow/tfjs';
import type { ModelFiles } from './types';
import type { Backbone } from './backbone';
import type { LinearClassifier } from './featureClassifiers';
import type { FewShotLabMetadata } from './modelFiles';
import { EXPORT_CLASSIFIER_LAYER, EXPORT_POOL_LAYER } from './modelBackbone';

/** A file-name-safe stem: letters, digits, '-' and '_' (default "classifier"). */
export function fileStem(name: string): string {
  const stem = name.trim().replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return stem || 'classifier';
}

function joined(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/**
 * Builds and serialises the model. The backbone's own weights are shared, never copied or freed;
 * only the layers made here are disposed afterwards.
 */
export async function exportClassifier(
  backbone: Backbone,
  classifier: LinearClassifier,
  metadata: Omit<FewShotLabMetadata, 'version' | 'inputRange' | 'inputShape' | 'featureLayer'>,
  name: string,
): Promise<ModelFiles> {
  if (metadata.classes.length !== classifier.classes) throw new Error(`${metadata.classes.length} class names for a classifier of ${classifier.classes} classes.`);
  const graph = backbone.exportGraph(); // throws with which backbones can be exported
  const made: tf.layers.Layer[] = [];
  try {
    let features = graph.features;
    if (features.shape.length === 4) {
      const pool = tf.layers.globalAveragePooling2d({ name: EXPORT_POOL_LAYER });
      features = pool.apply(features) as tf.SymbolicTensor;
    }
    if (features.shape.length !== 2 || features.shape[1] !== classifier.size) {
      throw new Error(`The backbone's features have shape [${features.shape.join(', ')}], but the classifier takes ${classifier.size} values.`);
    }
    const dense = tf.layers.dense({ name: EXPORT_CLASSIFIER_LAYER, units: classifier.classes, activation: 'softmax' });
    const output = dense.apply(features) as tf.SymbolicTensor;
    made.push(dense);
    // setWeights copies into the layer's variables; tidy frees the temporaries.
    tf.tidy(() =>
      dense.setWeights([tf.tensor2d(Float32Array.from(classifier.kernel), [classifier.size, classifier.classes]), tf.tensor1d(Float32Array.from(classifier.bias))]),
    );
    const model = tf.model({ inputs: graph.input, outputs: output, name: fileStem(name) });
    const fewShotLab: FewShotLabMetadata = {
      version: 1,
      ...metadata,
      inputRange: backbone.inputRange,
      inputShape: [...backbone.inputShape],
      featureLayer: featureLayerName(graph.features),
      ...(backbone.invertInput && { invertInput: true }),
    };
    model.setUserDefinedMetadata({ fewShotLab } as unknown as object);
    const path = `${fileStem(name)}.weights.bin`;
    let files: ModelFiles | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const bytes = joined(artifacts.weightData);
        files = {
          modelJson: {
            format: 'layers-model',
            generatedBy: artifacts.generatedBy,
            convertedBy: null,
            modelTopology: artifacts.modelTopology,
            weightsManifest: [{ paths: [path], weights: artifacts.weightSpecs }],
            userDefinedMetadata: { fewShotLab },
          },
          weights: [{ path, bytes }],
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
      }),
    );
    return files!;
  } finally {
    made.forEach((l) => l.dispose());
    graph.release();
  }
}

/** The name of the layer that produced a symbolic tensor. */
function featureLayerName(features: tf.SymbolicTensor): string {
  return features.sourceLayer.name;
}
