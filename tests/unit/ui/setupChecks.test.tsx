// @vitest-environment jsdom
// Settings checked as they are typed against the loaded dataset (issue 15): a setting the dataset
// cannot serve is marked at its control at once, checked again on every edit and when the dataset
// finishes loading, and Train stays off, saying why, until it is fixed. The dataset comes from a
// scripted worker whose summary is the glyphs' shape: 40 alphabets of 20 characters, 20 images each.
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StoreContext } from '../../../src/ui/state/context';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { App } from '../../../src/ui/views/App';
import type { DatasetSummary } from '../../../src/worker/protocol';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';
import { scriptedClient } from './fixtures/scriptedClient';

/** 40 groups of 20 classes of 20 images: a 70/10/20 split holds 560, 80 and 160 classes. */
const GLYPHS: DatasetSummary = {
  id: 'glyphs',
  name: 'glyphs',
  task: 'classification',
  classes: 800,
  groups: 40,
  images: 16_000,
  shape: [28, 28, 1],
  warnings: [],
  classList: Array.from({ length: 800 }, (_, i) => ({ name: `a${Math.floor(i / 20)}/c${i % 20}`, group: `a${Math.floor(i / 20)}`, count: 20 })),
};
const SINE: DatasetSummary = { id: 'sinusoid', name: 'Sine waves', task: 'regression', classes: 0, groups: 0, images: 0, shape: null, warnings: [] };

/** The playground with a worker that loads datasets when `release` lets it (at once by default). */
async function renderPlayground(options: { holdLoading?: boolean } = {}) {
  const scripted = scriptedClient();
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  scripted.client.loadDataset = async (id) => {
    scripted.calls.push({ type: 'loadDataset', args: [id] });
    if (options.holdLoading) await held;
    return id === 'sinusoid' ? SINE : { ...GLYPHS, id };
  };
  const store = createPlaygroundStore({ client: scripted.client, history: memoryHistory(), omniglot: noOmniglot });
  render(
    <StoreContext.Provider value={store}>
      <App omniglotSize={9_464_212} />
    </StoreContext.Provider>,
  );
  await act(() => store.getState().start());
  return { ...scripted, store, user: userEvent.setup(), release: () => act(release) };
}

async function enter(user: ReturnType<typeof userEvent.setup>, label: string, value: string) {
  const input = screen.getByLabelText(label);
  await user.clear(input);
  await user.type(input, value);
  return input;
}

const trainButton = () => screen.getByRole('button', { name: 'Train' });
const WAYS_500 = 'Ways (N) is 500 but the test split has 160 classes: choose at most 160, or give the test split a bigger share.';

describe('settings checked as they are typed', () => {
  it('flags Ways above the test classes at once, checks again on every edit, and keeps Train off until it is fixed', async () => {
    const { user, calls } = await renderPlayground();
    await screen.findByText(/^800 classes in 40 groups/);
    expect(trainButton()).not.toHaveAttribute('aria-disabled');

    const ways = await enter(user, 'Ways (N)', '500');
    expect(ways).toHaveAttribute('aria-invalid', 'true');
    expect(ways).toHaveAccessibleDescription(expect.stringContaining(WAYS_500));
    expect(trainButton()).toHaveAttribute('aria-disabled', 'true');
    expect(trainButton()).toHaveAccessibleDescription('To train, fix Ways (N) (marked in the panel).');
    await user.click(trainButton());
    expect(calls.some((c) => c.type === 'start')).toBe(false);

    // 161 is still one more than the test split holds: checked again, with the new number.
    await enter(user, 'Ways (N)', '161');
    expect(ways).toHaveAttribute('aria-invalid', 'true');
    expect(ways).toHaveAccessibleDescription(expect.stringContaining('Ways (N) is 161 but the test split has 160 classes: choose at most 160'));
    expect(trainButton()).toHaveAttribute('aria-disabled', 'true');

    await enter(user, 'Ways (N)', '5');
    expect(ways).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByText(/but the test split has/)).toBeNull();
    expect(trainButton()).not.toHaveAttribute('aria-disabled');
    expect(trainButton()).not.toHaveAccessibleDescription();
    await user.click(trainButton());
    await waitFor(() => expect(calls.some((c) => c.type === 'start')).toBe(true));
  });

  it('flags Shots (K) when K + Q is more than the images of the smallest class', async () => {
    const { user } = await renderPlayground();
    await screen.findByText(/^800 classes in 40 groups/);
    // 5 + 15 = 20 images: exactly what every class has.
    const shots = await enter(user, 'Shots (K)', '5');
    expect(shots).not.toHaveAttribute('aria-invalid');
    expect(trainButton()).not.toHaveAttribute('aria-disabled');

    await enter(user, 'Shots (K)', '6');
    expect(shots).toHaveAttribute('aria-invalid', 'true');
    expect(shots).toHaveAccessibleDescription(expect.stringMatching(/K\+Q = 6\+15 = 21 images.*so that K\+Q is at most 20/));
    expect(trainButton()).toHaveAttribute('aria-disabled', 'true');
    expect(trainButton()).toHaveAccessibleDescription('To train, fix Shots (K) (marked in the panel).');
    // Every setting to fix is named, in the panel's order.
    await enter(user, 'Ways (N)', '500');
    expect(trainButton()).toHaveAccessibleDescription('To train, fix Ways (N) and Shots (K) (marked in the panel).');
  });

  it('flags Ways against the validation split only while validation is on', async () => {
    const { user } = await renderPlayground();
    await screen.findByText(/^800 classes in 40 groups/);
    const ways = await enter(user, 'Ways (N)', '100');
    expect(ways).toHaveAccessibleDescription(expect.stringContaining('Ways (N) is 100 but the validation split has 80 classes: choose at most 80'));
    await enter(user, 'Validate every', '0');
    expect(ways).not.toHaveAttribute('aria-invalid');
    expect(trainButton()).not.toHaveAttribute('aria-disabled');
  });

  it('checks what was typed before the dataset loaded once it has loaded', async () => {
    const { user, release } = await renderPlayground({ holdLoading: true });
    const ways = await enter(user, 'Ways (N)', '500');
    // Nothing to check against yet.
    expect(ways).not.toHaveAttribute('aria-invalid');
    await release();
    await waitFor(() => expect(ways).toHaveAttribute('aria-invalid', 'true'));
    expect(ways).toHaveAccessibleDescription(expect.stringContaining(WAYS_500));
    expect(trainButton()).toHaveAttribute('aria-disabled', 'true');
  });

  it('has no class-based checks for sine-wave regression', async () => {
    const { user, calls } = await renderPlayground();
    await screen.findByText(/^800 classes in 40 groups/);
    await user.selectOptions(screen.getByLabelText('Dataset'), 'sinusoid');
    await screen.findByText(/^Sine tasks/);
    // 500 support and 500 query points are far more than any glyph class has images; sine tasks have no classes.
    const shots = await enter(user, 'Support points per task (K)', '500');
    const queries = await enter(user, 'Query points per task', '500');
    expect(screen.queryByLabelText('Ways (N)')).toBeNull();
    expect(shots).not.toHaveAttribute('aria-invalid');
    expect(queries).not.toHaveAttribute('aria-invalid');
    expect(trainButton()).not.toHaveAttribute('aria-disabled');
    await user.click(trainButton());
    await waitFor(() => expect(calls.some((c) => c.type === 'start')).toBe(true));
  });
});
