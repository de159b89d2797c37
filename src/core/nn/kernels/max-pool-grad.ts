// MaxPoolGrad as one pass: each pooling window sends its incoming gradient to the position of its
// maximum. Replaces the stock wasm kernel, which is slow (a generic 3-D pooling routine that
// allocates per call) and breaks ties by taking the LAST maximum of a window, while the cpu
// kernel takes the FIRST: on images with flat regions (equal activations in a window) the two
// backends then route gradients to different pixels and the first conv layer's weight gradient
// differs. Both backends here take the first maximum in row-major window order, like cpu.
// (MaxPoolGrad's own gradient, for second-order MAML, is registered in nn/gradients.)
import * as tf from '@tensorflow/tfjs';
import { callStock, replaceKernel, type BackendHandle } from './backend-calls';
import { float32Memory } from './tensor-memory';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function registerMaxPoolGrad(backendName: string): void {
  replaceKernel('MaxPoolGrad', backendName, (stock) => (args) => {
    const dy = args.inputs.dy as tf.TensorInfo;
    const x = args.inputs.input as tf.TensorInfo;
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') return callStock(stock, args, 'MaxPoolGrad of non-float32 tensors');
    const info = poolInfo(x, attrs);
    const memory = float32Memory(args.backend as BackendHandle, backendName);
    const dx = memory.allocate(x.shape);
    const dxValues = memory.view(dx);
    dxValues.fill(0);
    routeToMaxima(memory.view(x), memory.view(dy), dxValues, info);
    return dx;
  });
}

/** dx[argmax of each window] += dy[window], first maximum wins ties; NHWC. */
export function routeToMaxima(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const imageBase = b * imageStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + filterWidth);
        for (let c = 0; c < channels; c++, dyIndex++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let y = yStart; y < yEnd; y++) {
            let index = imageBase + y * rowStride + xStart * channels + c;
            for (let xx = xStart; xx < xEnd; xx++, index += channels) {
              const v = x[index];
              if (v > best) {
                best = v;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += dy[dyIndex];
        }
      }
    }
  }
}

function poolInfo(x: tf.TensorInfo, attrs: MaxPoolGradAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}
