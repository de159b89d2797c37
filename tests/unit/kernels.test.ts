// The replacement kernels (src/core/nn/kernels) against float64 references and against the
// composite tfjs ops they stand for, on both CPU-side backends (wasm and cpu). A wrong gradient
// here would silently train models badly, so each kernel is checked directly.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import {
  batchNormReluPool,
  batchNormReluPoolComposite,
  type BatchNormStatistics,
} from '../../src/core/nn/kernels/batch-norm-relu-pool';
import { Rng } from '../../src/core/rng';

const BACKENDS = ['wasm', 'cpu'] as const;

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

function randomValues(n: number, rng: Rng, scale = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return v;
}

function randomTensor(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), rng, scale), shape);
}

/** Largest |a - b| relative to the largest |b| (absolute below 1). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

/** Float64 reference of a stride-1 NHWC convolution's gradients for explicit top/left padding. */
function referenceConvGrads(
  x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], dy: Float32Array, dyShape: number[],
  padTop: number, padLeft: number,
): { dW: Float64Array; dX: Float64Array } {
  const [B, H, W, Ci] = xShape;
  const [fh, fw, , Co] = wShape;
  const [, Ho, Wo] = dyShape;
  const dW = new Float64Array(fh * fw * Ci * Co);
  const dX = new Float64Array(B * H * W * Ci);
  for (let b = 0; b < B; b++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++)
        for (let i = 0; i < fh; i++)
          for (let j = 0; j < fw; j++) {
            const yi = y + i - padTop;
            const xi = xo + j - padLeft;
            if (yi < 0 || yi >= H || xi < 0 || xi >= W) continue;
            for (let ci = 0; ci < Ci; ci++)
              for (let co = 0; co < Co; co++) {
                const g = dy[((b * Ho + y) * Wo + xo) * Co + co];
                dW[((i * fw + j) * Ci + ci) * Co + co] += x[((b * H + yi) * W + xi) * Ci + ci] * g;
                dX[((b * H + yi) * W + xi) * Ci + ci] += w[((i * fw + j) * Ci + ci) * Co + co] * g;
              }
          }
  return { dW, dX };
}

