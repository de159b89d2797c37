// @vitest-environment jsdom
// Importing a run's JSON file through the Run history panel (the real panel and store, the scripted
// worker client and an in-memory history): the run appears in the list and is saved, the same file
// again changes nothing and says so, a different run with a taken id is added as a copy, a broken
// file is refused with its message shown in the panel, and an imported run is not live.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { summarise } from '../../../src/core/train/stats';
import { runToJson } from '../../../src/ui/history/exportRun';
import { StoreContext } from '../../../src/ui/state/context';
import type { StoredRun } from '../../../src/ui/state/runTypes';
import { DEFAULT_SETUP } from '../../../src/ui/state/setup';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { HistoryPanel } from '../../../src/ui/views/history/HistoryPanel';
import { accuracyEvaluation, scriptedClient } from './fixtures/scriptedClient';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';



/** A colleague's MAML run: 50 steps and one evaluation on 100 episodes. */
function colleaguesRun(overrides: Partial<StoredRun> = {}): StoredRun {
  const perEpisode = Array.from({ length: 100 }, (_, i) => (i % 5) / 4);
  return {
    id: 'run-colleague-1',
    name: 'MAML 5-way 1-shot (Ana)',
    createdAt: Date.UTC(2024, 2, 3, 4, 5, 6),
    setup: { ...DEFAULT_SETUP, method: 'maml', steps: 50 },
    datasetLabel: 'glyphs (120 classes, 28x28x1)',
    status: 'done',
    points: Array.from({ length: 50 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1), accuracy: 0.2 + i / 100, learningRate: 0.003, elapsed: (i + 1) * 0.25 })),
    validation: [{ step: 50, metric: 'accuracy', summary: summarise([0.5, 0.75, 1]) }],
    progress: { step: 50, totalSteps: 50, stepsPerSecond: 0, etaSeconds: 0 },
    metaBatch: 4,
    backend: { backend: 'webgl', info: 'WebGL 2', reason: 'no WebGPU adapter' },
    seconds: 12.5,
    evaluations: [{ ...accuracyEvaluation('run-colleague-1', perEpisode), seed: 2017 }],
    ...overrides,
  };
}

function jsonFile(text: string, name: string): File {
  return new File([text], name, { type: 'application/json' });
}

async function renderHistory(initial: StoredRun[] = []) {
  const scripted = scriptedClient();
  const history = memoryHistory(initial);
  let t = 1_700_000_000_000;
  const store = createPlaygroundStore({ client: scripted.client, history, omniglot: noOmniglot, now: () => (t += 1000) });
  render(
    <StoreContext.Provider value={store}>
      <HistoryPanel />
    </StoreContext.Provider>,
  );
  await act(() => store.getState().start());
  const input = screen.getByLabelText('Import run (JSON)');
  const user = userEvent.setup();
  /** Chooses the file in the import control and waits until it has been read and imported. */
  const upload = async (file: File) => {
    await user.upload(input, file);
    await waitFor(() => expect(input).toBeEnabled());
  };
  return { store, history, input, upload, user };
}

const panel = () => screen.getByRole('region', { name: 'Run history' });

