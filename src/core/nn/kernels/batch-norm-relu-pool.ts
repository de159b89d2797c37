// Batch norm + ReLU + 2x2 max-pool ('valid', stride 2) of one Conv-4 block as one fused kernel
// with a fused gradient, for the wasm and cpu backends. Written as separate tfjs ops, this part of
// a block makes about 25 passes over the block's largest tensor per training step (moments, the
// broadcasts and their reductions in the gradient, ReLU and pooling masks); fused it makes 2
// forward (statistics, then normalise-ReLU-pool) and 2 backward (sums, then the input gradient).
//
// Semantics equal the composite `batchNormReluPoolComposite` (tf.moments over [0, 1, 2], batch
// norm from plain ops, tf.relu, tf.maxPool) up to float rounding; max-pool ties go to the first
// maximum of a window in row-major order, like the cpu backend.
//
// Higher-order gradients: when a gradient tape is recording while this op's gradient is
// computed (MAML's second order differentiates through the inner gradient step), the gradient
// is computed through the composite ops instead, so that it is itself differentiable. The fused
// backward kernel runs only when nothing records it.
import * as tf from '@tensorflow/tfjs';
import type { BackendHandle } from './backend-calls';
import { javascriptLoops, simdLoops, type BnReluPoolLoops } from './bn-relu-pool-loops';
import { instantiateSimdKernels, simdSupported, type SimdKernels } from './simd-kernels';
import { float32Memory, sizeOf, wasmHeap } from './tensor-memory';

/** Kernel names: with the batch's statistics, with given (running) statistics, and the gradient. */
export const BN_RELU_POOL_BATCH = 'FewShotLabBatchNormReluPool';
export const BN_RELU_POOL_RUNNING = 'FewShotLabBatchNormReluPoolRunning';
export const BN_RELU_POOL_GRAD = 'FewShotLabBatchNormReluPoolGrad';

export interface BatchNormReluPoolResult {
  /** [B, floor(H / 2), floor(W / 2), C]. */
  pooled: tf.Tensor4D;
  /** The statistics used: the batch's (biased variance) or the given running ones. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface BatchNormStatistics {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * maxPool2x2(relu(gamma * (x - mean) / sqrt(variance + epsilon) + beta)), with the batch's
 * statistics over [0, 1, 2] unless `running` statistics are given.
 */
export function batchNormReluPool(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  running: BatchNormStatistics | undefined,
  epsilon: number,
): BatchNormReluPoolResult {
  if (!fusedAvailable()) return batchNormReluPoolComposite(x, gamma, beta, running, epsilon);
  const inputs: tf.NamedTensorMap = running
    ? { x, gamma, beta, mean: running.mean, variance: running.variance }
    : { x, gamma, beta };
  const name = running ? BN_RELU_POOL_RUNNING : BN_RELU_POOL_BATCH;
  const [pooled, mean, variance] = tf.engine().runKernel(name, inputs, { epsilon }) as tf.Tensor[];
  return { pooled: pooled as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The same computation from stock tfjs ops (every backend; differentiable to any order). */
export function batchNormReluPoolComposite(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  running: BatchNormStatistics | undefined,
  epsilon: number,
): BatchNormReluPoolResult {
  const { mean, variance } = running ?? tf.moments(x, [0, 1, 2]);
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  const normed = tf.add(tf.mul(tf.sub(x, mean), scale), beta) as tf.Tensor4D;
  const pooled = tf.maxPool(tf.relu(normed), 2, 2, 'valid');
  return { pooled, mean: tf.reshape(mean, [-1]) as tf.Tensor1D, variance: tf.reshape(variance, [-1]) as tf.Tensor1D };
}

function fusedAvailable(): boolean {
  return tf.getKernel(BN_RELU_POOL_BATCH, tf.getBackend()) !== undefined;
}

/** Kernel inputs and attributes. */
interface FusedAttrs {
  epsilon: number;
}
interface FusedGradAttrs extends FusedAttrs {
  /** True when mean and variance are the batch's own (so gradients flow through them into x). */
  batchStats: boolean;
}

/** Per-channel affine form y = a * x + k of batch norm, rounded to float32 like the kernels use it. */
function affineCoefficients(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number) {
  const C = gamma.length;
  const a = new Float32Array(C);
  const k = new Float32Array(C);
  const rstd = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    rstd[c] = 1 / Math.sqrt(variance[c] + epsilon);
    a[c] = gamma[c] * rstd[c];
    k[c] = beta[c] - mean[c] * a[c];
  }
  return { a, k, rstd };
}

const loopsCache = new WeakMap<object, BnReluPoolLoops>();

function loopsFor(backend: BackendHandle, backendName: string, channels: number): BnReluPoolLoops {
  const memory = float32Memory(backend, backendName);
  const plain = () => javascriptLoops((info) => memory.view(info));
  if (backendName !== 'wasm' || channels % 4 !== 0) return plain();
  let loops = loopsCache.get(backend);
  if (!loops) {
    const heap = wasmHeap(backend);
    loops = heap && simdSupported() ? simdLoops(backend, heap, simdKernelsFor(heap)) : plain();
    loopsCache.set(backend, loops);
  }
  return loops;
}

const kernelsCache = new WeakMap<WebAssembly.Memory, SimdKernels>();

function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels {
  let kernels = kernelsCache.get(memory);
  if (!kernels) {
    kernels = instantiateSimdKernels(memory);
    kernelsCache.set(memory, kernels);
  }
  return kernels;
}

function forwardKernel(backendName: string): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as BackendHandle;
    const { x, gamma, beta, mean, variance } = args.inputs as Record<string, tf.TensorInfo>;
    const { epsilon } = args.attrs as unknown as FusedAttrs;
    const memory = float32Memory(backend, backendName);
    const [B, H, W, C] = x.shape;
    const gammaV = memory.view(gamma).slice();
    const betaV = memory.view(beta).slice();
    let meanV: Float32Array;
    let varianceV: Float32Array;
    const loops = loopsFor(backend, backendName, C);
    if (mean && variance) {
      meanV = memory.view(mean).slice();
      varianceV = memory.view(variance).slice();
    } else {
      // Sums of x - (first pixel's values): keeps float32 partial sums small when |mean| >> std.
      const shift = memory.view(x).slice(0, C);
      const sum = new Float64Array(C);
      const sumSq = new Float64Array(C);
      loops.shiftedMoments(x, shift, sum, sumSq);
      const n = B * H * W;
      meanV = new Float32Array(C);
      varianceV = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        const m = sum[c] / n;
        meanV[c] = shift[c] + m;
        varianceV[c] = Math.max(0, sumSq[c] / n - m * m);
      }
    }
    const { a, k } = affineCoefficients(gammaV, betaV, meanV, varianceV, epsilon);
    const pooled = memory.allocate([B, Math.floor(H / 2), Math.floor(W / 2), C]);
    const meanOut = memory.allocate([C]);
    const varianceOut = memory.allocate([C]);
    loops.forward(x, a, k, pooled);
    memory.view(meanOut).set(meanV);
    memory.view(varianceOut).set(varianceV);
    return [pooled, meanOut, varianceOut];
  };
}

