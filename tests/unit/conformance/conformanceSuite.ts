// The conformance suite every registered method of every task family runs through
// (describeConformance), and the pieces it and the families' adapters share. A family's test file
// (imageMethods.test.ts, regressionMethods.test.ts) only says how to make, train, adapt and score
// its methods on a few seeded tasks; the checks themselves are written once, here:
// 1. save/load: the saved state, loaded into a freshly created method, gives the saved method's
//    outputs after adaptation (same seed, and another seed);
// 2. determinism: the same seed replays the same losses and outputs, another seed differs;
// 3. no tensor leak over training steps, adaptations looked at step by step and predictions, and
//    none after dispose;
// 4. adapting lowers the support loss (below the family's do-nothing level for a method that adapts
//    in one move);
// 5. divergence: learning rates at the top of their allowed range, and a non-finite loss, through
//    the family's real training loop: stopped with a problem naming one of the spec's settings and
//    the last healthy state, or, for a method that cannot diverge in its range, finite losses;
// 6. checkpoint: a run checkpointed after 3 steps and resumed in a fresh method trains steps 4..6
//    with exactly the uninterrupted run's losses and ends in its state (optimiser included).
// Only plain arrays and the spec's description (defaults, hyperparameters) are read, so a family's
// registry can change shape without this file following it.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { saveTensors, type SavedTensors } from '../../../src/core/nn/params';
import type { LoopMetrics, LoopResult } from '../../../src/core/train/loop';
import { checkpointTensors, loadCheckpoint, splitCheckpoint, type Checkpointable } from '../../../src/core/methods/checkpoint';

/** What the suite reads of a method's spec (image and regression specs alike). */
interface SpecDescription {
  defaults: Record<string, number | string>;
  hyperparameters: Record<string, { min?: number; max?: number; choices?: readonly string[] }>;
}

/** The seed every method is created with unless a check needs a second, different one. */
export const SEED = 1;
const OTHER_SEED = 2;

/** Predictions this close count as the same (float32 arithmetic replayed on the same backend). */
const SAME = 1e-5;
/** Predictions further apart than this count as different (a wrong or missing state would show). */
const DIFFERENT = 1e-3;

/** The numeric hyperparameters whose name says they are a learning rate (learningRate, innerLearningRate, ...). */
function learningRateKeys(spec: SpecDescription): string[] {
  return Object.keys(spec.defaults).filter((key) => /learningrate/i.test(key) && typeof spec.defaults[key] === 'number');
}

/**
 * Every learning rate at the top of the range the spec allows, or 1e12 where the spec sets no top
 * (the registry's range check, resolveHyperparameters, accepts both).
 */
function absurdLearningRates(spec: SpecDescription): Record<string, number> {
  return Object.fromEntries(learningRateKeys(spec).map((key) => [key, spec.hyperparameters[key]?.max ?? 1e12]));
}

/** Largest absolute difference of two equally long arrays (Infinity when the lengths differ). */
function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d; // NaN counts as the largest difference
  }
  return worst;
}

/** Mean cross-entropy of class probabilities (count x way, row-major) against labels 0..way-1. */
export function crossEntropy(probabilities: Float32Array, labels: Int32Array, way: number): number {
  if (probabilities.length !== labels.length * way) throw new Error(`Expected ${labels.length} x ${way} probabilities, got ${probabilities.length}.`);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(probabilities[i * way + labels[i]]);
  return sum / labels.length;
}

export function meanSquaredError(outputs: Float32Array, targets: Float32Array): number {
  if (outputs.length !== targets.length) throw new Error(`Expected ${targets.length} outputs, got ${outputs.length}.`);
  let sum = 0;
  for (let i = 0; i < outputs.length; i++) sum += (outputs[i] - targets[i]) ** 2;
  return sum / outputs.length;
}

/** The MSE of the best constant prediction (the targets' mean): what a fit must beat to have learnt anything. */
export function varianceOf(values: Float32Array): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
}

/** Names of the saved tensors holding a NaN or an infinity (empty when the state is healthy). */
function nonFiniteTensors(saved: SavedTensors): string[] {
  return Object.entries(saved)
    .filter(([, s]) => !s.values.every(Number.isFinite))
    .map(([name]) => name);
}

/** The hyperparameter a problem's field names ("hyper.<name>"), or null when it names none. */
function hyperparameterOfField(field: string | undefined): string | null {
  const match = /^hyper\.(.+)$/.exec(field ?? '');
  return match ? match[1] : null;
}

/** 0, 1 and `steps` (each once): the adaptation steps the leak check looks at the learner after. */
export function lookPoints(steps: number): number[] {
  return [...new Set([0, Math.min(1, steps), steps])];
}

/**
 * Where a method departs from the suite's default expectations, with what investigation found; a
 * method absent from its family's list is held to the defaults (it diverges at the top of its
 * learning rates' range, and a method of another seed loaded with its state adapts as it does).
 */
export interface ConformanceExceptions {
  cannotDivergeInRange?: string;
  adaptationDependsOnSeed?: string;
}

