// Proof that gradients of gradients are right with the gradients registered in nn/gradients:
// second-order MAML's meta-gradient on a small Conv-4 (conv, batch norm, ReLU, max-pool, softmax
// cross-entropy, 2 inner SGD steps) agrees with central finite differences of the meta-loss on the
// cpu backend (stock kernels, and the project's fast kernels) and on wasm (fast kernels); the
// first-order approximation clearly does not; and the check fails whenever one of the registered
// gradients is removed, zeroed, perturbed or put back to tfjs's own. Gradients not on Conv-4's path
// (AvgPoolGrad, Equal, Sigmoid, Tanh, Softmax, and Exp alone) get the same treatment on small
// functions of the same shape: L(x) = f(x - alpha * grad f(x)).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { postAdaptationLoss, taskMetaGradient, type MamlObjective, type MamlTask } from '../../src/core/methods/maml';
import { initConv4 } from '../../src/core/nn/conv4';
import { registerSecondOrderGradients, SECOND_ORDER_GRADIENTS } from '../../src/core/nn/gradients';
import { disposeTensors, glorotUniform, type NamedTensors } from '../../src/core/nn/params';
import { Rng } from '../../src/core/rng';

// tfjs's own gradient configs, captured before ours replace them (undefined: tfjs has none).
const STOCK = new Map(SECOND_ORDER_GRADIENTS.map((c) => [c.kernelName, tf.getGradient(c.kernelName)]));
const OURS = new Map(SECOND_ORDER_GRADIENTS.map((c) => [c.kernelName, c]));
registerSecondOrderGradients();

type Variant = 'missing' | 'stock' | 'zero' | 'offset';

/** Our gradient for `kernel` with every input's gradient replaced by `change(ours)`. */
function altered(kernel: string, change: (g: tf.Tensor) => tf.Tensor): tf.GradConfig {
  const ours = OURS.get(kernel)!;
  return {
    ...ours,
    gradFunc: (dy, saved, attrs) => {
      const grads = ours.gradFunc(dy, saved, attrs);
      const out: Record<string, () => tf.Tensor> = {};
      for (const name of Object.keys(grads)) out[name] = () => change(grads[name]());
      return out;
    },
  };
}

/**
 * Runs `fn` with the gradient of `kernel` removed ('missing'), back to tfjs's own ('stock'),
 * returning zeros ('zero') or ours plus 0.1 ('offset'), then registers ours again.
 */
function withBrokenGradient<T>(kernel: string, variant: Variant, fn: () => T): T {
  if (variant === 'missing') tf.unregisterGradient(kernel);
  else if (variant === 'stock') tf.registerGradient(STOCK.get(kernel)!);
  else if (variant === 'zero') tf.registerGradient(altered(kernel, (g) => tf.zerosLike(g)));
  else tf.registerGradient(altered(kernel, (g) => tf.add(g, 0.1)));
  try {
    return fn();
  } finally {
    registerSecondOrderGradients();
  }
}

/** The ways to break each gradient: removed if tfjs has none, tfjs's own if it has one. */
function variantsOf(kernel: string): Variant[] {
  const first: Variant = STOCK.get(kernel) ? 'stock' : 'missing';
  // Our Equal gradient is zero already, so zeroing it changes nothing; offset breaks it.
  return kernel === tf.Equal ? [first, 'offset'] : [first, 'zero', 'offset'];
}

describe('what tfjs 4.22 provides', () => {
  it('has no gradient for the kernels we add, and a saved-output gradient for the ones we replace', () => {
    for (const kernel of [tf.Conv2DBackpropFilter, tf.MaxPoolGrad, tf.AvgPoolGrad, tf.Equal]) expect(STOCK.get(kernel), kernel).toBeUndefined();
    for (const kernel of [tf.Exp, tf.Sigmoid, tf.Tanh, tf.Softmax]) expect(STOCK.get(kernel)?.outputsToSave, kernel).toEqual([true]);
    for (const config of SECOND_ORDER_GRADIENTS) {
      expect(tf.getGradient(config.kernelName)).toBe(config);
      expect(config.outputsToSave ?? [], config.kernelName).not.toContain(true);
    }
  });
});

function randomTensor(shape: number[], rng: Rng, low = 0, high = 1): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(low, high);
  return tf.tensor(values, shape);
}

