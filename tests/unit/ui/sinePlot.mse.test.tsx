// The MSE of each sine fit against the target curve (pure).
import { describe, it, expect } from 'vitest';
import { fitErrors, meanSquaredError } from '../../../src/ui/views/sine/mse';
import { defaultSteps, sineSummary } from '../../../src/ui/views/sine/SinePlot';
import type { SineFit } from '../../../src/worker/protocol';

describe('meanSquaredError', () => {
  it('is the mean of the squared differences', () => {
    expect(meanSquaredError([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(meanSquaredError([0, 0], [3, 4])).toBe(12.5);
    expect(meanSquaredError([1, -1, 2, 0], [0, 1, 2, 2])).toBeCloseTo((1 + 4 + 0 + 4) / 4, 12);
  });

  it('is NaN for nothing and refuses mismatched lengths', () => {
    expect(meanSquaredError([], [])).toBeNaN();
    expect(() => meanSquaredError([1, 2], [1])).toThrow(/2 values with 1/);
  });
});

describe('fitErrors and the summary', () => {
  const fit: SineFit = {
    runId: 'r',
    seed: 1,
    amplitude: 2,
    phase: 0.5,
    grid: [0, 1, 2, 3],
    target: [0, 1, 0, -1],
    support: { x: [0.5, 2.5], y: [0.4, -0.4] },
    fits: [
      { steps: 0, y: [0, 0, 0, 0] },
      { steps: 1, y: [0, 0.5, 0, -0.5] },
      { steps: 5, y: [0, 1, 0, -1] },
    ],
  };

  it('computes the MSE of every fit against the target on the grid', () => {
    expect(fitErrors(fit)).toEqual([
      { steps: 0, mse: 0.5 },
      { steps: 1, mse: 0.125 },
      { steps: 5, mse: 0 },
    ]);
  });

  it('says the task, K and the MSEs of the chosen step counts', () => {
    expect(sineSummary(fit, [0, 5])).toBe('amplitude 2.00, phase 0.50 rad; K = 2 support points; MSE on the curve after 0 steps 0.5, after 5 steps 0');
    expect(defaultSteps([0, 1, 2, 3, 10])).toEqual([0, 1, 10]);
    expect(defaultSteps([0, 1])).toEqual([0, 1]);
  });
});
