// Gradient of Exp computed from the input: dy * exp(x). tfjs 4.22's own gradient multiplies by
// the saved OUTPUT y. A saved output cannot carry higher-order gradients: tfjs records the copy of
// y it saves before it records the op that made y, so when that gradient is differentiated again
// (second-order MAML's meta-gradient through a softmax cross-entropy) the copy looks unconnected
// to the parameters and its contribution is silently dropped. Recomputing exp(x) from the saved
// input keeps the chain intact; the cost is one more exp over the (small) logits.
import * as tf from '@tensorflow/tfjs';

export const expGradient: tf.GradConfig = {
  kernelName: tf.Exp,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(dy as tf.Tensor, tf.exp(tf.cast(x, 'float32'))) };
  },
};