/** Unit-norm direction over the named tensors, nonzero only on `only` (all when omitted). */
function direction(params: NamedTensors, rng: Rng, only?: string): NamedTensors {
  const out: NamedTensors = {};
  let norm = 0;
  const values: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(params)) {
    const v = new Float32Array(t.size);
    if (!only || only === name) for (let i = 0; i < v.length; i++) v[i] = rng.normal();
    for (const x of v) norm += x * x;
    values[name] = v;
  }
  for (const [name, t] of Object.entries(params)) out[name] = tf.tensor(values[name].map((x) => x / Math.sqrt(norm)), t.shape);
  return out;
}

function dot(a: NamedTensors, b: NamedTensors): number {
  return tf.tidy(() => tf.addN(Object.keys(b).map((n) => tf.sum(tf.mul(a[n], b[n])))).dataSync()[0]);
}

/*
 * Finite differences in float32, and why these numbers.
 * - The meta-loss (about 1) is evaluated with a rounding error of about 1e-7 to 4e-7 (float32
 *   unit roundoff is 6e-8). A central difference with step EPS = 1e-3 along a unit direction then
 *   carries noise of about 4e-7 / (2 EPS) = 2e-4; its truncation error, EPS^2 / 6 times the third
 *   derivative, is about 1e-6. Smaller steps drown in rounding, larger ones hit switches:
 * - ReLU and max-pool switches make the meta-loss NON-smooth where a first-order loss is merely
 *   kinked: the inner SGD step uses the gradient, which JUMPS when a unit's sign or a pool's
 *   winner changes, so the meta-loss itself jumps (by about 1e-2 here), and units of the final
 *   forward pass add kinks. With thousands of units, switches lie 1e-4 to 1e-3 away from a typical
 *   point along a random direction. So each direction is first checked for smoothness from the
 *   loss at -EPS, -EPS/2, 0, EPS/2, EPS: the two central differences must agree to
 *   SMOOTH_SLOPE_TOLERANCE (a jump J shows up as J / (2 EPS): any jump above 4e-6 is caught), and
 *   the fourth difference, about 1e-7 to 2e-6 from rounding alone, must stay under
 *   SMOOTH_VALUE_TOLERANCE (a kink that changes the slope by s shows up as s * EPS: a kink that
 *   could move the derivative by more than the tolerance below is caught). Directions that cross a
 *   switch are skipped; at least MIN_ACCEPTED of the 12 must remain. The problem's seed is one
 *   where all 12 are smooth on cpu and wasm (most seeds leave 7 to 12).
 * - Tolerance: the worst error on accepted directions is about 5e-4 (cpu and wasm), so
 *   ABS_TOLERANCE = 1.5e-3 per direction and a 1% relative error of the whole vector of
 *   directional derivatives. Removing, zeroing, perturbing or restoring tfjs's own version of a
 *   registered gradient moves the meta-gradient by 1e-2 to 1 along these directions (relative
 *   error 0.1 and more), and the first-order approximation is off by about 50%: a broken chain
 *   cannot pass, and the tests below check that it misses by at least 5 times the tolerance.
 */
const EPS = 1e-3;
const SMOOTH_SLOPE_TOLERANCE = 2e-3;
const SMOOTH_VALUE_TOLERANCE = 3e-6;
const ABS_TOLERANCE = 1.5e-3;
const REL_TOLERANCE = 1e-2;
const MIN_ACCEPTED = 10;

interface FiniteDifferences {
  /** Derivative along each direction, or null where the loss is not smooth within EPS. */
  derivatives: Array<number | null>;
  /** max(1, |loss|): rounding errors, hence tolerances, scale with it. */
  scale: number;
}

interface FiniteDifferenceCheck {
  /** Directional derivatives of the analytic gradient and by finite differences (accepted directions). */
  analytic: number[];
  numeric: number[];
  skipped: number;
  worstAbsError: number;
  /** |analytic - numeric| / |numeric| over the accepted directions, as vectors. */
  relativeError: number;
  passes: boolean;
}

/**
 * Central-difference derivatives along `directions` of `loss`, or null for directions along which
 * the loss is not smooth within EPS. Rounding scales with the loss, so the smoothness tolerances
 * do too (for losses above 1).
 */
