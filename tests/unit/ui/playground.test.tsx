// @vitest-environment jsdom
// Component tests of the playground's store and panels: what a user sees and can do, with a scripted
// stand-in for the compute worker (it records requests and replays the events a real worker sends).
// This tests the UI's behaviour only; real training is tested in Node (workerSession.test.ts) and in
// Chromium on the production build (tests/browser/playground.test.ts).
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { REGRESSION_CATALOG } from '../../../src/core/regression/catalog';
import { summarise } from '../../../src/core/train/stats';
import { StoreContext } from '../../../src/ui/state/context';
import { DEFAULT_SETUP } from '../../../src/ui/state/setup';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { evaluationTimeLeft } from '../../../src/ui/views/run/RunControls';
import { scriptedClient as baseScriptedClient } from './fixtures/scriptedClient';
import { App } from '../../../src/ui/views/App';
import type { ClientEvent } from '../../../src/worker/client';
import type { RunConfig, WorkerError } from '../../../src/worker/protocol';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';

/** The scripted client, with its events delivered inside React's act(). */
function scriptedClient(options: { startError?: WorkerError } = {}) {
  const scripted = baseScriptedClient(options);
  return {
    ...scripted,
    emit: (event: ClientEvent) => act(() => scripted.emit(event)),
    finishEvaluation: (runId: string, perEpisode: number[]) => act(() => scripted.finishEvaluation(runId, perEpisode)),
  };
}



async function renderPlayground(options: { history?: ReturnType<typeof memoryHistory>; startError?: WorkerError } = {}) {
  const scripted = scriptedClient(options);
  const history = options.history ?? memoryHistory();
  let t = 1_700_000_000_000;
  const store = createPlaygroundStore({ client: scripted.client, history, omniglot: noOmniglot, now: () => (t += 1000) });
  render(
    <StoreContext.Provider value={store}>
      <App omniglotSize={9_464_212} />
    </StoreContext.Provider>,
  );
  await act(() => store.getState().start());
  return { ...scripted, store, history, user: userEvent.setup() };
}

function point(step: number) {
  return { step, loss: 1 / step, accuracy: 0.5 + step / 100, learningRate: 1e-3, elapsed: step * 0.5 };
}

