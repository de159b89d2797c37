// The compute worker in a real browser (Debian's Chromium) on the production build: automatic
// backend choice on this GPU-less machine, every backend forced in turn, the main thread kept free
// while training, and recovery from a backend failure and from a crashed worker. Runs through the
// page's own compute client (window.fewShotLab.client) and the playground's controls.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { observeLongTasks, openPage, pageStep, probeStalls, runLine, screenshot, takeLongTasks } from '../../src/node/browser';
import { appInChromium } from './appInChromium';
import type { ComputeClient } from '../../src/worker/client';

// WebGPU is exposed (on SwiftShader) so the chooser has a software adapter to turn down.
const app = appInChromium(['--enable-unsafe-webgpu']);

type Window = { fewShotLab: { client: ComputeClient } };

/** A fresh page, with a long-task observer installed before the app's scripts run. */
async function freshPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await observeLongTasks(context);
  const opened = await openPage(context, app.server.url);
  // The playground chooses a backend as it opens; tests that choose their own wait for it first.
  await expect.poll(() => opened.page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: \w+ \(/);
  return opened;
}


const tinyRun = (steps: number) => ({ datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 2 }, method: 'protonet', steps, seed: 3 });

describe('compute worker in Chromium (production build)', () => {
  it('picks wasm automatically on a machine without a GPU, says why, and trains from the page', async () => {
    const { page, errors } = await freshPage();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.getByLabel('Training steps').fill('8');
    await page.getByLabel('Test episodes').fill('100');
    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: wasm/);
    const status = (await page.getByRole('status').first().textContent())!;
    // The reason names the software adapters it turned down.
    expect(status).toMatch(/Why: WebGPU adapter is a software fallback.*WebGL renderer is software \(.*SwiftShader/);
    expect(status).toMatch(/SIMD, [2-9] threads/); // threaded wasm in the cross-origin isolated build
    await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/: done, step 8 of 8/);
    await screenshot(page, 'runtime-1-trained');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const evaluation = page.getByRole('region', { name: 'Evaluation on held-out classes' });
    await expect.poll(() => evaluation.textContent(), { timeout: 300_000 }).toMatch(/Accuracy: \d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
    await screenshot(page, 'runtime-2-evaluated');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('runs every backend when forced, and their first losses agree', async () => {
    const { page, errors } = await freshPage();
    const results = await page.evaluate(async (config) => {
      const client = (window as unknown as Window).fewShotLab.client;
      const out: Record<string, { info: string; losses: number[]; status: string }> = {};
      for (const backend of ['wasm', 'cpu', 'webgl', 'webgpu'] as const) {
        const chosen = await client.init(backend);
        await client.loadDataset('glyphs', { kind: 'glyphs' });
        const runId = `forced-${backend}`;
        const finished = client.finished(runId);
        await client.start(runId, config);
        const end = await finished;
        out[backend] = { info: `${chosen.backend}: ${chosen.info}`, losses: client.run(runId)!.points.map((p) => p.loss), status: end.status };
      }
      return out;
    }, tinyRun(2));
    console.log(JSON.stringify(results));
    const reference = results.wasm.losses;
    expect(reference).toHaveLength(2);
    for (const backend of ['cpu', 'webgl', 'webgpu']) {
      expect(results[backend].status).toBe('done');
      expect(results[backend].info.startsWith(backend)).toBe(true);
      // Step 1 is the loss of identical initial weights on an identical episode: only float32
      // summation order differs between backends (relative 1e-6 to 1e-5), so 1e-3 leaves room
      // for GPU reductions while catching any real difference in the computation. Step 2 follows
      // one Adam update, whose normalised step can amplify tiny gradient differences: 2e-2.
      expect(Math.abs(results[backend].losses[0] - reference[0]) / reference[0]).toBeLessThan(1e-3);
      expect(Math.abs(results[backend].losses[1] - reference[1]) / reference[1]).toBeLessThan(2e-2);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps the main thread free while training: no task over 50 ms', async () => {
    const { page } = await freshPage();
    const r = await page.evaluate(async (config) => {
      const client = (window as unknown as Window).fewShotLab.client;
      const w = window as unknown as { longTasks: number[]; longTaskObserver: PerformanceObserver };
      await client.init('wasm');
      await client.loadDataset('glyphs', { kind: 'glyphs' });
      w.longTasks.length = 0; // only what happens during training counts
      // Long-task entries exist only for tasks over 50 ms; a 5 ms timer's lateness also shows the
      // longest stall below that (logged only: on a loaded 2-core machine it includes time the OS
      // gave to other processes, which is not the page's doing).
      let stall = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const t = performance.now();
        stall = Math.max(stall, t - last - 5);
        last = t;
      }, 5);
      const finished = client.finished('smooth');
      await client.start('smooth', config);
      await finished;
      clearInterval(timer);
      // Entries recorded but not yet delivered to the observer's callback.
      w.longTaskObserver.takeRecords().forEach((e) => w.longTasks.push(e.duration));
      return { longest: Math.max(0, ...w.longTasks), stall };
    }, tinyRun(60));
    console.log(`while training: long tasks over 50 ms: longest ${r.longest.toFixed(0)} ms (0 = none); longest main-thread timer stall ${r.stall.toFixed(1)} ms`);
    expect(r.longest).toBeLessThanOrEqual(50);
    await page.context().close();
  });

  it('keeps the page itself smooth while the default run trains with its charts: no task over 50 ms', async () => {
    const { page, errors } = await freshPage();
    await page.getByRole('button', { name: 'Train' }).click();
    // The window opens once the curves are drawn: pressing Train (planning the run, first draw of
    // the charts) is the start, not the training. It closes after 30 more steps (about 8 s here).
    await expect.poll(() => pageStep(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    const charts = page.locator('.training-charts');
    await charts.locator('.plot__line').first().waitFor();
    await charts.scrollIntoViewIfNeeded(); // drawn where a person sees them, so painting counts too
    const from = await pageStep(page);
    await takeLongTasks(page); // only the training window counts
    const stall = await probeStalls(page);
    await expect.poll(() => pageStep(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(from + 30);
    const tasks = await takeLongTasks(page);
    const longest = Math.max(0, ...tasks);
    console.log(
      `page while training (steps ${from}-${from + 30}, charts drawn): ${tasks.length} long tasks, longest ${longest.toFixed(0)} ms (0 = none); longest timer stall ${(await stall()).toFixed(0)} ms (logged only)`,
    );
    await screenshot(page, 'runtime-3-smooth-training');
    expect(longest).toBeLessThanOrEqual(50);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  /**
   * Starts a long run, waits for its first checkpoint, injects `fault`, lets it train 20 more steps
   * after the recovery, and stops it: the run must be continuous over the failure.
   */
  async function faultRun(page: Page, fault: 'backend' | 'crash') {
    return page.evaluate(
      async ({ config, fault }) => {
        const client = (window as unknown as Window).fewShotLab.client;
        const notes: string[] = [];
        let recovered = false;
        client.on((e) => {
          if (e.type === 'warning' || e.type === 'restarted') {
            notes.push(e.message);
            recovered = true;
          }
        });
        await client.init('wasm');
        await client.loadDataset('glyphs', { kind: 'glyphs' });
        const finished = client.finished('fault');
        await client.start('fault', config);
        const stepAt = (): number => client.run('fault')!.points.at(-1)?.step ?? 0;
        const waitFor = (test: () => boolean) =>
          new Promise<void>((resolve) => {
            const off = client.on(() => {
              if (test()) {
                off();
                resolve();
              }
            });
          });
        await waitFor(() => client.run('fault')!.checkpoint !== null);
        const faultStep = stepAt();
        await client.injectFault(fault).catch(() => undefined); // a crashing worker may not answer
        await waitFor(() => recovered);
        const resumedFrom = stepAt();
        await waitFor(() => stepAt() >= resumedFrom + 20);
        await client.stop('fault');
        const end = await finished;
        return { end, faultStep, steps: client.run('fault')!.points.map((p) => p.step), notes, backend: client.backend };
      },
      { config: tinyRun(100_000), fault },
    );
  }

  it('falls back to the next backend when the backend fails mid-run, continuing the step count', async () => {
    const { page } = await freshPage();
    const r = await faultRun(page, 'backend');
    expect(r.notes.join('\n')).toMatch(/The wasm backend failed at step \d+ .*Training continues on cpu from its checkpoint at step \d+; the curve so far is kept/);
    expect(r.backend?.backend).toBe('cpu');
    expect(r.end.status).toBe('stopped');
    const last = r.steps.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(r.faultStep + 20);
    expect(r.steps).toEqual(Array.from({ length: last }, (_, i) => i + 1)); // continuous: nothing lost or repeated
    await page.context().close();
  });

  it('restarts a crashed worker and resumes the run from its checkpoint', async () => {
    const { page } = await freshPage();
    const r = await faultRun(page, 'crash');
    expect(r.notes.join('\n')).toMatch(/The compute worker crashed .* and was restarted; resumed fault from step \d+/);
    expect(r.end.status).toBe('stopped');
    const last = r.steps.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(r.faultStep + 20);
    expect(r.steps).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    await page.context().close();
  });
});
