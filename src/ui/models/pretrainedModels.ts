// The pretrained backbones the page offers to download, with what a user should know before
// pressing Download: the size (approximate, since it is not checked until the manifest arrives),
// where the files come from, the licence and the paper. Downloading is modelDownload.ts's job,
// keeping the files loadPretrained.ts's.
import type { InputRange } from '../../worker/ownImagesProtocol';

export interface PretrainedModel {
  /** Also the model's key in IndexedDB's "models" store. */
  id: string;
  name: string;
  /** One line for the model picker. */
  description: string;
  /** Address of model.json; weight files are fetched relative to it. */
  url: string;
  format: 'layers' | 'graph';
  /** The feature layer (node) to use. */
  featureLayer: string;
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

export const PRETRAINED_MODELS: readonly PretrainedModel[] = [MOBILENET_V1_025_224];

export function pretrainedModel(id: string): PretrainedModel | undefined {
  return PRETRAINED_MODELS.find((model) => model.id === id);
}

/** "about 1.9 MB" (decimal units, as download sizes are quoted). */
export function approximateSize(model: PretrainedModel): string {
  const mb = model.approximateBytes / 1_000_000;
  return mb >= 1 ? `about ${mb.toFixed(1)} MB` : `about ${Math.round(model.approximateBytes / 1000)} kB`;
}
