// Gradient of Sigmoid computed from the input: dy * s * (1 - s) with s = sigmoid(x) recomputed.
// tfjs 4.22's own gradient reads the saved output, which silently drops second-order terms
// (see exp.ts for why); recomputing from x keeps gradients of gradients correct.
import * as tf from '@tensorflow/tfjs';

export const sigmoidGradient: tf.GradConfig = {
  kernelName: tf.Sigmoid,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const s = tf.sigmoid(tf.cast(x, 'float32'));
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    };
  },
};
