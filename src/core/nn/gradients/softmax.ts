// Gradient of Softmax computed from the input: y * (dy - sum(y * dy)) along the softmax axis, with
// y = softmax(logits) recomputed. tfjs 4.22's own gradient reads the saved output, which silently
// drops second-order terms (see exp.ts for why). (tf.logSoftmax is a customGrad op that saves its
// output and cannot be repaired from here: use logSoftmax from methods/common.ts instead.)
import * as tf from '@tensorflow/tfjs';

export const softmaxGradient: tf.GradConfig = {
  kernelName: tf.Softmax,
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved;
    const { dim } = attrs as unknown as { dim: number };
    return {
      logits: () => {
        const y = tf.softmax(logits, dim);
        const dyTimesY = tf.mul(dy as tf.Tensor, y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    };
  },
};
