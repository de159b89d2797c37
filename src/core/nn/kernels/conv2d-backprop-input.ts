// Conv2DBackpropInput (the input gradient of a convolution) re-expressed as one forward
// convolution of the same backend. The stock wasm kernel is a plain scalar loop, about 10 times
// slower than the backend's XNNPACK convolution on the same arithmetic.
//
// For stride 1 and NHWC data:
//   dx[b, y, x, ci] = sum_{i, j, co} dy[b, y + padTop - i, x + padLeft - j, co] * W[i, j, ci, co]
// which is a correlation of dy with the flipped, channel-swapped kernel
//   W'[i, j, co, ci] = W[fh - 1 - i, fw - 1 - j, ci, co]
// padded by (fh - 1 - padTop) above and (H - Ho + padTop) below (likewise for columns).
import * as tf from '@tensorflow/tfjs';
import { callKernel, callStock, release, replaceKernel, type BackendHandle } from './backend-calls';
import { float32Memory } from './tensor-memory';

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function registerConv2DBackpropInput(backendName: string): void {
  replaceKernel('Conv2DBackpropInput', backendName, (stock) => (args) => {
    const backend = args.backend as BackendHandle;
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const attrs = args.attrs as unknown as BackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const padTop = info.filterHeight - 1 - info.padInfo.top;
    const padLeft = info.filterWidth - 1 - info.padInfo.left;
    const padBottom = info.inHeight - info.outHeight + info.padInfo.top;
    const padRight = info.inWidth - info.outWidth + info.padInfo.left;
    const supported =
      info.dataFormat === 'channelsLast' &&
      info.strideHeight === 1 &&
      info.strideWidth === 1 &&
      Math.min(padTop, padLeft, padBottom, padRight) >= 0;
    if (!supported) return callStock(stock, args, 'Conv2DBackpropInput with strides > 1 or NCHW data');
    return inputGradientByConv(backend, backendName, dy, filter, padTop, padBottom, padLeft, padRight);
  });
}

/** dx of a stride-1 NHWC convolution through the backend's own Reverse, Transpose and Conv2D. */
export function inputGradientByConv(
  backend: BackendHandle,
  backendName: string,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  padTop: number,
  padBottom: number,
  padLeft: number,
  padRight: number,
): tf.TensorInfo {
  const swapped = flippedSwappedFilter(backend, backendName, filter);
  const pad = [
    [0, 0],
    [padTop, padBottom],
    [padLeft, padRight],
    [0, 0],
  ];
  const dx = callKernel(
    backend,
    backendName,
    'Conv2D',
    { x: dy, filter: swapped },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
  );
  release(backend, swapped);
  return dx;
}

/**
 * W'[i, j, co, ci] = W[fh - 1 - i, fw - 1 - j, ci, co] in one loop (the filter is small; the
 * stock Reverse kernel of wasm alone takes milliseconds on a 3x3x64x64 filter).
 */
export function flippedSwappedFilter(backend: BackendHandle, backendName: string, filter: tf.TensorInfo): tf.TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const memory = float32Memory(backend, backendName);
  const out = memory.allocate([fh, fw, co, ci]);
  const w = memory.view(filter);
  const o = memory.view(out);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const src = ((fh - 1 - i) * fw + (fw - 1 - j)) * ci * co;
      const dst = (i * fw + j) * co * ci;
      for (let a = 0; a < ci; a++) {
        for (let b = 0; b < co; b++) o[dst + b * ci + a] = w[src + a * co + b];
      }
    }
  }
  return out;
}
