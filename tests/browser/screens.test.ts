// Every screen of the app as people see it, in Debian's Chromium on the production build: the
// playground idle, training, evaluated and comparing (driven with the keyboard alone, every focus
// visible), "Your images" with a set of photos, and the embedded playground. On each: zero serious
// or critical axe-core violations; at 1280x800, 1920x1080, 768x1024 and 390x844 nothing wider than
// the window and the main parts not overlapping; on a laptop and a desktop the whole state of the
// experiment (setup, run controls with progress, the curves, the latest result) in the first
// window, no scrolling. Screenshots: artifacts/screenshots/screens/<screen>-<width>x<height>.png.
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, runLine } from '../../src/node/browser';
import { appInChromium } from './appInChromium';
import { focused, horizontalOverflow, inWindow, overflowingElements, overlaps, screenshotsAtEverySize, seriousViolations, tabTo, type Box } from '../../src/node/screens';
import { writePhotoFolder } from '../fixtures/photoFolder';

const app = appInChromium();

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  return openPage(context, `${app.server.url}${path}`);
}

/** The backend is chosen and the run controls say so (no "Starting the compute worker…" left), and the dataset is loaded. */
async function workerReady(page: Page): Promise<void> {
  await expect.poll(() => page.getByText(/\d+ classes in \d+ groups/).count(), { timeout: 60_000 }).toBe(1);
  await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: (?!choosing)/);
  await expect.poll(() => page.getByText('Starting the compute worker…').count(), { timeout: 60_000 }).toBe(0);
}


/**
 * Nothing sticks out sideways, and the given parts of the page (CSS selectors) do not lie over each
 * other as the page first shows (scrolled, the run strip stays on top of the page by design). The
 * boxes are read in one go, from one layout.
 */
async function expectTidy(page: Page, parts: string[]): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const size = `${page.viewportSize()!.width}x${page.viewportSize()!.height}`;
  if ((await horizontalOverflow(page)) > 0) expect.fail(`wider than the window at ${size}: ${(await overflowingElements(page)).join('; ')}`);
  const boxes: Box[] = await page.evaluate(
    (selectors) =>
      selectors
        .map((selector) => document.querySelector(selector)?.getBoundingClientRect())
        .filter((r) => r !== undefined && r.width > 0 && r.height > 0)
        .map((r) => ({ x: r!.x, y: r!.y, width: r!.width, height: r!.height })),
    parts,
  );
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i], boxes[j]), `parts ${i} and ${j} overlap at ${size}: ${JSON.stringify([boxes[i], boxes[j]])}`).toBe(false);
}

/** Each of these is wholly inside the window as the page first shows it (no scrolling). */
async function expectInFirstWindow(page: Page, parts: Record<string, Locator>): Promise<void> {
  // The page and the setup panel (which scrolls on its own) as they first show.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelector('form.controls')?.scrollTo(0, 0);
  });
  for (const [name, part] of Object.entries(parts)) {
    const where = await part.first().boundingBox();
    expect(await inWindow(page, where), `${name} in the first window of ${JSON.stringify(page.viewportSize())}: ${JSON.stringify(where)}`).toBe(true);
  }
}

const PLAYGROUND_PARTS = ['form.controls', '.run-strip', '.app__main'];

