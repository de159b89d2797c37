// Gradient of MaxPoolGrad, the kernel that backpropagates through max-pooling: it sends each
// window's incoming gradient dy to the position of the window's maximum in x. tfjs 4.22 registers
// none, so differentiating a max-pooled network's gradient again (second-order MAML) throws
// "gradient function not found for MaxPoolGrad".
//
// MaxPoolGrad(dy, x, y) is linear in dy with a routing that depends on x only through which
// position wins each window. So:
// - wrt dy: the adjoint of the routing, i.e. for each window the incoming gradient G (shaped like
//   x) read at the winning position;
// - wrt x and y: zero. Which position wins is constant except where two entries of a window tie,
//   a set of measure zero (like ReLU's kink); this is what every autodiff framework does.
//
// The winners are read from the MaxPoolGrad kernel itself (routing a gradient of ones marks each
// window's winning position with 1), so the adjoint breaks ties exactly like the forward routing
// of whichever backend runs (ties are common after ReLU: windows of zeros; the stock cpu kernel
// takes the first maximum of a window, the stock wasm kernel the last).
//
// Only non-overlapping windows (strides equal to the window, 'valid' padding), as in Conv-4, are
// supported: each input position then belongs to at most one window, so the marks are 0 or 1 and
// the windows are a reshape of x. Other settings throw rather than guess.
import * as tf from '@tensorflow/tfjs';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function pair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Sum of each fh x fw window of t [B, H, W, C] -> [B, ho, wo, C] (windows tile the top-left corner). */
function windowSums(t: tf.Tensor4D, fh: number, fw: number, ho: number, wo: number): tf.Tensor4D {
  const [b, , , c] = t.shape;
  const cropped = t.shape[1] === ho * fh && t.shape[2] === wo * fw ? t : tf.slice(t, [0, 0, 0, 0], [b, ho * fh, wo * fw, c]);
  return tf.reshape(tf.sum(tf.reshape(cropped, [b * ho, fh, wo, fw, c]), [1, 3]), [b, ho, wo, c]);
}

export const maxPoolGradGradient: tf.GradConfig = {
  kernelName: tf.MaxPoolGrad,
  inputsToSave: ['input', 'output'],
  gradFunc: (g, saved, attrs) => {
    const G = g as tf.Tensor4D;
    const [x, y] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { filterSize, strides, pad } = attrs as unknown as MaxPoolGradAttrs;
    const [fh, fw] = pair(filterSize);
    const [sh, sw] = pair(strides);
    if (sh !== fh || sw !== fw || !(pad === 'valid' || pad === 0)) {
      throw new Error(
        `Second derivatives through max-pooling are implemented for non-overlapping windows only ` +
          `(strides equal to the window, 'valid' padding); got window ${fh}x${fw}, strides ${sh}x${sw}, padding ${JSON.stringify(pad)}.`,
      );
    }
    const [ho, wo] = [y.shape[1], y.shape[2]];
    return {
      dy: () => {
        const winners = tf.engine().runKernel(tf.MaxPoolGrad, { dy: tf.onesLike(y), input: x, output: y }, attrs) as tf.Tensor4D;
        // Each window holds one nonzero entry, so this sum is exact.
        return windowSums(tf.mul(G, winners) as tf.Tensor4D, fh, fw, ho, wo);
      },
      input: () => tf.zerosLike(x),
      output: () => tf.zerosLike(y),
    };
  },
};
