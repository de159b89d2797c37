// The pretrained backbones the page offers to download, with what a user should know before
// pressing Download: the size (approximate, since it is not checked until the manifest arrives),
// where the files come from, the licence and the paper. Downloading is modelDownload.ts's job,
// keeping the files loadPretrained.ts's. Each entry says where its address, feature layer, input
// size and scaling come from (the publisher's own code or model page), in a comment.
import type { InputRange } from '../../worker/ownImagesProtocol';

export interface PretrainedModel {
  /** Also the model's key in IndexedDB's "models" store. */
  id: string;
  name: string;
  /** One line for the model picker. */
  description: string;
  /**
   * Address of model.json; weight files are fetched relative to it, with its query (TF Hub's
   * "?tfjs-format=file") kept, as TensorFlow.js does.
   */
  url: string;
  format: 'layers' | 'graph';
  /** The feature layer (node) to use; null: the model's own output is the feature vector. */
  featureLayer: string | null;
  /** ImageNet top-1 accuracy its publisher reports, for choosing (0..1). */
  imagenetTop1: number;
  /** The one the page recommends (the strongest). */
  recommended?: boolean;
  inputRange: InputRange;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  /** About how many bytes the download is; shown before downloading, always labelled approximate. */
  approximateBytes: number;
  licence: string;
  licenceUrl: string;
  paper: { title: string; authors: string; year: number; url: string };
}

export const MOBILENET_V1_025_224: PretrainedModel = {
  id: 'pretrained:mobilenet_v1_0.25_224',
  name: 'MobileNet v1 0.25 (224×224)',
  description:
    'A small ImageNet classifier (width multiplier 0.25, about 0.47 million weights); its last convolution gives 256 features per image.',
  url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
  format: 'layers',
  // The last depthwise-separable block's output (7×7×256), before the ImageNet classifier tail.
  featureLayer: 'conv_pw_13_relu',
  // The Keras MobileNet v1 0.25 224 table (github.com/fchollet/deep-learning-models releases, as the
  // MobileNets paper's Table 6/7 row for 0.25 MobileNet-224): 49.8% top-1.
  imagenetTop1: 0.498,
  // The TensorFlow.js MobileNet models were trained on pixels scaled to -1..1.
  inputRange: '-1,1',
  inputShape: [224, 224, 3],
  // About 470,000 float32 weights; not checked offline. The download's real total comes from
  // model.json's manifest and is what the progress bar shows once model.json has arrived.
  approximateBytes: 1_900_000,
  licence: 'Apache-2.0',
  licenceUrl: 'https://github.com/tensorflow/tfjs-models/blob/master/LICENSE',
  paper: {
    title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications',
    authors: 'Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto & Adam',
    year: 2017,
    url: 'https://arxiv.org/abs/1704.04861',
  },
};

/**
 * MobileNet v2 1.0 at 224×224 as the official TensorFlow.js MobileNet package loads it.
 * Source: @tensorflow-models/mobilenet 2.1.1 (npm), dist/index.js: MODEL_INFO['2.00']['1.00'] =
 * { url: 'https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2', inputRange: [0, 1] },
 * loaded with tf.loadGraphModel(url, { fromTFHub: true }); its embedding (infer(img, true)) is
 * EMBEDDING_NODES['2.00'] = 'module_apply_default/MobilenetV2/Logits/AvgPool', squeezed from
 * [batch, 1, 1, 1280]; IMAGE_SIZE = 224. fromTFHub makes the address
 * `${url}/model.json?tfjs-format=file` (@tensorflow/tfjs-converter, executor/graph_model.js:
 * TFHUB_SEARCH_PARAM, DEFAULT_MODEL_NAME). The package scales pixels to its inputRange [0, 1].
 */