describe('every screen, at four sizes, accessible (Chromium, production build)', () => {
  it('the playground: idle, training, evaluated and compared, with the keyboard alone', async () => {
    const { page, errors } = await open('?steps=12&valEvery=5&evalEpisodes=100');
    await workerReady(page);
    const train = page.getByRole('button', { name: 'Train' });
    const setupParts = { dataset: page.getByLabel('Dataset'), method: page.getByLabel('Method', { exact: true }), train };
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'playground-idle', async (size) => {
      await expectTidy(page, PLAYGROUND_PARTS);
      if (size.width >= 1280) await expectInFirstWindow(page, setupParts);
    });

    // Keyboard only: Tab to Train, press Enter; every stop on the way shows its focus.
    expect((await tabTo(page, /^Train$/)).tag).toBe('button');
    await page.keyboard.press('Enter');
    await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/training, step ([5-9]|\d\d) of 12/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'playground-training', async (size) => {
      await expectTidy(page, PLAYGROUND_PARTS);
      if (size.width >= 1280) {
        await expectInFirstWindow(page, { ...setupParts, progress: page.getByRole('progressbar', { name: 'Training progress' }), loss: page.getByRole('figure', { name: 'Training loss per step' }), accuracy: page.getByRole('figure', { name: 'Accuracy per step' }) });
      }
    });
    await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/done, step 12 of 12/);

    // Evaluate is the next stop after Train (Pause and Stop are off once the run is done); its
    // progress shows right under it, in the first window.
    await page.evaluate(() => window.scrollTo(0, 0));
    expect((await focused(page))?.name).toBe('Train');
    expect((await tabTo(page, /^Evaluate$/, 3)).tag).toBe('button');
    await page.keyboard.press('Enter');
    const evaluationProgress = page.getByRole('progressbar', { name: 'Evaluation progress' });
    await expect.poll(() => evaluationProgress.count(), { timeout: 60_000 }).toBe(1);
    expect(await inWindow(page, await evaluationProgress.boundingBox())).toBe(true);
    const result = page.getByRole('region', { name: 'Evaluation on held-out classes' }).getByText(/^Accuracy: \d+\.\d\d% ± \d+\.\d\d%/);
    await expect.poll(() => result.count(), { timeout: 120_000 }).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'playground-evaluated', async (size) => {
      await expectTidy(page, PLAYGROUND_PARTS);
      if (size.width >= 1280) await expectInFirstWindow(page, { ...setupParts, result, loss: page.getByRole('figure', { name: 'Training loss per step' }) });
    });

    // A second run with 20 training ways, set, trained and evaluated from the keyboard; the two
    // are compared on identical episodes and the first is overlaid with Space.
    await page.evaluate(() => window.scrollTo(0, 0));
    await train.focus();
    for (let i = 0; i < 80 && !/^Training ways/.test((await focused(page))?.name ?? ''); i++) await page.keyboard.press('Shift+Tab');
    expect((await focused(page))?.name).toMatch(/^Training ways/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('20');
    await tabTo(page, /^Train$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/#2: done, step 12 of 12/);
    await tabTo(page, /^Evaluate$/, 3);
    await page.keyboard.press('Enter');
    const table = page.getByRole('table');
    await expect.poll(() => table.getByRole('row').count(), { timeout: 120_000 }).toBe(4); // header, two runs, footnote
    expect(await table.getByRole('row').nth(1).textContent()).toMatch(/#1.*baseline/);
    expect(await table.getByRole('row').nth(2).textContent()).toMatch(/#2\d+\.\d\d% ± \d+\.\d\d%[+−]\d+\.\d\d ± \d+\.\d\d points/);
    // Validation accuracy on held-out classes was measured along the way, with its CI.
    expect(await page.getByText(/validation \d+\.\d% ± \d+\.\d% at step 10/).count()).toBeGreaterThan(0);
    const overlay = await tabTo(page, /^Overlay$/, 200);
    expect(overlay.tag).toBe('input');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('list', { name: 'Runs' }).textContent()).toMatch(/#2.*#1/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'playground-compared', () => expectTidy(page, PLAYGROUND_PARTS));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('"Your images" with a set of photos', async () => {
    const folder = writePhotoFolder(join(mkdtempSync(join(tmpdir(), 'fsl-screens-')), 'photos'));
    const { page, errors } = await open('#your-images');
    await expect.poll(() => page.getByRole('heading', { name: '1. Your classes' }).count(), { timeout: 60_000 }).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Add images').setInputFiles(folder.root);
    await expect.poll(() => page.getByRole('listitem', { name: /^Class .*, \d+ images/ }).count(), { timeout: 60_000 }).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'your-images', () => expectTidy(page, ['.own__layout > :first-child', '.own__layout > .app__main']));
    expect(errors.filter((e) => !/broken\.png|notes\.txt/.test(e))).toEqual([]);
    await page.context().close();
  });

  it('the embedded playground', async () => {
    const { page, errors } = await open('?embed=1&steps=30');
    await workerReady(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotsAtEverySize(page, 'embed', async (size) => {
      await expectTidy(page, PLAYGROUND_PARTS);
      if (size.width >= 1280) await expectInFirstWindow(page, { train: page.getByRole('button', { name: 'Train' }), dataset: page.getByLabel('Dataset') });
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
