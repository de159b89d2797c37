// The Conv-4 backbone: output shapes and embedding size, seeded initialisation, the two batch-norm
// modes, memory held flat over training steps, and gradients that agree between the wasm and cpu
// backends (they used to differ by up to 10% because of float32 reductions in stock wasm kernels).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import {
  conv4EmbeddingSize,
  conv4Forward,
  initConv4,
  initRunningStats,
  type Conv4Config,
} from '../../src/core/nn/conv4';
import type { NamedTensors } from '../../src/core/nn/params';
import { Rng } from '../../src/core/rng';

const config: Conv4Config = { inputShape: [28, 28, 1], filters: 16, blocks: 4 };

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** Glyph-like images: dark background with a few bright strokes (flat regions make pooling ties). */
function glyphImages(count: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const pixels = new Float32Array(count * 28 * 28);
  for (let n = 0; n < count; n++) {
    for (let s = 0; s < 3; s++) {
      const y = 3 + rng.int(22);
      const x0 = 2 + rng.int(14);
      for (let x = x0; x < x0 + 10; x++) {
        pixels[n * 784 + y * 28 + x] = 1;
        pixels[n * 784 + (y + 1) * 28 + x] = 0.8;
      }
    }
  }
  return tf.tensor4d(pixels, [count, 28, 28, 1]);
}

function copyParams(params: NamedTensors): NamedTensors {
  const out: NamedTensors = {};
  for (const [k, v] of Object.entries(params)) out[k] = tf.tensor(v.dataSync(), v.shape);
  return out;
}

describe('conv4Forward', () => {
  it('maps [B, 28, 28, 1] images to [B, filters] embeddings (28 -> 14 -> 7 -> 3 -> 1)', async () => {
    await tf.setBackend('wasm');
    expect(conv4EmbeddingSize(config)).toBe(16);
    expect(conv4EmbeddingSize({ inputShape: [84, 84, 3], filters: 32, blocks: 4 })).toBe(32 * 5 * 5);
    expect(() => conv4EmbeddingSize({ inputShape: [8, 8, 1], filters: 8, blocks: 4 })).toThrow(/too small/);
    const params = initConv4(config, new Rng(1));
    const images = glyphImages(6, 2);
    const embeddings = conv4Forward(params, images, { batchNorm: 'batch' });
    expect(embeddings.shape).toEqual([6, 16]);
    tf.dispose([images, embeddings, ...Object.values(params)]);
  });

  it('initialises the same weights from the same seed and different ones from another', async () => {
    await tf.setBackend('wasm');
    const a = initConv4(config, new Rng(7));
    const b = initConv4(config, new Rng(7));
    const c = initConv4(config, new Rng(8));
    const k = 'block1/conv/kernel';
    expect(Array.from(a[k].dataSync())).toEqual(Array.from(b[k].dataSync()));
    expect(Array.from(a[k].dataSync())).not.toEqual(Array.from(c[k].dataSync()));
    tf.dispose([...Object.values(a), ...Object.values(b), ...Object.values(c)]);
  });

  it("normalises each image independently with 'running' statistics, with the batch's in 'batch' mode", async () => {
    await tf.setBackend('wasm');
    const params = initConv4(config, new Rng(3));
    const running = initRunningStats(config);
    const images = glyphImages(8, 4);
    const first = tf.slice(images, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const runAll = conv4Forward(params, images, { batchNorm: 'running', running });
    const runOne = conv4Forward(params, first, { batchNorm: 'running', running });
    // Running statistics: an image's embedding does not depend on the rest of the batch.
    const allFirstRow = runAll.slice([0, 0], [1, -1]).dataSync();
    Array.from(runOne.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(allFirstRow[i], 5));
    // Batch statistics: it does, and the batch's statistics are reported per block.
    const stats: Record<string, number[]> = {};
    const batchAll = conv4Forward(params, images, {
      batchNorm: 'batch',
      collectBatchStats: (block, mean, variance) => {
        stats[`${block}/mean`] = Array.from(mean.dataSync());
        stats[`${block}/variance`] = Array.from(variance.dataSync());
      },
    });
    const batchHalf = conv4Forward(params, tf.slice(images, [0, 0, 0, 0], [4, -1, -1, -1]) as tf.Tensor4D, { batchNorm: 'batch' });
    const diff = tf.max(tf.abs(tf.sub(batchAll.slice([0, 0], [1, -1]), batchHalf.slice([0, 0], [1, -1])))).dataSync()[0];
    expect(diff).toBeGreaterThan(1e-3);
    expect(Object.keys(stats).sort()).toEqual(
      ['block0', 'block1', 'block2', 'block3'].flatMap((b) => [`${b}/mean`, `${b}/variance`]).sort(),
    );
    expect(stats['block0/mean']).toHaveLength(16);
    // The first block's mean is the mean of the first convolution over batch, rows and columns.
    const conv = tf.conv2d(images, params['block0/conv/kernel'] as tf.Tensor4D, 1, 'same');
    const mean0 = tf.mean(conv, [0, 1, 2]).dataSync();
    stats['block0/mean'].forEach((v, i) => expect(v).toBeCloseTo(mean0[i], 5));
    expect(() => conv4Forward(params, images, { batchNorm: 'running' })).toThrow(/running statistics/);
    tf.dispose([images, first, runAll, runOne, batchAll, batchHalf, conv, ...Object.values(params), ...Object.values(running)]);
  });

  it('holds the tensor count flat over repeated forward/backward steps', async () => {
    await tf.setBackend('wasm');
    const params = initConv4(config, new Rng(5));
    const names = Object.keys(params);
    const images = glyphImages(10, 6);
    const step = () => {
      const gs = tf.grads((...vs: tf.Tensor[]) => {
        const p: NamedTensors = {};
        names.forEach((n, i) => (p[n] = vs[i]));
        return tf.sum(tf.square(conv4Forward(p, images, { batchNorm: 'batch' }))) as tf.Scalar;
      })(names.map((n) => params[n]));
      tf.dispose(gs);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, ...Object.values(params)]);
  });

  it('gives the same gradients on wasm and cpu (float64-accurate reductions on both)', async () => {
    const params = initConv4(config, new Rng(11));
    const names = Object.keys(params);
    const target = new Rng(12);
    const targetValues = Float32Array.from({ length: 12 * 16 }, () => target.normal());
    const gradientsOn = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const p = copyParams(params);
      const images = glyphImages(12, 13);
      const t = tf.tensor2d(targetValues, [12, 16]);
      const gs = tf.grads((...vs: tf.Tensor[]) => {
        const q: NamedTensors = {};
        names.forEach((n, i) => (q[n] = vs[i]));
        return tf.sum(tf.mul(conv4Forward(q, images, { batchNorm: 'batch' }), t)) as tf.Scalar;
      })(names.map((n) => p[n]));
      const out = gs.map((g) => g.dataSync() as Float32Array);
      tf.dispose([images, t, ...gs, ...Object.values(p)]);
      return out;
    };
    const wasm = await gradientsOn('wasm');
    const cpu = await gradientsOn('cpu');
    names.forEach((name, i) => {
      let worst = 0;
      let scale = 0;
      cpu[i].forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - wasm[i][j]));
        scale = Math.max(scale, Math.abs(v));
      });
      expect(worst, name).toBeLessThan(1e-4 * Math.max(1, scale));
    });
    await tf.setBackend('wasm');
    tf.dispose(Object.values(params));
  });
});