function finiteDifferences(
  params: NamedTensors,
  loss: (p: NamedTensors) => tf.Scalar,
  directions: NamedTensors[],
): FiniteDifferences {
  const at = (dir: NamedTensors, step: number) =>
    tf.tidy(() => {
      const p: NamedTensors = {};
      for (const n of Object.keys(params)) p[n] = tf.add(params[n], tf.mul(dir[n], step));
      return loss(p).dataSync()[0];
    });
  const scale = Math.max(1, Math.abs(at(directions[0], 0)));
  const derivatives = directions.map((dir) => {
    const [minus, minusHalf, zero, plusHalf, plus] = [-EPS, -EPS / 2, 0, EPS / 2, EPS].map((step) => at(dir, step));
    const full = (plus - minus) / (2 * EPS);
    const half = (plusHalf - minusHalf) / EPS;
    // Both vanish (up to rounding) for a function that is smooth on [-EPS, EPS]: the odd part
    // compares the two central differences, the even part is the fourth difference.
    const oddResidual = Math.abs(full - half);
    const evenResidual = Math.abs(minus - 4 * minusHalf + 6 * zero - 4 * plusHalf + plus);
    return oddResidual <= SMOOTH_SLOPE_TOLERANCE * scale && evenResidual <= SMOOTH_VALUE_TOLERANCE * scale ? full : null;
  });
  return { derivatives, scale };
}

function compare(gradient: NamedTensors, directions: NamedTensors[], fd: FiniteDifferences): FiniteDifferenceCheck {
  const analytic: number[] = [];
  const accepted: number[] = [];
  directions.forEach((dir, i) => {
    const numeric = fd.derivatives[i];
    if (numeric === null) return;
    analytic.push(dot(gradient, dir));
    accepted.push(numeric);
  });
  const errors = analytic.map((a, i) => a - accepted[i]);
  const worstAbsError = Math.max(...errors.map(Math.abs));
  const relativeError = Math.hypot(...errors) / Math.hypot(...accepted);
  return {
    analytic,
    numeric: accepted,
    skipped: fd.derivatives.length - accepted.length,
    worstAbsError,
    relativeError,
    passes: accepted.length >= MIN_ACCEPTED && worstAbsError <= ABS_TOLERANCE * fd.scale && relativeError <= REL_TOLERANCE,
  };
}

/** A 3-way 1-shot task with 2 queries per class on 8x8x1 noise images and a 2-block, 4-filter Conv-4. */
function smallMamlProblem(seed: number): { params: NamedTensors; task: MamlTask } {
  const rng = new Rng(seed);
  const way = 3;
  const params = initConv4({ inputShape: [8, 8, 1], filters: 4, blocks: 2 }, rng);
  params['head/kernel'] = glorotUniform([16, way], 16, way, rng.derive('head'));
  params['head/bias'] = randomTensor([way], rng, -0.1, 0.1);
  const labels = (perClass: number) => tf.tensor1d(Array.from({ length: way * perClass }, (_, i) => i % way), 'int32');
  const task: MamlTask = {
    way,
    support: randomTensor([way, 8, 8, 1], rng) as tf.Tensor4D,
    supportLabels: labels(1),
    query: randomTensor([2 * way, 8, 8, 1], rng) as tf.Tensor4D,
    queryLabels: labels(2),
  };
  return { params, task };
}

/** One random direction inside each parameter tensor, plus four over all parameters. */
function mamlDirections(params: NamedTensors): NamedTensors[] {
  const rng = new Rng(11);
  return [...Object.keys(params).map((name) => direction(params, rng, name)), ...[0, 1, 2, 3].map(() => direction(params, rng))];
}

const SETUPS = [
  { label: 'cpu, stock kernels', init: async () => void (await tf.setBackend('cpu')) },
  { label: 'cpu, fast kernels', init: async () => void (await initBackend('cpu')) },
  { label: 'wasm, fast kernels', init: async () => void (await initBackend('wasm')) },
];