function gradKernel(backendName: string): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as BackendHandle;
    const { x, gamma, beta, mean, variance, dy, dMean, dVariance } = args.inputs as Record<string, tf.TensorInfo>;
    const { epsilon, batchStats } = args.attrs as unknown as FusedGradAttrs;
    const memory = float32Memory(backend, backendName);
    const C = x.shape[3];
    const n = sizeOf(x.shape) / C;
    const gammaV = memory.view(gamma).slice();
    const meanV = memory.view(mean).slice();
    const { a, k, rstd } = affineCoefficients(gammaV, memory.view(beta).slice(), meanV, memory.view(variance).slice(), epsilon);
    const dMeanOut = memory.view(dMean).slice();
    const dVarianceOut = memory.view(dVariance).slice();
    const loops = loopsFor(backend, backendName, C);
    const sumG = new Float64Array(C);
    const sumGX = new Float64Array(C);
    loops.gradSums(x, dy, a, k, meanV, sumG, sumGX);
    const c0 = new Float32Array(C);
    const c1 = new Float32Array(C);
    const dGammaV = new Float32Array(C);
    const dBetaV = new Float32Array(C);
    const dMeanIn = new Float32Array(C);
    const dVarianceIn = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      dBetaV[c] = sumG[c];
      dGammaV[c] = rstd[c] * sumGX[c];
      // Effects of the mean and variance on the output, through the normalisation.
      const viaMean = dMeanOut[c] - a[c] * sumG[c];
      const viaVariance = dVarianceOut[c] - 0.5 * gammaV[c] * rstd[c] ** 3 * sumGX[c];
      if (batchStats) {
        // mean = sum x / n and variance = sum (x - mean)^2 / n pass these on to every x.
        c1[c] = (2 * viaVariance) / n;
        c0[c] = viaMean / n - c1[c] * meanV[c];
      } else {
        dMeanIn[c] = viaMean;
        dVarianceIn[c] = viaVariance;
      }
    }
    const dx = memory.allocate(x.shape);
    const outs = [dGammaV, dBetaV, dMeanIn, dVarianceIn].map(() => memory.allocate([C]));
    loops.gradInput(x, dy, a, k, c0, c1, dx);
    [dGammaV, dBetaV, dMeanIn, dVarianceIn].forEach((values, i) => memory.view(outs[i]).set(values));
    return [dx, ...outs];
  };
}

