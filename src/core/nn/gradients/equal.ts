// Gradient of Equal: zero for both inputs. Equal's output is a boolean mask, constant except on a
// set of measure zero, so its derivative is zero wherever it exists. tfjs 4.22 registers none;
// it appears inside other gradients (e.g. tf.max's: dy * (x == max(x))), so differentiating such
// a gradient again throws "gradient function not found for Equal".
import * as tf from '@tensorflow/tfjs';

export const equalGradient: tf.GradConfig = {
  kernelName: tf.Equal,
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved;
    return { a: () => tf.zeros(a.shape), b: () => tf.zeros(b.shape) };
  },
};