describe.each(BACKENDS)('convolution gradients on %s', (backend) => {
  const cases = [
    { name: 'same padding, 3 -> 4 channels', xShape: [2, 5, 6, 3], co: 4, pad: 'same' as const },
    { name: 'valid padding, 5 -> 8 channels', xShape: [2, 6, 5, 5], co: 8, pad: 'valid' as const },
    { name: 'first-layer shape (1 channel in, odd size)', xShape: [3, 7, 7, 1], co: 8, pad: 'same' as const },
    { name: 'Conv-4 inner-layer shape (64 -> 64, 3x3 images)', xShape: [4, 3, 3, 64], co: 64, pad: 'same' as const },
  ];
  for (const c of cases) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput match a float64 reference: ${c.name}`, async () => {
      await tf.setBackend(backend);
      const rng = new Rng(11);
      const [B, H, W, Ci] = c.xShape;
      const wShape = [3, 3, Ci, c.co];
      const pad = c.pad === 'same' ? 1 : 0;
      const Ho = c.pad === 'same' ? H : H - 2;
      const Wo = c.pad === 'same' ? W : W - 2;
      const x = randomTensor(c.xShape, rng) as tf.Tensor4D;
      const w = randomTensor(wShape, rng) as tf.Tensor4D;
      const dy = randomTensor([B, Ho, Wo, c.co], rng) as tf.Tensor4D;
      const ref = referenceConvGrads(
        x.dataSync() as Float32Array, c.xShape, w.dataSync() as Float32Array, wShape,
        dy.dataSync() as Float32Array, dy.shape, pad, pad,
      );
      const common = { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC' };
      const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: wShape }) as tf.Tensor;
      const dX = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: c.xShape }) as tf.Tensor;
      expect(relativeError(dW.dataSync(), ref.dW)).toBeLessThan(1e-5);
      expect(relativeError(dX.dataSync(), ref.dX)).toBeLessThan(1e-5);
      tf.dispose([x, w, dy, dW, dX]);
    });
  }

  it('gives tf.grad of conv2d equal to finite differences of the forward convolution', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(5);
    const x = randomTensor([2, 6, 6, 2], rng) as tf.Tensor4D;
    const w = randomTensor([3, 3, 2, 4], rng) as tf.Tensor4D;
    const r = randomTensor([2, 6, 6, 4], rng);
    const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'), r));
    const [gx, gw] = tf.grads(loss)([x, w]);
    // The loss is linear in each argument, so central differences are exact up to rounding.
    const check = (t: tf.Tensor, grad: tf.Tensor, which: 0 | 1) => {
      const values = t.dataSync();
      const g = grad.dataSync();
      for (const index of [0, 7, values.length - 1]) {
        const plus = values.slice();
        const minus = values.slice();
        plus[index] += 0.5;
        minus[index] -= 0.5;
        const at = (v: Float32Array) => {
          const moved = tf.tensor(v, t.shape);
          const value = (which === 0 ? loss(moved, w) : loss(x, moved)).dataSync()[0];
          moved.dispose();
          return value;
        };
        expect(at(plus as Float32Array) - at(minus as Float32Array)).toBeCloseTo(g[index], 2);
      }
    };
    check(x, gx, 0);
    check(w, gw, 1);
    tf.dispose([x, w, r, gx, gw]);
  });
});

describe('forward convolution', () => {
  it('gives the same conv2d on cpu (im2col kernel) as on wasm (XNNPACK), also strided', async () => {
    const rng = new Rng(17);
    const xv = randomValues(2 * 9 * 8 * 5, rng);
    const wv = randomValues(3 * 3 * 5 * 6, rng);
    const results: Float32Array[][] = [];
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, [2, 9, 8, 5]);
      const w = tf.tensor4d(wv, [3, 3, 5, 6]);
      const outs = [tf.conv2d(x, w, 1, 'same'), tf.conv2d(x, w, 2, 'same'), tf.conv2d(x, w, [2, 1], 'valid')];
      results.push(outs.map((o) => o.dataSync() as Float32Array));
      tf.dispose([x, w, ...outs]);
    }
    results[0].forEach((values, i) => expect(relativeError(results[1][i], values)).toBeLessThan(1e-5));
  });
});

describe('pooling gradients and reductions', () => {
  it('routes max-pool gradients to the first maximum of a window on both backends, also for ties', async () => {
    // A flat image (like the background of a glyph) makes every window a tie.
    const values = new Float32Array(2 * 4 * 4 * 3).fill(0.5);
    values[5 * 3 + 1] = 2; // one clear maximum in channel 1
    const results: Float32Array[] = [];
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values, [2, 4, 4, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), tf.range(1, 25).reshape([2, 2, 2, 3]))))(x);
      results.push(g.dataSync() as Float32Array);
      tf.dispose([x, g]);
    }
    expect(Array.from(results[0])).toEqual(Array.from(results[1]));
    // Window (0,0) of image 0, channel 0 is a tie: its gradient (1) goes to the top-left pixel.
    expect(results[0][0]).toBe(1);
    expect(results[0][3]).toBe(0);
    // The clear maximum at pixel (1, 1), channel 1 receives its window's gradient (2).
    expect(results[0][5 * 3 + 1]).toBe(2);
    expect(results[0][1]).toBe(0);
  });

  it.each(BACKENDS)('sums and means over leading axes match float64 sums on %s', async (backend) => {
    await tf.setBackend(backend);
    const rng = new Rng(3);
    const x = randomTensor([3, 5, 7, 8], rng, 10);
    const v = x.dataSync();
    const ref = new Float64Array(7 * 8);
    for (let i = 0; i < v.length; i++) ref[i % 56] += v[i];
    const sum = tf.sum(x, [0, 1]);
    const mean = tf.mean(x, [1, 0], true);
    expect(sum.shape).toEqual([7, 8]);
    expect(mean.shape).toEqual([1, 1, 7, 8]);
    expect(relativeError(sum.dataSync(), ref)).toBeLessThan(1e-6);
    expect(relativeError(mean.dataSync(), Array.from(ref, (s) => s / 15))).toBeLessThan(1e-6);
    tf.dispose([x, sum, mean]);
  });

  it('transposes 4-D tensors on cpu like the stock wasm kernel', async () => {
    const rng = new Rng(4);
    const v = randomValues(2 * 3 * 4 * 5, rng);
    const results: number[][] = [];
    for (const backend of BACKENDS) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(v, [2, 3, 4, 5]);
      const t = [tf.transpose(x, [3, 1, 2, 0]), tf.transpose(x, [1, 2, 0, 3]), tf.transpose(x, [0, 3, 2, 1])];
      results.push(t.flatMap((y) => [...y.shape, ...Array.from(y.dataSync())]));
      tf.dispose([x, ...t]);
    }
    expect(results[1]).toEqual(results[0]);
  });

  it('keeps a clone valid after the original is disposed (shared storage on wasm)', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    const c = tf.cast(a, 'float32');
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([b, c]);
  });
});

describe.each(BACKENDS)('fused batch norm + ReLU + max-pool on %s', (backend) => {
  const shapes = [
    [4, 6, 6, 8],
    [5, 7, 7, 12], // odd sides: the last row and column are outside every window
    [6, 3, 3, 4],
    [3, 5, 4, 3], // 3 channels: not a multiple of 4, so no SIMD on wasm
  ];
  for (const shape of shapes) {
    for (const mode of ['batch', 'running'] as const) {
      it(`matches the composite ops in value and gradient (${shape.join('x')}, ${mode} statistics)`, async () => {
        await tf.setBackend(backend);
        const rng = new Rng(shape[1] * 10 + shape[3]);
        const C = shape[3];
        // A large mean relative to the spread tests the shifted sums.
        const x = tf.add(randomTensor(shape, rng, 2), 5) as tf.Tensor4D;
        const gamma = tf.add(randomTensor([C], rng, 0.3), 1);
        const beta = randomTensor([C], rng, 0.5);
        const mean = tf.add(randomTensor([C], rng), 5);
        const variance = tf.add(tf.abs(randomTensor([C], rng)), 2);
        const pooledShape = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), C];
        const r = randomTensor(pooledShape, rng);
        const rm = randomTensor([C], rng);
        const rv = randomTensor([C], rng);
        const makeLoss = (fn: typeof batchNormReluPool) => (...ins: tf.Tensor[]) => {
          const stats: BatchNormStatistics | undefined = mode === 'running' ? { mean: ins[3], variance: ins[4] } : undefined;
          const out = fn(ins[0] as tf.Tensor4D, ins[1], ins[2], stats, 1e-5);
          // Also use the statistics outputs, so their gradients are exercised.
          return tf.addN([tf.sum(tf.mul(out.pooled, r)), tf.sum(tf.mul(out.mean, rm)), tf.sum(tf.mul(out.variance, rv))]) as tf.Scalar;
        };
        const inputs = mode === 'running' ? [x, gamma, beta, mean, variance] : [x, gamma, beta];
        const stats = mode === 'running' ? { mean, variance } : undefined;
        const fused = batchNormReluPool(x, gamma, beta, stats, 1e-5);
        const composite = batchNormReluPoolComposite(x, gamma, beta, stats, 1e-5);
        expect(fused.pooled.shape).toEqual(pooledShape);
        expect(relativeError(fused.pooled.dataSync(), composite.pooled.dataSync())).toBeLessThan(2e-5);
        expect(relativeError(fused.mean.dataSync(), composite.mean.dataSync())).toBeLessThan(1e-5);
        expect(relativeError(fused.variance.dataSync(), composite.variance.dataSync())).toBeLessThan(1e-4);
        const fusedGrads = tf.grads(makeLoss(batchNormReluPool))(inputs);
        const compositeGrads = tf.grads(makeLoss(batchNormReluPoolComposite))(inputs);
        fusedGrads.forEach((g, i) => {
          expect(g.shape).toEqual(inputs[i].shape);
          expect(relativeError(g.dataSync(), compositeGrads[i].dataSync())).toBeLessThan(2e-4);
        });
        tf.dispose([x, gamma, beta, mean, variance, r, rm, rv, ...fusedGrads, ...compositeGrads]);
        tf.dispose([fused.pooled, fused.mean, fused.variance, composite.pooled, composite.mean, composite.variance]);
      });
    }
  }

  it('computes its gradient through the composite ops while an outer gradient tape records', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(9);
    const x = randomTensor([4, 4, 4, 4], rng) as tf.Tensor4D;
    const gamma = tf.add(randomTensor([4], rng, 0.2), 1);
    const beta = randomTensor([4], rng, 0.2);
    // d/dgamma of (d loss/d beta): the inner gradient is recorded by the outer tape.
    const innerSum = (fn: typeof batchNormReluPool) => (g: tf.Tensor) =>
      tf.sum(tf.grad((b: tf.Tensor) => tf.sum(fn(x, g, b, undefined, 1e-5).pooled))(beta)) as tf.Scalar;
    const viaFused = tf.grad(innerSum(batchNormReluPool))(gamma);
    const viaComposite = tf.grad(innerSum(batchNormReluPoolComposite))(gamma);
    expect(relativeError(viaFused.dataSync(), viaComposite.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta, viaFused, viaComposite]);
  });

  it('gives second derivatives through max-pool that agree with finite differences', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(21);
    const x = randomTensor([3, 4, 4, 4], rng) as tf.Tensor4D;
    const beta = randomTensor([4], rng, 0.2);
    const s = randomTensor([3, 4, 4, 4], rng);
    // f(gamma) = <d/dx sum(pooled^2), s>: its gradient needs the gradient of MaxPoolGrad.
    const f = (gamma: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((xx: tf.Tensor) => tf.sum(tf.square(batchNormReluPool(xx as tf.Tensor4D, gamma, beta, undefined, 1e-5).pooled)))(x), s)) as tf.Scalar;
    const gammaValues = Float32Array.from([1.1, 0.9, 1.3, 0.7]);
    const gamma = tf.tensor1d(gammaValues);
    const analytic = tf.grad(f)(gamma).dataSync();
    for (let c = 0; c < 4; c++) {
      const at = (delta: number) => {
        const moved = gammaValues.slice();
        moved[c] += delta;
        const t = tf.tensor1d(moved);
        const value = f(t).dataSync()[0];
        t.dispose();
        return value;
      };
      const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(Math.abs(numeric - analytic[c])).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([x, beta, s, gamma]);
  });
});
