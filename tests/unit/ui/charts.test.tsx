// @vitest-environment jsdom
// TrainingCharts: rendering at a given width, the accessible summary of the latest numbers, overlays
// in the legend, the smoothing control, the constant learning-rate line and regression runs.
import { afterEach, beforeEach, describe, it, expect, vi, type MockInstance } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { TrainingCharts, type TrainingChartRun } from '../../../src/ui/views/charts/TrainingCharts';
import type { ProgressPoint, ValidationPointMessage } from '../../../src/worker/protocol';

function points(steps: number, opts: { accuracy?: boolean; lr?: (step: number) => number } = {}): ProgressPoint[] {
  const out: ProgressPoint[] = [];
  for (let step = 1; step <= steps; step++) {
    out.push({
      step,
      loss: 1.6 * Math.exp(-step / 60) + 0.3 + 0.05 * Math.sin(step),
      ...(opts.accuracy === false ? {} : { accuracy: Math.min(0.95, 0.2 + step / 200) }),
      learningRate: opts.lr ? opts.lr(step) : 0.001,
      elapsed: step * 0.4,
    });
  }
  return out;
}

function validation(step: number, mean: number, ci95: number, metric: 'accuracy' | 'mse' = 'accuracy'): ValidationPointMessage {
  return { step, metric, summary: { mean, ci95, std: (ci95 * Math.sqrt(100)) / 1.96, episodes: 100 } };
}

function currentRun(): TrainingChartRun {
  const p = points(120);
  // The last point is the one the summary reports.
  p[p.length - 1] = { step: 120, loss: 0.412, accuracy: 0.8667, learningRate: 0.001, elapsed: 48 };
  return {
    id: 'run-2',
    name: 'ProtoNet 5-way 1-shot',
    color: '#0969da',
    points: p,
    validation: [validation(50, 0.701, 0.025), validation(100, 0.812, 0.021)],
    current: true,
  };
}

function earlierRun(): TrainingChartRun {
  return {
    id: 'run-1',
    name: 'MAML 5-way 1-shot',
    color: '#cf222e',
    points: points(200),
    validation: [validation(100, 0.74, 0.03)],
    current: false,
  };
}

