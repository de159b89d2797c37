// Gradient of AvgPoolGrad, the kernel that backpropagates through average pooling. tfjs 4.22
// registers none. Conv-4 does not average-pool; this keeps second-order methods working on
// backbones that do (e.g. a global average pool before the head).
//
// AvgPoolGrad(dy, x) is linear in dy and does not depend on x's values: each window's dy is spread
// over the window's in-bounds pixels times 1 / (window height * window width) (tfjs's kernels use
// this fixed factor even where 'same' padding cuts a window short). Its exact adjoint therefore
// sums the incoming gradient G over each window and multiplies by the same factor: a depthwise
// convolution with a constant filter, same strides and padding. The gradient wrt x is zero.
import * as tf from '@tensorflow/tfjs';

interface AvgPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const avgPoolGradGradient: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (g, saved, attrs) => {
    const G = g as tf.Tensor4D;
    const [x] = saved as [tf.Tensor4D];
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as AvgPoolGradAttrs;
    const [fh, fw] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
    const channels = x.shape[3];
    return {
      dy: () => {
        const filter = tf.fill([fh, fw, channels, 1], 1 / (fh * fw)) as tf.Tensor4D;
        return tf.depthwiseConv2d(G, filter, strides, pad as 'valid', 'NHWC', 1, dimRoundingMode);
      },
      input: () => tf.zerosLike(x),
    };
  },
};
