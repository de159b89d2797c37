// The playground as a new user meets it, in Debian's Chromium on the production build: open the
// page, press Train with the defaults, watch the curve grow with the backend named, pause, resume,
// stop, look at a test episode, evaluate and read mean ± CI, reload and find the run; impossible
// settings answered next to their control by the real worker; sine regression with its plot;
// Omniglot downloaded on request and loaded again from the browser's cache. (Two runs compared on
// identical episodes, with the keyboard alone: screens.test.ts.) Screenshots of each stage go to
// artifacts/screenshots.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, runLine, screenshot, stepOf } from '../../src/node/browser';
import { appInChromium } from './appInChromium';
import { OMNIGLOT_BACKGROUND_URL } from '../../src/ui/datasets/omniglotArchive';
import { buildOmniglotZip } from '../unit/fixtures/omniglot';

const app = appInChromium();

async function open(context?: BrowserContext): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const ctx = context ?? (await app.browser.newContext({ viewport: { width: 1280, height: 800 } }));
  const requests: string[] = [];
  ctx.on('request', (r) => requests.push(r.url()));
  const opened = await openPage(ctx, app.server.url);
  return { ...opened, requests };
}

const evaluationRegion = (page: Page) => page.getByRole('region', { name: 'Evaluation on held-out classes' });

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

