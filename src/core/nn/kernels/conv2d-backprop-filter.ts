// Conv2DBackpropFilter (the weight gradient of a convolution) re-expressed as one forward
// convolution of the same backend. tfjs 4.22's wasm backend has no such kernel at all, and the cpu
// backend's is a naive loop (about 100 s for one Conv-4 layer on a 100-image batch).
//
// For stride 1 and NHWC data:
//   dW[i, j, ci, co] = sum_{b, y, x} xPadded[b, y + i, x + j, ci] * dy[b, y, x, co]
// which is a 'valid' correlation of x^T = transpose(x, [3, 1, 2, 0])   ([Ci, H, W, B]: the input
// channels become the batch, the images become the channels) with
// dy^T = transpose(dy, [1, 2, 0, 3])   ([Ho, Wo, B, Co]: used as a filter), padded like the
// forward pass. The result [Ci, fh, fw, Co] is transposed back to [fh, fw, Ci, Co].
// Inputs with very few channels (the first layer) take a dedicated SIMD loop on wasm instead.
import * as tf from '@tensorflow/tfjs';
import { callKernel, callStock, release, replaceKernel, type BackendHandle } from './backend-calls';
import { smallInputApplies, weightGradientSmallInput } from './weight-gradient-small-input';

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function registerConv2DBackpropFilter(backendName: string): void {
  replaceKernel('Conv2DBackpropFilter', backendName, (stock) => (args) => {
    const backend = args.backend as BackendHandle;
    const x = args.inputs.x as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const padBottom = info.filterHeight - 1 + info.outHeight - info.inHeight - info.padInfo.top;
    const padRight = info.filterWidth - 1 + info.outWidth - info.inWidth - info.padInfo.left;
    const supported =
      info.dataFormat === 'channelsLast' &&
      info.strideHeight === 1 &&
      info.strideWidth === 1 &&
      padBottom >= 0 &&
      padRight >= 0;
    if (!supported) return callStock(stock, args, 'Conv2DBackpropFilter with strides > 1 or NCHW data');
    if (smallInputApplies(backendName, backend, x, dy, attrs.filterShape)) {
      return weightGradientSmallInput(backend, x, dy, attrs.filterShape, info.padInfo.top, info.padInfo.left);
    }
    return weightGradientByConv(backend, backendName, x, dy, info.padInfo.top, padBottom, info.padInfo.left, padRight);
  });
}

/** dW of a stride-1 NHWC convolution through the backend's own Transpose and Conv2D kernels. */
export function weightGradientByConv(
  backend: BackendHandle,
  backendName: string,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  padTop: number,
  padBottom: number,
  padLeft: number,
  padRight: number,
): tf.TensorInfo {
  const xT = callKernel(backend, backendName, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = callKernel(backend, backendName, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const pad = [
    [0, 0],
    [padTop, padBottom],
    [padLeft, padRight],
    [0, 0],
  ];
  const dWT = callKernel(
    backend,
    backendName,
    'Conv2D',
    { x: xT, filter: dyT },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
  );
  release(backend, xT, dyT);
  const dW = callKernel(backend, backendName, 'Transpose', { x: dWT }, { perm: [1, 2, 0, 3] });
  release(backend, dWT);
  return dW;
}