/**
 * A method as the suite handles it (both families' method interfaces have these): its state, and
 * the optional training state a checkpoint adds (methods/checkpoint.ts).
 */
export interface MethodUnderTest extends Checkpointable {
  dispose(): void;
}

/** What a task family tells the suite: how to make, train, adapt and score its methods. */
export interface FamilyUnderTest<M extends MethodUnderTest> {
  /** e.g. "image method", used in the test names. */
  kind: string;
  names: readonly string[];
  spec(name: string): SpecDescription;
  exceptions: Record<string, ConformanceExceptions>;
  create(name: string, seed?: number, hyper?: Record<string, number | string>): M;
  /** Training steps `from`..`from + count - 1` on the seeded task sequence; their losses. */
  trainSteps(method: M, from: number, count: number): Promise<number[]>;
  /** Outputs (probabilities, values) on held-out task `index`'s queries after the method's own adaptation. */
  adaptedOutputs(method: M, index?: number): Promise<Float32Array>;
  /** Adapts to held-out task `index` looking after steps `lookPoints(steps)` and predicts; frees everything. */
  exercise(method: M, index: number): Promise<void>;
  /**
   * The support loss on held-out task 0 before and after the method's own adaptation, its number of
   * steps and the loss of doing nothing (chance, or the best constant) a closed-form method must beat.
   */
  supportLoss(method: M): Promise<{ before: number; after: number; steps: number; doNothing: number }>;
  /** The family's real training loop over `steps` steps; `onStep` sees each 1-based step done. */
  train(method: M, steps: number, onStep?: (step: number) => Promise<void>): Promise<LoopResult<LoopMetrics, unknown>>;
  /** The method delegating everything, but handed non-finite data from (0-based) step `from` on. */
  poisonedFrom(method: M, from: number): M;
}

