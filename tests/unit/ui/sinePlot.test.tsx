// @vitest-environment jsdom
// SinePlot: the chart at a given width, the text summary with the MSE of each fit, choosing which
// step counts to draw, loading and error states, and the "New task" callback.
import { afterEach, beforeEach, describe, it, expect, vi, type MockInstance } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { SinePlot } from '../../../src/ui/views/sine/SinePlot';
import { fitErrors } from '../../../src/ui/views/sine/mse';
import type { SineFit } from '../../../src/worker/protocol';

/** A task y = 3.2 sin(x - 1.1) on [-5, 5], 10 support points, fits after 0..10 steps closing in on it. */
function sineFit(): SineFit {
  const amplitude = 3.2;
  const phase = 1.1;
  const grid = Array.from({ length: 101 }, (_, i) => -5 + i * 0.1);
  const target = grid.map((x) => amplitude * Math.sin(x - phase));
  const supportX = [-4.6, -3.7, -2.9, -1.8, -0.7, 0.2, 1.3, 2.4, 3.5, 4.4];
  const fits = Array.from({ length: 11 }, (_, steps) => ({
    steps,
    // After s steps the fit has amplitude closer to the target's: error shrinks like 1 / (1 + s).
    y: grid.map((x) => (amplitude * (1 - 0.8 / (1 + steps))) * Math.sin(x - phase) + 0.3 / (1 + steps)),
  }));
  return {
    runId: 'sine-1',
    seed: 17,
    amplitude,
    phase,
    grid,
    target,
    support: { x: supportX, y: supportX.map((x) => amplitude * Math.sin(x - phase)) },
    fits,
  };
}

describe('SinePlot', () => {
  let consoleErrors: MockInstance;
  let consoleWarnings: MockInstance;
  beforeEach(() => {
    consoleErrors = vi.spyOn(console, 'error');
    consoleWarnings = vi.spyOn(console, 'warn');
  });
  afterEach(() => {
    expect(consoleErrors).not.toHaveBeenCalled();
    expect(consoleWarnings).not.toHaveBeenCalled();
    consoleErrors.mockRestore();
    consoleWarnings.mockRestore();
  });

  it('summarises the task with the MSE of the first and the last fit, computed against the target', () => {
    const fit = sineFit();
    const errors = fitErrors(fit);
    render(<SinePlot fit={fit} loading={false} onNewTask={() => {}} width={500} />);
    const fmt = (v: number) => String(Number(v.toPrecision(3)));
    expect(
      screen.getByText(
        `amplitude 3.20, phase 1.10 rad; K = 10 support points; MSE on the curve after 0 steps ${fmt(errors[0].mse)}, ` +
          `after 1 step ${fmt(errors[1].mse)}, after 10 steps ${fmt(errors[10].mse)}`,
      ),
    ).toBeInTheDocument();
    expect(errors[10].mse).toBeLessThan(errors[0].mse);
  });

  it('draws the target, the K support points and the chosen fits, with a legend and axis labels', () => {
    const { container } = render(<SinePlot fit={sineFit()} loading={false} onNewTask={() => {}} width={500} />);
    const surface = container.querySelector('svg.recharts-surface');
    expect(surface).toHaveAttribute('width', '500');
    expect(screen.getByRole('img', { name: /^Target curve, 10 support points.*fit after 0 steps, 1 step, 10 steps$/ })).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-line-curve')).toHaveLength(4); // target + 3 fits
    expect(container.querySelectorAll('.recharts-scatter-symbol')).toHaveLength(10);
    expect(screen.getByText('x (input)')).toBeInTheDocument();
    expect(screen.getByText('y (output)')).toBeInTheDocument();
    const legend = screen.getByRole('list', { name: 'Legend' });
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Target',
      'Support points (K = 10)',
      'Fit after 0 steps',
      'Fit after 1 step',
      'Fit after 10 steps',
    ]);
    // The MSE of every step count is in the table.
    expect(screen.getAllByRole('row')).toHaveLength(12);
  });

  it('lets the user choose which step counts to draw', () => {
    const { container } = render(<SinePlot fit={sineFit()} loading={false} onNewTask={() => {}} width={500} />);
    const group = screen.getByRole('group', { name: 'Show the fit after' });
    expect(within(group).getAllByRole('checkbox')).toHaveLength(11);
    fireEvent.click(within(group).getByRole('checkbox', { name: '5 steps' }));
    fireEvent.click(within(group).getByRole('checkbox', { name: '1 step' }));
    expect(within(group).getByRole('checkbox', { name: '5 steps' })).toBeChecked();
    expect(within(group).getByRole('checkbox', { name: '1 step' })).not.toBeChecked();
    expect(screen.getByRole('img', { name: /fit after 0 steps, 5 steps, 10 steps$/ })).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-line-curve')).toHaveLength(4);
    expect(screen.getByText(/after 0 steps [\d.]+, after 5 steps [\d.]+, after 10 steps [\d.]+$/)).toBeInTheDocument();
  });

  it('calls back on "New task" and shows loading and error states', () => {
    const onNewTask = vi.fn();
    const { rerender } = render(<SinePlot fit={null} loading={false} onNewTask={onNewTask} />);
    expect(screen.getByText(/No task yet/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'New task' }));
    expect(onNewTask).toHaveBeenCalledTimes(1);

    rerender(<SinePlot fit={sineFit()} loading onNewTask={onNewTask} width={400} />);
    expect(screen.getByRole('status')).toHaveTextContent('Fitting a task…');
    expect(screen.getByRole('button', { name: 'New task' })).toBeDisabled();

    rerender(<SinePlot fit={null} loading={false} error="The run has not started." onNewTask={onNewTask} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Could not fit a task: The run has not started.');
  });
});
