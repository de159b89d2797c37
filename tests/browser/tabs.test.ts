// Two tabs of the playground in one browser profile, in Debian's Chromium on the production build:
// they share the run history (IndexedDB) but each trains in its own worker. A tab opened while the
// other trains must show that run as training elsewhere (the Web Lock it holds), not take it for a
// run cut off by a closed page; once the first tab is gone, a reload finds the run interrupted.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, runLine, screenshot, stepOf } from '../../src/node/browser';
import { appInChromium } from './appInChromium';

const app = appInChromium();

describe('two tabs', () => {
  it('a second tab leaves the first tab’s training run alone; after the first tab closes the run is interrupted', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const first = await openPage(context, app.server.url);
    await expect.poll(() => first.page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: /);
    await first.page.getByRole('button', { name: 'Train' }).click();
    const history = (page: Page) => page.getByRole('region', { name: 'Run history' });
    // Saved to the shared history (a run is saved when it starts and as it trains).
    await expect.poll(async () => stepOf(await runLine(first.page)), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);

    const second = await openPage(context, app.server.url);
    await expect.poll(() => history(second.page).textContent(), { timeout: 30_000 }).toContain('Prototypical Networks 5-way 1-shot #1');
    expect(await history(second.page).textContent()).toContain('training after');
    expect(await history(second.page).textContent()).not.toContain('interrupted');
    expect(await second.page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    expect(await second.page.getByText(/^Training in another tab of this browser/).count()).toBe(1);
    await screenshot(second.page, 'tabs-second-tab');

    // The first tab goes away while training: its lock goes with it.
    first.page.on('dialog', (dialog) => void dialog.accept());
    await first.page.close({ runBeforeUnload: true });
    await second.page.reload();
    await expect.poll(() => history(second.page).textContent(), { timeout: 30_000 }).toContain('interrupted after');
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    await context.close();
  });
});