export const MOBILENET_V2_100_224: PretrainedModel = {
  id: 'pretrained:mobilenet_v2_1.0_224',
  name: 'MobileNet v2 1.0 (224×224)',
  description: 'The MobileNet Teachable Machine and ml5 build on (about 3.5 million weights); 1280 features per image from its last pooling layer.',
  url: 'https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2/model.json?tfjs-format=file',
  format: 'graph',
  featureLayer: 'module_apply_default/MobilenetV2/Logits/AvgPool',
  inputRange: '0,1',
  inputShape: [224, 224, 3],
  // 71.8% top-1: the MobileNetV2 paper (Sandler et al. 2018, Table 4) and TF Hub's model page.
  imagenetTop1: 0.718,
  // 3.54 million float32 weights (the paper's Table 4: 3.4M, plus the 1001-way classifier's bias
  // and batch norm statistics) at 4 bytes: about 14 MB; the exact total comes from model.json.
  approximateBytes: 14_000_000,
  licence: 'Apache-2.0',
  licenceUrl: 'https://github.com/tensorflow/tfjs-models/blob/master/LICENSE',
  paper: {
    title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks',
    authors: 'Sandler, Howard, Zhu, Zhmoginov & Chen',
    year: 2018,
    url: 'https://arxiv.org/abs/1801.04381',
  },
};

/**
 * MobileNet v3 large 1.0 at 224×224, the feature-vector model Google publishes for TensorFlow.js.
 * Source: TF Hub "google/tfjs-model/imagenet/mobilenet_v3_large_100_224/feature_vector/5/default/1"
 * (now served from Kaggle, www.kaggle.com/models/google/mobilenet-v3, framework TfJs, variation
 * large-100-224-feature-vector), loaded with tf.loadGraphModel(url, { fromTFHub: true }) as in
 * Google's "TensorFlow.js transfer learning" codelab (which uses the small variant of the same
 * family). Its output is the 1280-value feature vector (no layer to pick); inputs 224×224 RGB with
 * values in [0, 1], TF Hub's convention for image models ("The input images are expected to have
 * color values in the range [0,1]", the feature_vector model pages).
 */
export const MOBILENET_V3_LARGE_100_224: PretrainedModel = {
  id: 'pretrained:mobilenet_v3_large_1.0_224',
  name: 'MobileNet v3 large 1.0 (224×224)',
  description: 'The strongest small ImageNet network offered here (about 4.2 million weights in the feature part); 1280 features per image.',
  url: 'https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v3_large_100_224/feature_vector/5/default/1/model.json?tfjs-format=file',
  format: 'graph',
  featureLayer: null,
  inputRange: '0,1',
  inputShape: [224, 224, 3],
  // 75.2% top-1: the MobileNetV3 paper (Howard et al. 2019, Table 3, Large 1.0).
  imagenetTop1: 0.752,
  recommended: true,
  // 5.4 million weights minus the 1001-way classifier (1.28 million) at 4 bytes: about 17 MB (the
  // same network as a TFLite file is 16.05 MB); the exact total comes from model.json.
  approximateBytes: 17_000_000,
  licence: 'Apache-2.0',
  licenceUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
  paper: {
    title: 'Searching for MobileNetV3',
    authors: 'Howard, Sandler, Chu, Chen, Chen, Tan, Wang, Zhu, Pang, Vasudevan, Le & Adam',
    year: 2019,
    url: 'https://arxiv.org/abs/1905.02244',
  },
};

/** Strongest first: the page offers them in this order and recommends the first. */
export const PRETRAINED_MODELS: readonly PretrainedModel[] = [MOBILENET_V3_LARGE_100_224, MOBILENET_V2_100_224, MOBILENET_V1_025_224];

export function pretrainedModel(id: string): PretrainedModel | undefined {
  return PRETRAINED_MODELS.find((model) => model.id === id);
}

/** "about 1.9 MB" (decimal units, as download sizes are quoted). */
export function approximateSize(model: PretrainedModel): string {
  const mb = model.approximateBytes / 1_000_000;
  return mb >= 1 ? `about ${mb.toFixed(1)} MB` : `about ${Math.round(model.approximateBytes / 1000)} kB`;
}