for (const setup of SETUPS) {
  describe(`second-order MAML meta-gradient vs finite differences (${setup.label})`, () => {
    let params: NamedTensors;
    let task: MamlTask;
    let directions: NamedTensors[];
    const numeric: Record<string, FiniteDifferences> = {};
    const objectives: Record<string, MamlObjective> = {
      support: { innerSteps: 2, innerLearningRate: 0.5, batchNormAtTest: 'support' },
      batch: { innerSteps: 2, innerLearningRate: 0.5, batchNormAtTest: 'batch' },
    };
    const metaGradientCheck = (mode: string, secondOrder = true) => {
      const r = taskMetaGradient(params, task, { ...objectives[mode], secondOrder });
      try {
        return compare(r.grads, directions, numeric[mode]);
      } finally {
        tf.dispose([r.loss, r.hits]);
        disposeTensors(r.grads);
      }
    };

    beforeAll(async () => {
      await setup.init();
      ({ params, task } = smallMamlProblem(13));
      directions = mamlDirections(params);
      for (const [mode, objective] of Object.entries(objectives)) {
        numeric[mode] = finiteDifferences(params, (p) => postAdaptationLoss(p, task, objective).loss, directions);
      }
    });

    afterAll(() => {
      disposeTensors(params);
      tf.dispose([task.support, task.supportLabels, task.query, task.queryLabels]);
      directions.forEach(disposeTensors);
    });

    for (const mode of ['support', 'batch']) {
      it(`agrees along every parameter tensor and random directions (queries normalised with ${mode} statistics)`, () => {
        const check = metaGradientCheck(mode);
        expect(check.numeric.length).toBeGreaterThanOrEqual(MIN_ACCEPTED);
        expect(check.worstAbsError).toBeLessThanOrEqual(ABS_TOLERANCE);
        expect(check.relativeError).toBeLessThanOrEqual(REL_TOLERANCE);
        expect(check.passes).toBe(true);
      });

      it(`first-order MAML's gradient is clearly different (${mode})`, () => {
        const check = metaGradientCheck(mode, false);
        expect(check.relativeError).toBeGreaterThan(0.2);
      });
    }

    // The gradients on Conv-4's second-order path: the conv weight gradient (inner step), the
    // max-pool routing (inner step), and exp (the softmax in the cross-entropy).
    for (const kernel of [tf.Conv2DBackpropFilter, tf.MaxPoolGrad, tf.Exp]) {
      for (const variant of variantsOf(kernel)) {
        it(`fails when ${kernel}'s gradient is ${variant}`, () => {
          withBrokenGradient(kernel, variant, () => {
            if (variant === 'missing') {
              expect(() => metaGradientCheck('support')).toThrow(new RegExp(`gradient function not found for ${kernel}`));
            } else {
              const check = metaGradientCheck('support');
              expect(check.passes).toBe(false);
              expect(check.relativeError).toBeGreaterThan(5 * REL_TOLERANCE);
            }
          });
        });
      }
    }
  });
}