/** The conformance checks over every method the family registers. */
export function describeConformance<M extends MethodUnderTest>(family: FamilyUnderTest<M>): void {
  it(`runs over a non-empty registry of ${family.kind}s`, () => {
    expect(family.names.length).toBeGreaterThan(0);
  });

  for (const name of family.names) {
    const exceptions = family.exceptions[name] ?? {};
    const { create, trainSteps, adaptedOutputs } = family;

    describe(`${family.kind} "${name}"`, () => {
      const loadsInto = (seed: number) => async () => {
        const saver = create(name);
        await trainSteps(saver, 0, 3);
        const saved = await saveTensors(saver.stateTensors());
        const expected = await adaptedOutputs(saver);
        saver.dispose();
        const fresh = create(name, seed);
        // The check can fail: without the state (3 steps behind), the method adapts otherwise.
        expect(maxAbsDifference(await adaptedOutputs(fresh), expected)).toBeGreaterThan(DIFFERENT);
        fresh.loadState(saved);
        expect(await saveTensors(fresh.stateTensors())).toEqual(saved);
        const got = await adaptedOutputs(fresh);
        fresh.dispose();
        expect(maxAbsDifference(got, expected)).toBeLessThanOrEqual(SAME);
      };
      it('save/load: a fresh method of the same seed, loaded with the saved state, adapts as the saved one', loadsInto(SEED));
      // A method whose adaptation draws from its seed fails this one; it.fails turns into a failure
      // once the method no longer depends on its seed, so the exception cannot go stale.
      (exceptions.adaptationDependsOnSeed ? it.fails : it)(
        'save/load: a fresh method of another seed, loaded with the saved state, adapts as the saved one',
        loadsInto(OTHER_SEED),
      );

      it('determinism: the same seed replays the same losses and outputs; another seed differs', async () => {
        const run = async (seed: number) => {
          const method = create(name, seed);
          const losses = await trainSteps(method, 0, 3);
          const outputs = await adaptedOutputs(method);
          method.dispose();
          return { losses, outputs };
        };
        const first = await run(SEED);
        const again = await run(SEED);
        const other = await run(OTHER_SEED);
        expect(first.losses.every(Number.isFinite)).toBe(true);
        expect(again.losses).toEqual(first.losses);
        expect(Array.from(again.outputs)).toEqual(Array.from(first.outputs));
        expect(other.losses).not.toEqual(first.losses);
        expect(maxAbsDifference(other.outputs, first.outputs)).toBeGreaterThan(DIFFERENT);
      });

      it('no tensor leak: 20 training steps and 4 adaptations (looked at step by step) keep the tensor count; dispose frees all', async () => {
        const start = tf.memory().numTensors;
        const method = create(name);
        // Warm-up: a method may make state lazily (MAML's and the Meta-LSTM's output layer on the first episode).
        await trainSteps(method, 0, 1);
        await adaptedOutputs(method);
        const before = tf.memory().numTensors;
        await trainSteps(method, 1, 20);
        for (let i = 0; i < 4; i++) await family.exercise(method, i);
        expect(tf.memory().numTensors).toBe(before);
        method.dispose();
        expect(tf.memory().numTensors).toBe(start);
      });

      it("checkpoint: saved after 3 steps and loaded into a fresh method, steps 4..6 give the uninterrupted run's losses and state exactly", async () => {
        const start = tf.memory().numTensors;
        const uninterrupted = create(name);
        const losses = await trainSteps(uninterrupted, 0, 6);
        const finalState = await saveTensors(checkpointTensors(uninterrupted));
        uninterrupted.dispose();
        const first = create(name);
        await trainSteps(first, 0, 3);
        const saved = await saveTensors(checkpointTensors(first));
        first.dispose();
        // As the worker resumes a run: the method made again from the run's config, the checkpoint loaded.
        const resumed = create(name);
        loadCheckpoint(resumed, saved);
        expect(await trainSteps(resumed, 3, 3)).toEqual(losses.slice(3));
        expect(await saveTensors(checkpointTensors(resumed))).toEqual(finalState);
        resumed.dispose();
        // The check can fail: from the learnable state alone (as an older checkpoint holds: a fresh
        // optimiser), a method whose training state carries over trains steps 5 and 6 otherwise.
        const { state, training } = splitCheckpoint(saved);
        if (Object.keys(training).length > 0) {
          const fresh = create(name);
          loadCheckpoint(fresh, state);
          expect(await trainSteps(fresh, 3, 3)).not.toEqual(losses.slice(3));
          fresh.dispose();
        }
        expect(tf.memory().numTensors).toBe(start);
      });

      it('adaptation lowers the support loss (below doing nothing for a closed-form method)', async () => {
        // Three training steps, then the method's own adaptation to a held-out task's support set.
        // Everything is seeded and replays exactly on a backend, so this cannot flake; the margins
        // are wide besides (the family's file lists what was measured).
        const method = create(name);
        await trainSteps(method, 0, 3);
        const { before, after, steps, doNothing } = await family.supportLoss(method);
        method.dispose();
        expect(Number.isFinite(after)).toBe(true);
        if (steps > 0) expect(after).toBeLessThan(before);
        else expect(after).toBeLessThan(doNothing);
      });

      it(
        exceptions.cannotDivergeInRange
          ? `divergence: with every learning rate at the top of its range the loss stays finite (${exceptions.cannotDivergeInRange})`
          : 'divergence: with every learning rate at the top of its range the loop stops, names a learning rate and leaves a finite state',
        async () => {
          const spec = family.spec(name);
          const absurd = absurdLearningRates(spec);
          // A method's divergence advice names a learning rate; one it can name must exist.
          expect(Object.keys(absurd).length).toBeGreaterThan(0);
          const method = create(name, SEED, absurd);
          const steps = 20;
          const result = await family.train(method, steps);
          expect(nonFiniteTensors(await saveTensors(method.stateTensors()))).toEqual([]);
          method.dispose();
          expect(result.curve.length).toBe(result.stepsDone);
          if (exceptions.cannotDivergeInRange) {
            expect(result.status).toBe('done');
            expect(result.stepsDone).toBe(steps);
            expect(result.curve.every((p) => Number.isFinite(p.loss))).toBe(true);
            expect(result.problem).toBeUndefined();
          } else {
            expect(result.status).toBe('diverged');
            expect(result.problem).toMatchObject({ code: 'diverged', message: result.message });
            // The message, the curve's last point and the step count name the same step.
            expect(result.curve.at(-1)?.step).toBe(result.stepsDone);
            expect(result.message).toContain(`Training diverged at step ${result.stepsDone}:`);
            // The setting to lower is one of the learning rates that were raised.
            expect(learningRateKeys(spec)).toContain(hyperparameterOfField(result.problem?.field));
          }
        },
      );

      it('divergence: a non-finite loss stops the real loop with a problem naming a setting of the spec, the last healthy state restored', async () => {
        // Non-finite data from (0-based) step 3 on. The loop stops at that step (1-based 4, kept as
        // the curve's last point) and restores the state the step before it started from (loop.ts,
        // divergence.ts): the state after step 2.
        const spec = family.spec(name);
        const method = create(name);
        let healthy: SavedTensors | null = null;
        const result = await family.train(family.poisonedFrom(method, 3), 6, async (step) => {
          if (step === 2) healthy = await saveTensors(method.stateTensors());
        });
        expect(result.status).toBe('diverged');
        expect(result.stepsDone).toBe(4);
        expect(result.curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
        expect(result.message).toMatch(/diverged at step 4: the loss became (NaN|Infinity|-Infinity).*back to where they were after step 2/);
        expect(result.problem).toMatchObject({ code: 'diverged', message: result.message });
        const setting = hyperparameterOfField(result.problem?.field);
        expect(Object.keys(spec.defaults)).toContain(setting);
        expect(Object.keys(spec.hyperparameters)).toContain(setting);
        const state = await saveTensors(method.stateTensors());
        expect(nonFiniteTensors(state)).toEqual([]);
        expect(healthy).not.toBeNull();
        expect(state).toEqual(healthy);
        method.dispose();
      });
    });
  }
}