describe('importing a run into the Run history', () => {
  it('offers a file input for JSON in the panel header, named "Import run (JSON)"', async () => {
    const { input } = await renderHistory();
    expect(input).toHaveAttribute('type', 'file');
    expect(input).toHaveAttribute('accept', '.json,application/json');
    expect(within(panel()).getByLabelText('Import run (JSON)')).toBe(input);
    expect(input.closest('label')).toHaveTextContent('Import run (JSON)');
  });

  it('adds an imported file to the history and saves it; the same file again changes nothing and says so', async () => {
    const { store, history, upload } = await renderHistory();
    const run = colleaguesRun();
    const file = jsonFile(runToJson(run), 'ana-maml.json');
    await upload(file);

    const item = within(panel()).getByRole('listitem');
    expect(within(item).getByRole('button', { name: run.name })).toBeInTheDocument();
    expect(item).toHaveTextContent('glyphs (120 classes, 28x28x1) · done after 50 steps');
    expect(item).toHaveTextContent('imported from ana-maml.json');
    expect(item).toHaveAttribute('aria-current', 'true');
    expect(screen.queryByRole('alert')).toBeNull();
    // Saved with its curves and its evaluation's per-episode values, marked as imported.
    const saved = history.runs.get(run.id)!;
    expect(saved.points).toEqual(run.points);
    expect(saved.evaluations[0].results[0].perEpisode).toEqual(run.evaluations[0].results[0].perEpisode);
    expect(saved.imported?.fileName).toBe('ana-maml.json');
    // Not live: its weights are not in this page, so it cannot be evaluated.
    expect(store.getState().liveRunIds).not.toContain(run.id);
    await act(() => store.getState().evaluate(run.id));
    expect(store.getState().evaluation?.error).toMatch(/weights are not kept/);

    await upload(file);
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(`ana-maml.json is already in your history as "${run.name}"; nothing changed.`);
    expect(within(panel()).getAllByRole('listitem')).toHaveLength(1);
    expect(history.runs.size).toBe(1);
  });

  it('recognises a run already in the history even after it was renamed', async () => {
    const run = colleaguesRun();
    const { history, upload } = await renderHistory([{ ...run, name: 'my baseline' }]);
    await upload(jsonFile(runToJson(run), 'run.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent('run.json is already in your history as "my baseline"; nothing changed.');
    expect(history.runs.get(run.id)!.name).toBe('my baseline');
  });

  it('adds a different run with a taken id as a copy, and never overwrites the run in the history', async () => {
    const mine = colleaguesRun({ name: 'MAML 5-way 1-shot #1', seconds: 99 });
    const { history, upload } = await renderHistory([mine]);
    const theirs = colleaguesRun();
    await upload(jsonFile(runToJson(theirs), 'ana.json'));

    const items = within(panel()).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByRole('button', { name: 'MAML 5-way 1-shot (Ana) (imported)' })).toBeInTheDocument();
    expect(within(panel()).getByRole('alert')).toHaveTextContent(
      'Your history already has a different run with the id of "MAML 5-way 1-shot (Ana)"; the imported one was added as "MAML 5-way 1-shot (Ana) (imported)", and neither was changed.',
    );
    expect(history.runs.get(mine.id)).toEqual(mine);
    const copy = [...history.runs.values()].find((r) => r.id !== mine.id)!;
    expect(copy).toMatchObject({ name: 'MAML 5-way 1-shot (Ana) (imported)', seconds: 12.5 });
    expect(copy.evaluations[0].runId).toBe(copy.id);
    // The copy itself is now in the history: importing the file once more adds nothing.
    await upload(jsonFile(runToJson(theirs), 'ana.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent('ana.json is already in your history as "MAML 5-way 1-shot (Ana) (imported)"; nothing changed.');
    expect(history.runs.size).toBe(2);
  });

  it('shows why a broken file is refused, and adds nothing', async () => {
    const { history, upload } = await renderHistory();
    await upload(jsonFile('{"name": "notes"}', 'notes.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent(
      'notes.json is not a Few-Shot Lab run export (no "format": "few-shot-lab-run"); export a run from the Run history and import that file.',
    );
    const damaged = JSON.parse(runToJson(colleaguesRun()));
    damaged.evaluations[0].results[0].mean = 0.99;
    await upload(jsonFile(JSON.stringify(damaged), 'damaged.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent(/^damaged\.json is damaged: "evaluations\[0\]\.results\[0\]" says its mean is 0\.99 but its 100 per-episode values average/);
    await upload(jsonFile(runToJson(colleaguesRun()).slice(0, 200), 'cut.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent(/^cut\.json is not valid JSON \(/);
    expect(within(panel()).queryByRole('listitem')).toBeNull();
    expect(history.runs.size).toBe(0);

    // A good file afterwards clears the message.
    await upload(jsonFile(runToJson(colleaguesRun()), 'good.json'));
    expect(within(panel()).getAllByRole('listitem')).toHaveLength(1);
    expect(within(panel()).queryByRole('alert')).toBeNull();
  });

  it('says when the imported run could not be saved, and keeps it for this visit', async () => {
    const { history, store, upload } = await renderHistory();
    history.saveRun = async () => {
      throw new Error('The run could not be saved (QuotaExceededError); export it as JSON to keep it.');
    };
    await upload(jsonFile(runToJson(colleaguesRun()), 'run.json'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent('The run could not be saved (QuotaExceededError); export it as JSON to keep it.');
    expect(store.getState().runs.map((r) => r.id)).toEqual(['run-colleague-1']);
  });
});