describe('gradients off the Conv-4 path: L(x) = f(x - alpha grad f(x)) vs finite differences', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  // Smooth functions whose gradient runs the kernel under test, scaled (and alpha chosen) so the
  // second-order part of grad L is a large share of it; inputs avoid ties (max), so a step of
  // EPS never crosses a switch.
  const rng = new Rng(5);
  const cases: Array<{ kernel: string; shape: number[]; alpha: number; f: (x: tf.Tensor) => tf.Scalar }> = [
    { kernel: tf.Exp, shape: [2, 5], alpha: 0.3, f: (x) => tf.sum(tf.mul(coefficients([2, 5]), tf.exp(x))) },
    { kernel: tf.Sigmoid, shape: [2, 5], alpha: 0.5, f: (x) => tf.sum(tf.mul(coefficients([2, 5]), tf.sigmoid(tf.mul(x, 3)))) },
    { kernel: tf.Tanh, shape: [2, 5], alpha: 0.5, f: (x) => tf.sum(tf.mul(coefficients([2, 5]), tf.tanh(tf.mul(x, 3)))) },
    { kernel: tf.Softmax, shape: [2, 5], alpha: 0.5, f: (x) => tf.sum(tf.mul(coefficients([2, 5]), tf.softmax(tf.mul(x, 3)))) },
    // max's gradient is dy * (x == max): Equal sits in the gradient's path.
    { kernel: tf.Equal, shape: [3, 4], alpha: 0.3, f: (x) => tf.sum(tf.square(tf.max(x, 1))) },
    // Overlapping windows (3x3, stride 2, 'valid'; tfjs's own avgPool gradient is wrong with
    // 'same' padding even at first order). Squaring after the pool makes AvgPoolGrad's incoming
    // gradient depend on x.
    {
      kernel: tf.AvgPoolGrad,
      shape: [1, 7, 7, 2],
      alpha: 1,
      f: (x) => tf.sum(tf.mul(coefficients([1, 3, 3, 2]), tf.square(tf.avgPool(x as tf.Tensor4D, 3, 2, 'valid')))),
    },
  ];
  const coefficientCache = new Map<string, tf.Tensor>();
  function coefficients(shape: number[]): tf.Tensor {
    const key = shape.join('x');
    if (!coefficientCache.has(key)) coefficientCache.set(key, tf.keep(randomTensor(shape, new Rng(shape.length * 100 + shape[1]), -1, 1)));
    return coefficientCache.get(key)!;
  }

  /**
   * The finite differences of L are taken once, with our gradients (L's inner step uses f's
   * gradient, so it must be right); `analytic()` then compares tf.grad(L) against them, and can
   * be called again with a broken gradient registered.
   */
  function meta(kernel: string, alpha: number, f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor) {
    const metaLoss = (p: NamedTensors) => tf.tidy(() => f(tf.sub(p.x, tf.mul(tf.grad(f)(p.x), alpha))));
    const dirRng = new Rng(kernel.length);
    const directions = Array.from({ length: MIN_ACCEPTED }, () => direction({ x }, dirRng));
    const reference = finiteDifferences({ x }, metaLoss, directions);
    return {
      analytic: (): FiniteDifferenceCheck => {
        const gradient = { x: tf.grad((t: tf.Tensor) => metaLoss({ x: t }))(x) };
        try {
          return compare(gradient, directions, reference);
        } finally {
          gradient.x.dispose();
        }
      },
      dispose: () => directions.forEach(disposeTensors),
    };
  }

  for (const { kernel, shape, alpha, f } of cases) {
    // Distinct, well separated values (no ties for max) in [-1, 1].
    const input = () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const order = Array.from({ length: n }, (_, i) => i);
      rng.shuffle(order);
      return tf.tensor(order.map((k) => -1 + (2 * k) / (n - 1)), shape);
    };

    it(`${kernel}: matches, and fails when the gradient is broken`, () => {
      const x = input();
      const problem = meta(kernel, alpha, f, x);
      const good = problem.analytic();
      expect(good.relativeError).toBeLessThanOrEqual(REL_TOLERANCE);
      expect(good.passes).toBe(true);
      for (const variant of variantsOf(kernel)) {
        withBrokenGradient(kernel, variant, () => {
          if (variant === 'missing') {
            expect(() => problem.analytic()).toThrow(new RegExp(`gradient function not found for ${kernel}`));
          } else {
            const bad = problem.analytic();
            expect(bad.passes, `${kernel} ${variant}`).toBe(false);
            expect(bad.relativeError, `${kernel} ${variant}`).toBeGreaterThan(5 * REL_TOLERANCE);
          }
        });
      }
      problem.dispose();
      x.dispose();
    });
  }
});

describe('max-pool second derivatives', () => {
  const routed = (dy: tf.Tensor, x: tf.Tensor4D, y: tf.Tensor4D, filter: number, stride: number) =>
    tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: filter, strides: stride, pad: 'valid' }) as tf.Tensor4D;

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`is the exact adjoint of the backend's own routing, ties included (${backend})`, async () => {
      await initBackend(backend);
      const rng = new Rng(8);
      // Values in {0, 1, 2} on 5x5 (the last row and column fall outside the 2x2 windows): most
      // windows tie, as windows of ReLU zeros do.
      const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 * 3 }, () => rng.int(3)), [2, 5, 5, 3]);
      const y = tf.maxPool(x, 2, 2, 'valid');
      const dy = randomTensor(y.shape, rng, -1, 1);
      const G = randomTensor(x.shape, rng, -1, 1);
      // <G, route(dy)> must equal <route^T(G), dy>, with route^T from the registered gradient.
      const adjointOfG = tf.grad((d: tf.Tensor) => tf.sum(tf.mul(G, routed(d, x, y, 2, 2))))(dy);
      const lhs = tf.sum(tf.mul(G, routed(dy, x, y, 2, 2))).dataSync()[0];
      const rhs = tf.sum(tf.mul(adjointOfG, dy)).dataSync()[0];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5);
      tf.dispose([x, y, dy, G, adjointOfG]);
    });
  }

  it('refuses overlapping pooling windows with a message instead of a wrong number', async () => {
    await initBackend('cpu');
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => (i * 7) % 16), [1, 4, 4, 1]);
    const y = tf.maxPool(x, 2, 1, 'valid');
    const dy = tf.onesLike(y);
    expect(() => tf.grad((d: tf.Tensor) => tf.sum(tf.square(routed(d, x, y, 2, 1))))(dy)).toThrow(/non-overlapping windows/);
    tf.dispose([x, y, dy]);
  });
});
