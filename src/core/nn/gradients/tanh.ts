// Gradient of Tanh computed from the input: dy * (1 - tanh(x)^2) with tanh recomputed. tfjs
// 4.22's own gradient reads the saved output, which silently drops second-order terms (see
// exp.ts for why).
import * as tf from '@tensorflow/tfjs';

export const tanhGradient: tf.GradConfig = {
  kernelName: tf.Tanh,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(tf.cast(x, 'float32'))))) };
  },
};
