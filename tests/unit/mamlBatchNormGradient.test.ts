// Second-order MAML with the closed-form recorded gradient of the fused batch norm + ReLU +
// max-pool kernel (nn/gradients/batch-norm-relu-pool.ts) against the kernel file's own recorded
// path (tf.grads through the composite ops): the same meta-gradient, loss and hits to float32
// rounding, in both query normalisations, on the backends with the fused kernels. Finite
// differences are tests/unit/secondOrder.test.ts's job; this pins the new path to the old one.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { taskMetaGradient, type MamlTask } from '../../src/core/methods/maml';
import { initConv4 } from '../../src/core/nn/conv4';
import { registerSecondOrderGradients } from '../../src/core/nn/gradients';
import { BATCH_NORM_RELU_POOL_GRADIENTS, BN_RELU_POOL_BATCH } from '../../src/core/nn/kernels/batch-norm-relu-pool';
import { disposeTensors, glorotUniform, type NamedTensors } from '../../src/core/nn/params';
import { Rng } from '../../src/core/rng';

function randomImages(count: number, side: number, rng: Rng): tf.Tensor4D {
  const values = new Float32Array(count * side * side);
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(0, 1);
  return tf.tensor4d(values, [count, side, side, 1]);
}

/** A 5-way 1-shot task with 3 queries per class on 16x16 noise and a 4-block, 8-filter Conv-4. */
function problem(seed: number): { params: NamedTensors; task: MamlTask } {
  const rng = new Rng(seed);
  const way = 5;
  const params = initConv4({ inputShape: [16, 16, 1], filters: 8, blocks: 4 }, rng);
  params['head/kernel'] = glorotUniform([8, way], 8, way, rng.derive('head'));
  params['head/bias'] = tf.zeros([way]);
  const labels = (perClass: number) => tf.tensor1d(Array.from({ length: way * perClass }, (_, i) => i % way), 'int32');
  return {
    params,
    task: { way, support: randomImages(way, 16, rng), supportLabels: labels(1), query: randomImages(3 * way, 16, rng), queryLabels: labels(3) },
  };
}

function metaGradient(params: NamedTensors, task: MamlTask, batchNormAtTest: 'support' | 'batch') {
  const r = taskMetaGradient(params, task, { innerSteps: 2, innerLearningRate: 0.4, batchNormAtTest, secondOrder: true });
  const out = {
    loss: r.loss.dataSync()[0],
    hits: r.hits.dataSync()[0],
    grads: Object.fromEntries(Object.entries(r.grads).map(([n, g]) => [n, g.dataSync() as Float32Array])),
  };
  tf.dispose([r.loss, r.hits]);
  disposeTensors(r.grads);
  return out;
}

afterEach(() => registerSecondOrderGradients());

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`closed-form recorded batch-norm gradient (${backend}, fused kernels)`, () => {
    for (const mode of ['support', 'batch'] as const) {
      it(`gives the composite path's second-order meta-gradient (${mode})`, async () => {
        await initBackend(backend);
        const { params, task } = problem(3);
        registerSecondOrderGradients();
        expect(tf.getGradient(BN_RELU_POOL_BATCH)).not.toBe(BATCH_NORM_RELU_POOL_GRADIENTS[0]);
        const ours = metaGradient(params, task, mode);
        tf.registerGradient(BATCH_NORM_RELU_POOL_GRADIENTS[0]);
        const reference = metaGradient(params, task, mode);
        expect(Math.abs(ours.loss - reference.loss)).toBeLessThan(1e-6 * Math.max(1, reference.loss));
        expect(ours.hits).toBe(reference.hits);
        for (const [name, expected] of Object.entries(reference.grads)) {
          const actual = ours.grads[name];
          let scale = 0;
          let worst = 0;
          for (let i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
          }
          expect(scale, name).toBeGreaterThan(0);
          // Measured: 1e-7 to 4e-6 (rounding of two different orders of the same sums).
          expect(worst / scale, name).toBeLessThan(1e-5);
        }
        disposeTensors(params);
        tf.dispose([task.support, task.supportLabels, task.query, task.queryLabels]);
      });
    }
  });
}