describe('the playground panel', () => {
  it('names every control, starts with glyphs and Prototypical Networks, and shows the backend with its reason', async () => {
    const { user } = await renderPlayground();
    for (const label of ['Dataset', 'Method', 'Ways (N)', 'Shots (K)', 'Queries per class', 'Seed', 'Backend']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Dataset')).toHaveValue('glyphs');
    expect(screen.getByLabelText('Method')).toHaveValue('protonet');
    expect(screen.getByRole('button', { name: 'Train' })).not.toHaveAttribute('aria-disabled');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeDisabled();
    // Screen readers hear the backend and why; the page shows a one-line chip that discloses the why.
    expect(screen.getByRole('status')).toHaveTextContent('Backend: wasm (SIMD, 2 threads). Why: no GPU adapter.');
    const chip = screen.getByText('WASM · SIMD · 2 threads').closest('summary')!;
    expect(chip.closest('details')).not.toHaveAttribute('open');
    await user.click(chip);
    expect(chip.closest('details')).toHaveAttribute('open');
    expect(within(chip.closest('details')!).getByRole('listitem')).toHaveTextContent('no GPU adapter');
    // Each hyperparameter is labelled in words; its hint says what it does and its code name in links.
    expect(screen.getByLabelText('Learning rate')).toHaveAccessibleDescription(/Adam step size.*\(learningRate in links and the CLI\)/);
    expect(screen.queryByLabelText('learningRate')).toBeNull();
    expect(within(screen.getByLabelText('Batch norm at test')).getByRole('option', { name: 'Running statistics (from training)' })).toHaveValue('running');
  });

  it('shows an impossible sampler setting next to its control and does not train', async () => {
    const { user, calls } = await renderPlayground();
    const ways = screen.getByLabelText('Ways (N)');
    await user.clear(ways);
    await user.type(ways, '1');
    expect(ways).toHaveAttribute('aria-invalid', 'true');
    expect(ways).toHaveAccessibleDescription(/Ways \(N\) must be a whole number of at least 2/);
    // Train is off, and says why: the setting to fix.
    const train = screen.getByRole('button', { name: 'Train' });
    expect(train).toHaveAttribute('aria-disabled', 'true');
    expect(train).toHaveAccessibleDescription('To train, fix Ways (N) (marked in the panel).');
    await user.click(train);
    expect(calls.some((c) => c.type === 'start')).toBe(false);
  });

  it("puts the worker's refusal next to the control it names", async () => {
    const message = 'Ways (N) is 30 but the test split has 24 classes: choose at most 24, or give the test split a bigger share.';
    const { user } = await renderPlayground({ startError: { code: 'too-few-classes', field: 'way', message } });
    const ways = screen.getByLabelText('Ways (N)');
    await user.clear(ways);
    await user.type(ways, '30');
    await user.click(screen.getByRole('button', { name: 'Train' }));
    expect(ways).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(screen.queryByText(/training, step/)).toBeNull();
  });

  it('trains, shows progress, pauses and resumes, stops, evaluates and reports mean ± CI with its settings', async () => {
    const { user, calls, emit, finishEvaluation, history } = await renderPlayground();
    await user.click(screen.getByRole('button', { name: 'Train' }));
    const start = calls.find((c) => c.type === 'start')!;
    const [runId, config] = start.args as [string, RunConfig];
    expect(config).toMatchObject({ datasetId: 'glyphs', method: 'protonet', sampler: { way: 5, shot: 1, query: 15 }, steps: DEFAULT_SETUP.steps, seed: 1 });
    // Settings are locked while the run trains.
    expect(screen.getByLabelText('Ways (N)')).toBeDisabled();

    emit({ type: 'progress', runId, points: [point(1), point(2)], validation: [], step: 2, totalSteps: 300, stepsPerSecond: 4, etaSeconds: 74.5, paused: false });
    expect(screen.getByText(/training, step 2 of 300/)).toBeInTheDocument();
    expect(screen.getByText(/4\.0 steps\/s · about 1 min left/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute('value', '2');

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(calls.at(-1)).toEqual({ type: 'pause', args: [runId] });
    // "Paused" is shown when the worker says it stopped between two steps, at the step where it did.
    emit({ type: 'progress', runId, points: [point(3)], validation: [], step: 3, totalSteps: 300, stepsPerSecond: 4, etaSeconds: 74, paused: true });
    expect(screen.getByText(/paused at step 3 of 300/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(calls.at(-1)).toEqual({ type: 'resume', args: [runId] });
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(calls.at(-1)).toEqual({ type: 'stop', args: [runId] });
    expect(screen.getByRole('button', { name: 'Evaluate' })).toHaveAttribute('aria-disabled', 'true');

    emit({ type: 'finished', runId, status: 'stopped', stepsDone: 2, seconds: 1, message: 'Stopped at step 2 of 300.' });
    expect(screen.getByLabelText('Ways (N)')).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    expect(calls.at(-1)).toEqual({ type: 'evaluate', args: [runId, 600, 2017] });
    emit({ type: 'evaluationProgress', runId, done: 300, total: 600 });
    // Under the button that started it, with its own progress bar and the time left.
    const runRegion = within(screen.getByRole('region', { name: 'Run' }));
    expect(runRegion.getByText('Evaluating: episode 300 of 600')).toBeInTheDocument();
    expect(runRegion.getByRole('progressbar', { name: 'Evaluation progress' })).toHaveAttribute('value', '300');

    const perEpisode = Array.from({ length: 600 }, (_, i) => (i % 4 === 0 ? 0.6 : 0.9));
    await finishEvaluation(runId, perEpisode);
    const s = summarise(perEpisode);
    const evaluation = screen.getByRole('region', { name: 'Evaluation on held-out classes' });
    expect(evaluation).toHaveTextContent(`Accuracy: ${(100 * s.mean).toFixed(2)}% ± ${(100 * s.ci95).toFixed(2)}% (95% CI)`);
    expect(evaluation).toHaveTextContent(/5-way 1-shot, 15 queries per class; 600 episodes \(seed 2017\) of the test split's 24 classes; batch norm at test: running averages/);
    // The run, with its curves and its evaluation, is in the history.
    expect(history.runs.get(runId)).toMatchObject({ status: 'stopped', points: [point(1), point(2), point(3)] });
    expect(history.runs.get(runId)!.evaluations).toHaveLength(1);
  });

  it('compares runs evaluated on the same episodes with the paired difference to a chosen baseline', async () => {
    const { user, calls, emit, finishEvaluation } = await renderPlayground();
    const ids: string[] = [];
    const accuracies = [
      Array.from({ length: 100 }, (_, i) => (i % 2 ? 0.8 : 0.6)),
      Array.from({ length: 100 }, (_, i) => (i % 2 ? 0.9 : 0.7)),
    ];
    for (const acc of accuracies) {
      await user.click(screen.getByRole('button', { name: 'Train' }));
      const runId = calls.filter((c) => c.type === 'start').at(-1)!.args[0] as string;
      ids.push(runId);
      emit({ type: 'finished', runId, status: 'done', stepsDone: 300, seconds: 10 });
      await user.click(screen.getByRole('button', { name: 'Evaluate' }));
      await finishEvaluation(runId, acc);
    }
    const table = screen.getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('baseline');
    expect(rows[2]).toHaveTextContent('+10.00 ± 0.00 points');
    await user.click(within(rows[2]).getByRole('radio'));
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('−10.00 ± 0.00 points');
  });

  it('offers only the regression methods for sine waves, with their own settings', async () => {
    const { user } = await renderPlayground();
    await user.selectOptions(screen.getByLabelText('Dataset'), 'sinusoid');
    const methods = within(screen.getByLabelText('Method')).getAllByRole('option').map((o) => o.getAttribute('value'));
    expect(methods).toEqual(Object.keys(REGRESSION_CATALOG));
    expect(methods).not.toContain('protonet');
    // Named in regression's words: points and tasks, not shots, classes or episodes.
    expect(screen.getByLabelText('Support points per task (K)')).toHaveValue(10);
    expect(screen.getByLabelText('Query points per task')).toHaveValue(100);
    expect(screen.getByLabelText('Test tasks')).toBeInTheDocument();
    expect(screen.queryByLabelText('Shots (K)')).toBeNull();
    expect(screen.queryByLabelText('Queries per class')).toBeNull();
    expect(screen.queryByLabelText('Test episodes')).toBeNull();
    expect(screen.queryByLabelText('Ways (N)')).toBeNull();
    expect(screen.getByLabelText('Inner learning rate (α)')).toHaveValue(0.01);
  });

  it('resets hyperparameters when the method changes and shows a diverged run next to the method', async () => {
    const { user, calls, emit } = await renderPlayground();
    const lr = screen.getByLabelText('Learning rate');
    await user.clear(lr);
    await user.type(lr, '5');
    expect(screen.getByLabelText('Learning rate *')).toHaveAttribute('aria-invalid', 'true');
    // The range message names the control as the page does, not by its code name.
    expect(screen.getByLabelText('Learning rate *')).toHaveAccessibleDescription(/^Learning rate must be between 0\.000001 and 1/);
    expect(screen.getByRole('button', { name: 'Train' })).toHaveAccessibleDescription('To train, fix Learning rate (marked in the panel).');
    await user.selectOptions(screen.getByLabelText('Method'), 'maml');
    expect(screen.getByLabelText('Outer learning rate (β)')).toHaveValue(0.003);
    await user.click(screen.getByRole('button', { name: 'Train' }));
    const runId = calls.find((c) => c.type === 'start')!.args[0] as string;
    const message = 'Training diverged at step 40 (loss is NaN); the last good parameters are kept. Lower the inner learning rate (innerLearningRate, now 0.4) or the learning rate (now 0.003).';
    emit({ type: 'finished', runId, status: 'diverged', stepsDone: 39, seconds: 5, message, problem: { code: 'diverged', field: 'hyper.innerLearningRate', message } });
    expect(screen.getByLabelText('Inner learning rate (α)')).toHaveAccessibleDescription(new RegExp(message.slice(0, 40).replace(/[()]/g, '\\$&')));
  });

  it('keeps runs across visits: lists them, renames, applies their setup and deletes after confirmation', async () => {
    const old: StoredRun = {
      id: 'run-old',
      name: 'MAML 5-way 5-shot #1',
      createdAt: 1_600_000_000_000,
      setup: { ...DEFAULT_SETUP, method: 'maml', shot: 5, seed: 7 },
      datasetLabel: 'glyphs (120 classes, 28x28x1)',
      status: 'training',
      points: [point(1), point(2), point(3)],
      validation: [],
      progress: null,
      metaBatch: 4,
      backend: null,
      seconds: 3,
      evaluations: [],
    };
    const history = memoryHistory([old]);
    const { user } = await renderPlayground({ history });
    const item = within(screen.getByRole('region', { name: 'Run history' })).getByRole('listitem');
    // A run cut off by closing the page is interrupted, with what it had (nothing kept to resume from).
    expect(item).toHaveTextContent('interrupted after 3 steps');
    await user.click(within(item).getByRole('button', { name: 'Rename MAML 5-way 5-shot #1' }));
    const input = within(item).getByLabelText(/New name/);
    await user.clear(input);
    await user.type(input, 'my MAML{Enter}');
    expect(within(item).getByRole('button', { name: 'my MAML' })).toBeInTheDocument();
    expect(history.runs.get('run-old')!.name).toBe('my MAML');

    await user.click(within(item).getByRole('button', { name: 'Apply setup of my MAML' }));
    expect(screen.getByLabelText('Method')).toHaveValue('maml');
    expect(screen.getByLabelText('Shots (K)')).toHaveValue(5);
    expect(screen.getByLabelText('Seed')).toHaveValue(7);

    await user.click(within(item).getByRole('button', { name: 'Delete my MAML' }));
    expect(history.runs.has('run-old')).toBe(true);
    await user.click(within(item).getByRole('button', { name: 'Delete for good' }));
    expect(history.runs.has('run-old')).toBe(false);
    expect(within(screen.getByRole('region', { name: 'Run history' })).queryByRole('listitem')).toBeNull();
  });

  it('sets up a guided preset and its comparison run, and explains the chosen method', async () => {
    const { user } = await renderPlayground();
    await user.selectOptions(screen.getByLabelText('Guided preset'), 'maml-inner-steps');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByLabelText('Method')).toHaveValue('maml');
    expect(screen.getByLabelText(/^Inner steps at test/)).toHaveValue(10);
    expect(screen.getByRole('note')).toHaveTextContent(/inner step/i);
    await user.click(within(screen.getByRole('note')).getAllByRole('button')[0]);
    expect(screen.getByLabelText(/^Inner steps at test/)).toHaveValue(1);
    expect(screen.getByText(/About MAML/)).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Guided preset'), 'sine-maml-vs-pretraining');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByLabelText('Dataset')).toHaveValue('sinusoid');
    expect(screen.getByLabelText('Support points per task (K)')).toHaveValue(10);
  });

  it('says when runs cannot be kept, and still trains', async () => {
    const history = memoryHistory();
    history.listRuns = vi.fn(async () => {
      throw new Error('Runs cannot be saved in this browser (IndexedDB is unavailable); export them as JSON to keep them.');
    });
    const { user, calls } = await renderPlayground({ history });
    expect(screen.getByText(/Runs cannot be saved in this browser/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Train' }));
    expect(calls.some((c) => c.type === 'start')).toBe(true);
  });
});

describe('the time an evaluation has left', () => {
  it('extrapolates the pace so far, and waits for a first episode and a second of it', () => {
    expect(evaluationTimeLeft({ done: 100, total: 600, startedAt: 0 }, 10_000)).toBe('about 50 s left');
    expect(evaluationTimeLeft({ done: 60, total: 600, startedAt: 0 }, 60_000)).toBe('about 9 min left');
    expect(evaluationTimeLeft({ done: 0, total: 600, startedAt: 0 }, 30_000)).toBe('estimating the time left');
    expect(evaluationTimeLeft({ done: 5, total: 600, startedAt: 0 }, 500)).toBe('estimating the time left');
  });
});