/** True while a gradient computation is being recorded by an enclosing tape (a gradient of a gradient). */
export function tapeIsRecording(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; kernelDepth: number } }).state;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** Gradient of either mode; `saved` holds x, gamma, beta, mean, variance in that order. */
function gradFunc(running: boolean): tf.GradFunc {
  return (dys, saved, attrs) => {
    const [dPooled, dMean, dVariance] = dys as Array<tf.Tensor | null>;
    const [x, gamma, beta, mean, variance] = saved;
    const { epsilon } = attrs as unknown as FusedAttrs;
    const names = running ? ['x', 'gamma', 'beta', 'mean', 'variance'] : ['x', 'gamma', 'beta'];
    let grads: tf.Tensor[];
    if (tapeIsRecording()) {
      grads = compositeVjp(saved.slice(0, names.length), running, epsilon, dPooled, dMean, dVariance);
    } else {
      const zerosC = () => tf.zeros([gamma.size]);
      const outs = tf.engine().runKernel(
        BN_RELU_POOL_GRAD,
        {
          x, gamma, beta, mean, variance,
          dy: dPooled ?? tf.zeros(outputShape(x.shape)),
          dMean: dMean ?? zerosC(),
          dVariance: dVariance ?? zerosC(),
        },
        { epsilon, batchStats: !running },
      ) as tf.Tensor[];
      grads = outs.slice(0, names.length);
    }
    const result: Record<string, () => tf.Tensor> = {};
    names.forEach((name, i) => (result[name] = () => grads[i]));
    return result;
  };
}

const gradients: tf.GradConfig[] = [
  // The batch's mean and variance are outputs 1 and 2.
  { kernelName: BN_RELU_POOL_BATCH, inputsToSave: ['x', 'gamma', 'beta'], outputsToSave: [false, true, true], gradFunc: gradFunc(false) },
  { kernelName: BN_RELU_POOL_RUNNING, inputsToSave: ['x', 'gamma', 'beta', 'mean', 'variance'], gradFunc: gradFunc(true) },
];

/** The gradients registered above, batch mode first (nn/gradients wraps the batch mode's). */
export const BATCH_NORM_RELU_POOL_GRADIENTS: readonly tf.GradConfig[] = gradients;

function outputShape(shape: number[]): number[] {
  const [B, H, W, C] = shape;
  return [B, Math.floor(H / 2), Math.floor(W / 2), C];
}

/** Vector-Jacobian product through the composite ops (recorded, so it can be differentiated again). */
function compositeVjp(
  inputs: tf.Tensor[],
  running: boolean,
  epsilon: number,
  dPooled: tf.Tensor | null,
  dMean: tf.Tensor | null,
  dVariance: tf.Tensor | null,
): tf.Tensor[] {
  const f = (...ins: tf.Tensor[]) => {
    const [x, gamma, beta, mean, variance] = ins;
    const r = batchNormReluPoolComposite(x as tf.Tensor4D, gamma, beta, running ? { mean, variance } : undefined, epsilon);
    const terms: tf.Tensor[] = [];
    if (dPooled) terms.push(tf.sum(tf.mul(r.pooled, dPooled)));
    if (dMean) terms.push(tf.sum(tf.mul(r.mean, dMean)));
    if (dVariance) terms.push(tf.sum(tf.mul(r.variance, dVariance)));
    return (terms.length > 0 ? tf.addN(terms) : tf.sum(tf.mul(r.pooled, 0))) as tf.Scalar;
  };
  return tf.grads(f)(inputs);
}

/** Registers the fused kernels for `backendName` (and, once, their gradient). */
export function registerBatchNormReluPool(backendName: string): void {
  for (const kernelName of [BN_RELU_POOL_BATCH, BN_RELU_POOL_RUNNING]) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: forwardKernel(backendName) });
    }
  }
  if (!tf.getKernel(BN_RELU_POOL_GRAD, backendName)) {
    tf.registerKernel({ kernelName: BN_RELU_POOL_GRAD, backendName, kernelFunc: gradKernel(backendName) });
  }
  for (const config of gradients) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
