// @vitest-environment jsdom
// The loss chart's axis for a diverged run (views/charts/lossAxis.ts, ticks.ts, format.ts): compact
// labels that fit the axis, no negative tick on a loss or an MSE, and a log scale chosen by itself
// when a blow-up spans orders of magnitude; then the chart itself drawn for such a run.
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatNumber, formatTick } from '../../../src/ui/views/charts/format';
import { axisWidth, lossAxis, spansOrdersOfMagnitude } from '../../../src/ui/views/charts/lossAxis';
import { logTicks, ticksFromZero } from '../../../src/ui/views/charts/ticks';
import { TrainingCharts } from '../../../src/ui/views/charts/TrainingCharts';
import type { ProgressPoint } from '../../../src/worker/protocol';

describe('numbers on axes', () => {
  it('large numbers are compact: ticks from ten thousand on, summaries from a million on', () => {
    expect(formatTick(981012)).toBe('9.81e5');
    expect(formatTick(250000)).toBe('2.5e5');
    expect(formatTick(1e10)).toBe('1e10');
    expect(formatTick(4000)).toBe('4000');
    expect(formatTick(0.001)).toBe('1e-3');
    expect(formatNumber(981012)).toBe('981012');
    expect(formatNumber(4.86e16)).toBe('4.86e16');
    expect(formatNumber(1e10)).toBe('1e10');
  });

  it('ticks of a non-negative quantity start at 0 and reach past its largest value', () => {
    expect(ticksFromZero(690000)).toEqual([0, 200000, 400000, 600000, 800000]);
    expect(ticksFromZero(4.42)).toEqual([0, 2, 4, 6]);
    expect(ticksFromZero(3.55e9)).toEqual([0, 1e9, 2e9, 3e9, 4e9]);
    expect(ticksFromZero(0)).toEqual([0, 1]);
  });

  it('log ticks: powers of ten around the range (thinned over many), or 1-2-5 within about one', () => {
    expect(logTicks(0.9, 4.86e16)).toEqual([0.1, 1e2, 1e5, 1e8, 1e11, 1e14, 1e17]);
    expect(logTicks(0.05, 30)).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(logTicks(0.3, 4.4)).toEqual([0.2, 0.5, 1, 2, 5]);
    expect(logTicks(2, 20)).toEqual([2, 5, 10, 20]);
  });

  it('an axis is as wide as its longest label needs', () => {
    expect(axisWidth(['0', '2', '4'])).toBe(56);
    expect(axisWidth(['0', '2.5e5', '9.81e5'])).toBe(26 + 7 * 6);
  });
});

describe('the loss axis', () => {
  const healthy = Array.from({ length: 300 }, (_, i) => 3.8 * Math.exp(-i / 60) + 0.01 + 0.2 * Math.abs(Math.sin(i)));

  it('turns logarithmic for a blow-up, not for a healthy fall or a curve large all along', () => {
    expect(spansOrdersOfMagnitude(healthy)).toBe(false);
    expect(spansOrdersOfMagnitude([4.42, 4.86e16])).toBe(true);
    expect(spansOrdersOfMagnitude([...healthy.slice(0, 10), 4000])).toBe(true);
    expect(spansOrdersOfMagnitude([...healthy.slice(0, 10), 251])).toBe(false); // 64 times: not yet
    expect(spansOrdersOfMagnitude([6.8e9, 8.8e9, 1.4e9, 1.5e10])).toBe(false);
    expect(spansOrdersOfMagnitude([Number.NaN, 3])).toBe(false);
  });

  it('a diverged MSE run with a validation of 342,863 ± 347,070: no negative tick, no cut label', () => {
    // The interval's upper end enters the axis; its lower end stops at 0 in the chart.
    const axis = lossAxis([981012, 4.3, 342863 + 347070], false);
    expect(axis.log).toBe(false);
    expect(axis.ticks[0]).toBe(0);
    expect(axis.ticks.every((t) => t >= 0)).toBe(true);
    expect(axis.domain).toEqual([0, 1e6]);
    expect(axis.labels).toEqual(['0', '2.5e5', '5e5', '7.5e5', '1e6']);
    expect(axis.width).toBeGreaterThanOrEqual(axisWidth(axis.labels));
    const log = lossAxis([4.42, 4.86e16, Number.NaN], true);
    expect(log).toMatchObject({ log: true, domain: [1, 1e18], labels: ['1', '1000', '1e6', '1e9', '1e12', '1e15', '1e18'] });
    expect(Math.max(...log.labels.map((l) => l.length))).toBeLessThanOrEqual(6);
  });

  it('falls back to linear when a log scale has nothing positive to show', () => {
    expect(lossAxis([Number.NaN], true)).toMatchObject({ log: false, domain: [0, 1], ticks: [0, 1] });
  });
});

describe('TrainingCharts for a diverged run', () => {
  const points: ProgressPoint[] = [
    ...Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: 4 - i * 0.1, learningRate: 1, elapsed: i })),
    { step: 11, loss: 4.94e15, learningRate: 1, elapsed: 11 },
  ];
  const run = { id: 'a', name: 'MAML sine', color: '#0969da', points, validation: [], current: true };

  it('draws the loss on a log scale by itself, says so, and labels every tick compactly', () => {
    const { container } = render(<TrainingCharts runs={[run]} smoothing={0} onSmoothingChange={() => {}} metric="mse" width={400} />);
    expect(screen.getByRole('checkbox', { name: 'Log-scale loss' })).toBeChecked();
    expect(screen.getByText(/on by itself: the loss spans orders of magnitude/)).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /log scale/ })).toBeInTheDocument();
    expect(screen.getByText('Step 11: loss 4.94e15')).toBeInTheDocument();
    const labels = [...container.querySelectorAll('text.plot__tick--y')].map((t) => t.textContent ?? '');
    expect(labels.length).toBeGreaterThan(2);
    for (const label of labels) {
      expect(label.length).toBeLessThanOrEqual(6);
      expect(label.startsWith('-')).toBe(false);
    }
  });

  it('keeps an MSE axis at 0 and above when the validation interval is wider than its mean', () => {
    const large: ProgressPoint[] = Array.from({ length: 20 }, (_, i) => ({ step: i + 1, loss: 981012 * (1 + 0.3 * Math.sin(i)), learningRate: 1e-3, elapsed: i }));
    const validation = [{ step: 20, metric: 'mse' as const, summary: { mean: 342863, ci95: 347070, std: 1, episodes: 50 } }];
    const { container } = render(
      <TrainingCharts runs={[{ ...run, points: large, validation }]} smoothing={0} onSmoothingChange={() => {}} metric="mse" width={400} />,
    );
    expect(screen.getByRole('checkbox', { name: 'Log-scale loss' })).not.toBeChecked();
    const labels = [...container.querySelectorAll('text.plot__tick--y')].map((t) => t.textContent ?? '');
    expect(labels[0]).toBe('0');
    expect(labels.every((l) => !l.startsWith('-') && !l.startsWith('−') && l.length <= 6)).toBe(true);
  });
});
