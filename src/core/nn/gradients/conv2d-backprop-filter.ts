// Gradient of Conv2DBackpropFilter, the kernel that computes a conv layer's weight gradient
// dW = conv2DBackpropFilter(x, dy). tfjs 4.22 registers none, so differentiating a weight gradient
// again (second-order MAML: the inner SGD step uses dW, the meta-gradient differentiates it)
// throws "gradient function not found for Conv2DBackpropFilter".
//
// dW[kh, kw, ci, co] = sum over b, i, j of x[b, i*s + kh - p, j*s + kw - p, ci] * dy[b, i, j, co]
// is bilinear in (x, dy); for an incoming gradient G shaped like dW:
//   d<G, dW>/d dy = conv2d(x, G)                      (the forward convolution with filter G)
//   d<G, dW>/d x  = conv2DBackpropInput(x.shape, dy, G) (the transposed convolution of dy with G)
// Both use only the saved inputs, so they are themselves differentiable.
import * as tf from '@tensorflow/tfjs';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const conv2DBackpropFilterGradient: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (g, saved, attrs) => {
    const G = g as tf.Tensor4D;
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as BackpropFilterAttrs;
    const format = dataFormat === 'NCHW' ? 'NCHW' : 'NHWC';
    return {
      // The kernel itself (conv2dTranspose would fix the data format to NHWC).
      x: () =>
        tf.engine().runKernel(
          tf.Conv2DBackpropInput,
          { dy, filter: G },
          { strides, pad, dataFormat: format, dimRoundingMode, inputShape: x.shape } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor4D,
      dy: () => tf.conv2d(x, G, strides, pad, format, 1, dimRoundingMode),
    };
  },
};