describe('the playground in Chromium (production build)', () => {
  it('trains with the defaults, pauses, resumes, stops, shows an episode, evaluates, and keeps the run after a reload', async () => {
    const { page, errors, requests } = await open();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: wasm \(SIMD, \d threads?.*\)\. Why: /); // 1 thread on a 2-core machine
    // What a sighted user sees is a one-line chip; its disclosure lists why (driver names and all).
    const chip = page.locator('.backend-chip > summary');
    expect(await chip.locator('.backend-chip__text').innerText()).toMatch(/^WASM · SIMD · \d threads?$/);
    expect((await chip.boundingBox())!.height).toBeLessThan(40);
    // On the title's line, not below it: the header is no taller than the title and tagline.
    const titleBlock = (await page.locator('.app__header > div').first().boundingBox())!;
    const h1 = (await page.getByRole('heading', { level: 1 }).boundingBox())!;
    expect((await page.locator('.status-bar').boundingBox())!.y).toBeLessThan(h1.y + h1.height);
    expect((await page.locator('.app__header').boundingBox())!.height).toBeLessThanOrEqual(titleBlock.height + 1);
    const trainTop = (await page.getByRole('button', { name: 'Train' }).boundingBox())!.y;
    await chip.click();
    await expect.poll(() => page.locator('.backend-chip__why').innerText()).toMatch(/Why:[\s\S]*WebGPU/);
    expect((await page.getByRole('button', { name: 'Train' }).boundingBox())!.y).toBe(trainTop); // opens over the page
    await chip.click();
    expect(await page.getByLabel('Dataset').inputValue()).toBe('glyphs');
    expect(await page.getByLabel('Method').inputValue()).toBe('protonet');
    await screenshot(page, 'playground-1-opened');

    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(async () => stepOf(await runLine(page)), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    const summary = page.getByText(/^Step \d+: loss \d/);
    const firstStep = stepOf((await summary.textContent()) ?? '');
    await expect.poll(async () => stepOf((await summary.textContent()) ?? ''), { timeout: 60_000 }).toBeGreaterThan(firstStep + 2);
    // The curve is drawn: an SVG line with one point per step so far.
    expect(await page.locator('.training-charts .plot__line').count()).toBeGreaterThan(0);
    expect(await runLine(page)).toMatch(/Prototypical Networks 5-way 1-shot #1: training, step \d+ of 300/);
    expect(await page.locator('.run-progress__numbers').textContent()).toMatch(/(steps\/s|s per step) · about .* left/);
    await screenshot(page, 'playground-2-training');

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => runLine(page), { timeout: 30_000 }).toMatch(/paused at step \d+ of 300/);
    const paused = stepOf(await runLine(page));
    await page.waitForTimeout(1500);
    expect(stepOf(await runLine(page))).toBe(paused);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => stepOf(await runLine(page)), { timeout: 60_000 }).toBeGreaterThan(paused);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => runLine(page), { timeout: 60_000 }).toMatch(/stopped at step \d+ of 300/);
    const stoppedAt = stepOf(await runLine(page));

    // The first test episode is shown once the run ends: 5 classes x 1 support image, 75 queries marked right or wrong.
    await expect.poll(() => page.getByRole('img', { name: /^support image/ }).count(), { timeout: 60_000 }).toBe(5);
    const queries = page.getByRole('img', { name: /^query \d+: predicted .*, (right|wrong)$/ });
    expect(await queries.count()).toBe(75);
    expect(await page.getByText(/Episode accuracy: \d+\.\d% \(\d+ of 75 queries right\)/).count()).toBe(1);
    expect(await page.getByText(/PC 1 \(\d+% of variance\)/).count()).toBeGreaterThan(0);
    await screenshot(page, 'playground-3-stopped-episode');
    const firstQuery = await queries.first().getAttribute('src');
    // What the model predicts on the first test episode, to compare with the run brought back after a reload.
    const predictionsBefore = await queries.evaluateAll((images) => images.map((i) => i.getAttribute('alt')));
    await page.getByRole('button', { name: 'New episode' }).click();
    await expect.poll(() => queries.first().getAttribute('src'), { timeout: 60_000 }).not.toBe(firstQuery);

    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => evaluationRegion(page).textContent(), { timeout: 400_000 }).toMatch(/Accuracy: \d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
    const evaluated = (await evaluationRegion(page).textContent())!;
    expect(evaluated).toMatch(/5-way 1-shot, 15 queries per class; 600 episodes \(seed 2017\) of the test split's \d+ classes; batch norm at test: running averages/);
    const accuracy = /Accuracy: (\d+\.\d\d% ± \d+\.\d\d%)/.exec(evaluated)![1];
    // Trained, even briefly, ProtoNet is well above chance (20%) on held-out glyph classes.
    expect(Number(accuracy.split('%')[0])).toBeGreaterThan(30);
    await screenshot(page, 'playground-4-evaluated');

    await page.reload();
    const history = page.getByRole('region', { name: 'Run history' });
    await expect.poll(() => history.textContent(), { timeout: 30_000 }).toContain('Prototypical Networks 5-way 1-shot #1');
    expect(await history.textContent()).toContain(`stopped after ${stoppedAt} steps`);
    expect(await history.textContent()).toContain(`${accuracy} on 600 test episodes`);
    // The curves came back from IndexedDB too.
    await expect.poll(() => page.getByText(new RegExp(`^Step ${stoppedAt}: loss`)).count(), { timeout: 10_000 }).toBe(1);
    expect(await history.textContent()).toMatch(new RegExp(`state kept at step ${stoppedAt} \\(\\d+ kB\\)`));
    await screenshot(page, 'playground-5-reloaded');
    // Its trained state was kept: the worker gets it back and predicts exactly as before the reload.
    await page.getByRole('button', { name: 'Show a test episode' }).click();
    await expect.poll(() => queries.count(), { timeout: 60_000 }).toBe(75);
    expect(await queries.evaluateAll((images) => images.map((i) => i.getAttribute('alt')))).toEqual(predictionsBefore);
    expect(await page.getByRole('button', { name: 'Evaluate' }).isEnabled()).toBe(true);

    // Nothing left the machine: every request went to the app's own server.
    expect(requests.filter((url) => !url.startsWith(app.server.url) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('asks before leaving while training; after a reload the run is interrupted, kept at a checkpoint, and resumes from it', async () => {
    const { page, errors } = await open();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: wasm/);
    await page.getByRole('button', { name: 'Train' }).click();
    const history = page.getByRole('region', { name: 'Run history' });
    // The first checkpoint is kept as soon as the worker sends one.
    await expect.poll(() => history.textContent(), { timeout: 120_000 }).toMatch(/state kept at step \d+/);
    const leaveAsks = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true });
        window.dispatchEvent(event);
        return event.defaultPrevented;
      });
    expect(await leaveAsks()).toBe(true);
    await expect.poll(async () => stepOf(await runLine(page)), { timeout: 60_000 }).toBeGreaterThan(Number(/state kept at step (\d+)/.exec((await history.textContent())!)![1]));
    // The browser's own "Leave site?" question is accepted, as a user reloading would.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await expect.poll(() => runLine(page), { timeout: 30_000 }).toMatch(/interrupted at step \d+ of 300/);
    const interruptedAt = stepOf(await runLine(page));
    const alert = (await page.getByText(/^Interrupted at step \d+/).textContent())!;
    const keptAt = Number(/\(kept at step (\d+)\)/.exec(alert)![1]);
    expect(alert).toContain(`Interrupted at step ${interruptedAt} (kept at step ${keptAt})`);
    expect(keptAt).toBeGreaterThan(0);
    expect(keptAt).toBeLessThanOrEqual(interruptedAt);
    expect(await leaveAsks()).toBe(false);
    await screenshot(page, 'playground-interrupted');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => stepOf(await runLine(page)), { timeout: 120_000 }).toBeGreaterThan(interruptedAt);
    expect(await runLine(page)).toMatch(/training, step \d+ of 300/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => runLine(page), { timeout: 60_000 }).toMatch(/stopped at step \d+ of 300/);
    // One point per step: none lost across the reload, none twice.
    const steps = await page.evaluate(() => {
      const { store } = (window as unknown as { fewShotLab: { store: { getState(): { runs: { points: { step: number }[] }[] } } } }).fewShotLab;
      return store.getState().runs[0].points.map((p) => p.step);
    });
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('answers impossible settings next to their control: from the page, and from the worker against the dataset', async () => {
    const { page, errors } = await open();
    await setNumber(page, 'Shots (K)', 0);
    expect(await page.getByLabel('Shots (K)').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.getByLabel('Shots (K)').evaluate((el) => (el as HTMLInputElement).getAttribute('aria-describedby'))).toBeTruthy();
    expect(await page.getByRole('alert').filter({ hasText: 'Shots (K) must be a whole number of at least 1' }).count()).toBe(1);
    await setNumber(page, 'Shots (K)', 1);

    // Glyphs has 800 classes in 40 alphabets; the test split's 20% hold 160 of them. The page checks
    // the setting against the loaded dataset as it is typed, and Train is off until it is fixed.
    await setNumber(page, 'Ways (N)', 500);
    const message = page.getByRole('alert').filter({ hasText: 'Ways (N) is 500 but the test split has 160 classes: choose at most 160, or give the test split a bigger share.' });
    await expect.poll(() => message.count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByRole('button', { name: 'Train' }).getAttribute('aria-disabled')).toBe('true');
    // The message is the Ways field's own description.
    const describedBy = (await page.getByLabel('Ways (N)').getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent()).toMatch(/Ways \(N\) is 500 but the test split has 160 classes/);
    await screenshot(page, 'playground-6-impossible-setting');
    // On a tablet the panels stack in one column, the run controls first (Train works with the
    // defaults; the state and result stay at the top), and nothing is wider than the screen.
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    const [panel, run] = await Promise.all([page.getByRole('form', { name: 'Experiment setup' }).boundingBox(), page.getByRole('region', { name: 'Run', exact: true }).boundingBox()]);
    expect(panel!.y).toBeGreaterThan(run!.y + run!.height - 1);
    await screenshot(page, 'playground-6b-tablet');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a shared link with the same setup, says what it ignored, and keeps the URL in step with the controls', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${app.server.url}?method=maml&shot=5&way=abc&h.innerLearningRate=0.1&embed=1`);
    await page.getByRole('button', { name: 'Train' }).waitFor();
    expect(await page.getByLabel('Method').inputValue()).toBe('maml');
    expect(await page.getByLabel('Shots (K)').inputValue()).toBe('5');
    expect(await page.getByLabel('Ways (N)').inputValue()).toBe('5');
    expect(await page.getByLabel(/^Inner learning rate \(α\)/).inputValue()).toBe('0.1');
    expect(await page.getByRole('alert').filter({ hasText: 'Ignored "way=abc" in the link: Ways (N) must be a whole number' }).count()).toBe(1);
    await page.getByLabel('Ways (N)').fill('3');
    await expect.poll(() => new URL(page.url()).search).toBe('?embed=1&way=3&shot=5&method=maml&h.innerLearningRate=0.1');
    // The link reproduces the setup in a new page.
    const again = await context.newPage();
    await again.goto(page.url());
    await again.getByRole('button', { name: 'Train' }).waitFor();
    expect(await again.getByLabel('Ways (N)').inputValue()).toBe('3');
    expect(await again.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is driven by the host page of examples/embed.html through postMessage, with chosen controls hidden', async () => {
    const { page, errors } = await open();
    await page.goto(`${app.server.url}examples/embed.html`);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Playground ready.');
    const frame = page.frameLocator('#playground');
    // Compact: the history and the presets are hidden, the full playground is one link away.
    expect(await frame.getByRole('region', { name: 'Run history' }).count()).toBe(0);
    expect(await frame.getByLabel('Guided preset').count()).toBe(0);
    expect(await frame.getByRole('link', { name: 'Open in the full playground' }).getAttribute('href')).not.toMatch(/embed|origin/);
    await page.getByRole('button', { name: 'Set 5-shot' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Setup: 5-way 5-shot/);
    expect(await frame.getByLabel('Shots (K)').inputValue()).toBe('5');
    // Any setup field goes through the same request: 100 test episodes keep this test short.
    await page.evaluate(() => {
      const playground = (document.getElementById('playground') as HTMLIFrameElement).contentWindow!;
      playground.postMessage({ source: 'few-shot-lab', version: 1, type: 'setConfig', requestId: 1000, setup: { evalEpisodes: 100 } }, location.origin);
    });
    await expect.poll(() => frame.getByLabel('Test episodes').inputValue()).toBe('100');
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => page.locator('#progressText').textContent(), { timeout: 120_000 }).toMatch(/^step [3-9]\d* of 300, loss \d/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^Run stopped/);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => status.textContent(), { timeout: 400_000 }).toMatch(/^Evaluation: \d+\.\d+% ± \d+\.\d+% over 100 episodes \(5-way 5-shot\)\.$/);
    await screenshot(page, 'playground-12-embedded');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('ignores a host whose origin the embed URL does not allow', async () => {
    const { page, errors } = await open();
    // The example page, but its embed URL allows another site instead of this page's origin.
    await page.route('**/examples/embed.html', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace("origin: location.origin", "origin: 'https://course.example.org'");
      await route.fulfill({ response, body });
    });
    await page.goto(`${app.server.url}examples/embed.html`);
    const frame = page.frameLocator('#playground');
    await frame.getByRole('button', { name: 'Train' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#playground').getAttribute('src')).toContain('origin=https%3A%2F%2Fcourse.example.org');
    // The playground never says ready to this page, and a start request from it changes nothing.
    await page.evaluate(() => {
      const target = (document.getElementById('playground') as HTMLIFrameElement).contentWindow!;
      target.postMessage({ source: 'few-shot-lab', version: 1, type: 'start' }, '*');
    });
    await page.waitForTimeout(3000);
    expect(await page.locator('#status').textContent()).toBe('Waiting for the playground to load…');
    expect(await frame.locator('.run-progress__label').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fits sine waves with MAML, plots the fit after each step and reports the MSE', async () => {
    const { page, errors } = await open();
    await page.getByLabel('Dataset').selectOption('sinusoid');
    expect(await page.getByLabel('Method').inputValue()).toBe('maml');
    await setNumber(page, 'Training steps', 40);
    await setNumber(page, 'Test tasks', 100);
    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => runLine(page), { timeout: 180_000 }).toMatch(/MAML sine K=10 #1: done, step 40 of 40/);
    await expect.poll(() => page.getByText(/K = 10 support points; MSE on the curve after 0 steps [\d.]+, .*after 10 steps [\d.]+/).count(), { timeout: 60_000 }).toBe(1);
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Evaluation on new tasks' }).textContent(), { timeout: 120_000 }).toMatch(/MSE after 1 step: [\d.]+ ± [\d.]+ \(95% CI\).*MSE after 10 steps: [\d.]+ ± [\d.]+/);
    await screenshot(page, 'playground-7-sine');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('ends a blown-up sine run as diverged at the step its chart shows, names the rate, and keeps the loss axis readable', async () => {
    const { page, errors } = await open();
    await page.getByLabel('Dataset').selectOption('sinusoid');
    await setNumber(page, 'Training steps', 40);
    await setNumber(page, 'Inner learning rate (α)', 10);
    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/diverged at step \d+ of 40/);
    const step = stepOf(await runLine(page));
    const alert = (await page.getByRole('alert').filter({ hasText: 'diverged' }).first().textContent())!;
    expect(alert).toContain(`diverged at step ${step}`);
    expect(alert).toMatch(/inner learning rate \(innerLearningRate, now 10\)/); // the control's words, then the code name for links and the CLI
    // The training charts' axes: no negative tick (loss and MSE cannot be), no label cut to digits.
    const lossTicks = page.locator('.training-charts .plot__tick');
    await expect.poll(() => lossTicks.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const ticks = await lossTicks.allTextContents();
    expect(ticks.filter((t) => t.trim().startsWith('-') || t.trim().startsWith('−'))).toEqual([]);
    expect(ticks.every((t) => t.length <= 8)).toBe(true);
    await screenshot(page, 'playground-7b-sine-diverged');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('downloads Omniglot on request with its size and progress, caches it, and loads it again without the network', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The official archive, answered locally: a small archive in the official layout (tests never download).
    let downloads = 0;
    const archive = Buffer.from(buildOmniglotZip());
    await context.route(OMNIGLOT_BACKGROUND_URL, (route) => {
      downloads++;
      return route.fulfill({ status: 200, body: archive, headers: { 'Content-Type': 'application/zip', 'Access-Control-Allow-Origin': '*' } });
    });
    const { page, errors } = await open(context);
    await page.getByLabel('Dataset').selectOption('omniglot');
    const download = page.getByRole('button', { name: /^Download Omniglot \(\d+\.\d MB\)$/ });
    expect(await download.count()).toBe(1);
    await screenshot(page, 'playground-9-omniglot-offer');
    await download.click();
    await expect.poll(() => page.getByText(/^9 classes in 3 groups, 35 images of 28×28×1\.$/).count(), { timeout: 60_000 }).toBe(1);
    expect(downloads).toBe(1);
    // The planted broken PNG is reported, and the rest loaded.
    expect(await page.getByText('One file was skipped (the rest loaded)').count()).toBe(1);
    await screenshot(page, 'playground-10-omniglot-loaded');

    // A new visit: the archive comes from IndexedDB; the network is not asked again.
    await page.close();
    const again = await openPage(context, app.server.url);
    await again.page.getByLabel('Dataset').selectOption('omniglot');
    await again.page.getByRole('button', { name: 'Load Omniglot from this browser' }).click();
    await expect.poll(() => again.page.getByText(/^9 classes in 3 groups/).count(), { timeout: 60_000 }).toBe(1);
    expect(downloads).toBe(1);
    // Three alphabets cannot hold a 5-way test split: said next to Ways (N) once it is loaded, and Train is off.
    await expect.poll(() => again.page.getByRole('alert').filter({ hasText: /^Ways \(N\) is 5 but the test split has \d classes?: choose at most \d/ }).count(), { timeout: 60_000 }).toBe(1);
    expect(await again.page.getByRole('button', { name: 'Train' }).getAttribute('aria-disabled')).toBe('true');
    await screenshot(again.page, 'playground-11-omniglot-too-few-classes');
    expect([...errors, ...again.errors]).toEqual([]);
    await context.close();
  });
});
