// The cost of a regression method's meta-step (a meta-batch of sine tasks) and of fitting one task
// for 10 steps, for `npm run bench`: median wall time and peak tensor memory on the active backend.
import * as tf from '@tensorflow/tfjs';
import { median } from '../methods/methodBench';
import { createRegressionMethod, getRegressionMethodSpec } from './registry';
import { sinusoidGrid, sinusoidTaskAt } from './sinusoid';
import { outputsAfterSteps } from './regressionMethod';

export interface RegressionCost {
  method: string;
  metaBatch: number;
  msPerStep: number;
  msPerFit: number;
  peakBytes: number;
  tensorsLeaked: number;
}

export async function measureRegressionMethod(name: string, repeats = 5): Promise<RegressionCost> {
  const spec = getRegressionMethodSpec(name);
  const method = createRegressionMethod(name, {}, 1);
  const settings = { shot: 10, query: 10 };
  const tasks = Array.from({ length: spec.metaBatch }, (_, i) => sinusoidTaskAt(settings, 1, i));
  const grid = sinusoidGrid(100);
  try {
    await method.trainStep(tasks, 0);
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const fits: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let start = performance.now();
      await method.trainStep(tasks, i + 1);
      steps.push(performance.now() - start);
      start = performance.now();
      await outputsAfterSteps(method, tasks[0].support, grid, [10]);
      fits.push(performance.now() - start);
    }
    const profile = await tf.profile(async () => {
      await method.trainStep(tasks, repeats + 1);
    });
    return {
      method: name,
      metaBatch: spec.metaBatch,
      msPerStep: median(steps),
      msPerFit: median(fits),
      peakBytes: profile.peakBytes,
      tensorsLeaked: tf.memory().numTensors - before,
    };
  } finally {
    method.dispose();
  }
}