describe('TrainingCharts', () => {
  // Recharts reports layout problems (a 0x0 chart, NaN coordinates) on the console: none allowed.
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

  it('renders the charts as SVG at the given width with accessible names', () => {
    const { container } = render(
      <TrainingCharts runs={[currentRun()]} smoothing={0.6} onSmoothingChange={() => {}} metric="accuracy" width={480} />,
    );
    const surfaces = container.querySelectorAll('svg.plot__surface');
    expect(surfaces.length).toBe(2); // loss and accuracy; the learning rate is constant
    surfaces.forEach((s) => expect(s.getAttribute('width')).toBe('480'));
    expect(screen.getByRole('img', { name: /^Training loss per step/ })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Accuracy per step.*95% confidence intervals/ })).toBeInTheDocument();
    // Smoothed and raw lines were drawn (paths exist), with error bars for validation.
    expect(container.querySelectorAll('.plot__line').length).toBeGreaterThanOrEqual(4);
    expect(container.querySelectorAll('.plot__error-bar').length).toBeGreaterThan(0);
  });

  it('reads out the values at the step under the pointer', () => {
    const { container } = render(
      <TrainingCharts runs={[currentRun()]} smoothing={0} onSmoothingChange={() => {}} metric="accuracy" width={480} />,
    );
    const loss = container.querySelector('svg.plot__surface')!;
    // jsdom lays nothing out: the surface's box is at 0, so clientX is the x within the chart.
    fireEvent.pointerMove(loss, { clientX: 480 - 24 }); // the plot's right edge: the last step
    expect(container.querySelector('.plot__readout')).toHaveTextContent(/^Step 120ProtoNet 5-way 1-shot: 0\.412$/);
    fireEvent.pointerLeave(loss);
    expect(container.querySelector('.plot__readout')).toBeNull();
  });

  it('summarises the latest loss, accuracy and validation accuracy with its 95% CI in text', () => {
    render(<TrainingCharts runs={[currentRun()]} smoothing={0} onSmoothingChange={() => {}} metric="accuracy" width={400} />);
    expect(screen.getByText('Step 120: loss 0.412, accuracy 86.7%; validation 81.2% ± 2.1% at step 100')).toBeInTheDocument();
    expect(screen.getByText(/Latest: step 120, training accuracy 86\.7%; validation 81\.2% ± 2\.1% at step 100/)).toBeInTheDocument();
  });

  it('lists an earlier run overlaid in the legend, with its own latest numbers', () => {
    render(
      <TrainingCharts
        runs={[earlierRun(), currentRun()]}
        smoothing={0.6}
        onSmoothingChange={() => {}}
        metric="accuracy"
        width={400}
      />,
    );
    const legend = screen.getByRole('list', { name: 'Runs' });
    const items = within(legend).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('ProtoNet 5-way 1-shot (current)');
    expect(items[1]).toHaveTextContent('MAML 5-way 1-shot (earlier run)');
    expect(items[1]).toHaveTextContent(/Step 200: loss [\d.]+, accuracy 95\.0%; validation 74\.0% ± 3\.0% at step 100/);
    expect(screen.getAllByRole('img', { name: /earlier: MAML 5-way 1-shot/ })).toHaveLength(2);
  });

  it('calls back when the smoothing slider moves', () => {
    const onSmoothingChange = vi.fn();
    render(
      <TrainingCharts runs={[currentRun()]} smoothing={0.6} onSmoothingChange={onSmoothingChange} metric="accuracy" width={400} />,
    );
    const slider = screen.getByRole('slider', { name: 'Smoothing' });
    expect(slider).toHaveAttribute('min', '0');
    expect(slider).toHaveAttribute('max', '0.99');
    fireEvent.change(slider, { target: { value: '0.85' } });
    expect(onSmoothingChange).toHaveBeenCalledWith(0.85);
  });

  it('says the learning rate is constant instead of drawing it, and draws it when it changes', () => {
    const { unmount } = render(
      <TrainingCharts runs={[currentRun()]} smoothing={0} onSmoothingChange={() => {}} metric="accuracy" width={400} />,
    );
    expect(screen.getByText('Learning rate constant at 0.001')).toBeInTheDocument();
    expect(screen.queryByRole('img', { name: /Learning rate per step/ })).not.toBeInTheDocument();
    unmount();

    const decayed: TrainingChartRun = { ...currentRun(), points: points(120, { lr: (s) => (s <= 60 ? 0.001 : 0.0005) }) };
    render(<TrainingCharts runs={[decayed]} smoothing={0} onSmoothingChange={() => {}} metric="accuracy" width={400} />);
    expect(screen.queryByText(/Learning rate constant/)).not.toBeInTheDocument();
    expect(screen.getByRole('img', { name: /Learning rate per step/ })).toBeInTheDocument();
    expect(screen.getByText('Latest: step 120, learning rate 0.0005.')).toBeInTheDocument();
  });

  it('hides the accuracy chart for regression and shows validation MSE with its CI on the loss chart', () => {
    const run: TrainingChartRun = {
      id: 'sine-1',
      name: 'MAML sine K=10',
      color: '#1a7f37',
      points: points(80, { accuracy: false }),
      validation: [validation(40, 0.87, 0.12, 'mse'), validation(80, 0.31, 0.05, 'mse')],
      current: true,
    };
    run.points[run.points.length - 1] = { step: 80, loss: 0.285, learningRate: 0.001, elapsed: 20 };
    const { container } = render(
      <TrainingCharts runs={[run]} smoothing={0.3} onSmoothingChange={() => {}} metric="mse" width={400} />,
    );
    expect(screen.queryByRole('img', { name: /Accuracy per step/ })).not.toBeInTheDocument();
    expect(container.querySelectorAll('svg.plot__surface')).toHaveLength(1);
    expect(screen.getByText('Step 80: loss 0.285; validation MSE 0.31 ± 0.05 at step 80')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /Loss \(MSE\)|loss \(mse\)/ })).toBeInTheDocument();
  });

  it('draws thousands of points without error and offers a log scale for the loss', () => {
    const long: TrainingChartRun = { ...currentRun(), points: points(5000) };
    const { container } = render(
      <TrainingCharts runs={[long]} smoothing={0.9} onSmoothingChange={() => {}} metric="accuracy" width={400} />,
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Log-scale loss' }));
    expect(screen.getByRole('img', { name: /log scale/ })).toBeInTheDocument();
    expect(container.querySelectorAll('svg.plot__surface').length).toBe(2);
  });

  it('says when there is nothing to draw yet', () => {
    const empty: TrainingChartRun = { ...currentRun(), points: [], validation: [] };
    render(<TrainingCharts runs={[empty]} smoothing={0} onSmoothingChange={() => {}} metric="accuracy" width={400} />);
    expect(screen.getByText(/No training steps yet/, { selector: '.training-charts__empty' })).toBeInTheDocument();
  });
});
