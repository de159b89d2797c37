// The static production build away from the server's root and away from the network, in Debian's
// Chromium: served under a sub-path (/course/week3/) it loads, picks the WASM backend, finds its
// worker and .wasm files and trains, requesting nothing outside that path; after a first visit the
// service worker (dist/sw.js) has cached the app, the server is gone and the browser is offline, and a
// reload still loads the page cross-origin isolated, picks the backend and trains on the glyphs.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, type PreviewServer, runLine, screenshot, startPreview } from '../../src/node/browser';

const BASE = '/course/week3/';
let browser: Browser;
const servers: PreviewServer[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
});

async function serve(): Promise<PreviewServer> {
  const server = await startPreview({ base: BASE });
  servers.push(server);
  return server;
}

const backendLine = (page: Page) => page.getByRole('status').first().textContent().then((t) => t ?? '');
const offlineLine = (page: Page) => page.getByTestId('offline-indicator').textContent().then((t) => t ?? '', () => '');

/** Backend chosen, then a 3-step run of the default glyphs setup to the end. */
async function trainThreeSteps(page: Page): Promise<void> {
  await expect.poll(() => backendLine(page), { timeout: 60_000 }).toMatch(/Backend: wasm/);
  expect(await page.getByLabel('Dataset').inputValue()).toBe('glyphs');
  await page.getByLabel('Training steps', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect.poll(() => runLine(page), { timeout: 120_000 }).toMatch(/: done, step 3 of 3/);
}

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 } });
}

describe('the production build away from the root and offline (Chromium)', () => {
  it('served from a sub-path: loads, picks the WASM backend, trains 3 steps, and requests nothing outside the sub-path', async () => {
    const server = await serve();
    expect(server.url).toMatch(/\/course\/week3\/$/);
    const context = await newContext();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const failed: string[] = [];
    context.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    const { page, errors } = await openPage(context, server.url);

    await trainThreeSteps(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => offlineLine(page), { timeout: 60_000 }).toMatch(/^Offline ready: app, WASM and glyphs cached \(\d+\.\d MB\)$/);
    await screenshot(page, 'offline-1-subpath');

    const network = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:'));
    // The page, its scripts and styles, the worker, the three .wasm binaries and sw.js, all under the sub-path.
    expect(network.filter((url) => !url.startsWith(server.url))).toEqual([]);
    expect(network.some((url) => /\/course\/week3\/assets\/entry-[\w-]+\.js$/.test(url))).toBe(true);
    expect(network.some((url) => /\/course\/week3\/assets\/tfjs-backend-wasm[\w-]*\.wasm$/.test(url))).toBe(true);
    expect(network.some((url) => url === `${server.url}sw.js`)).toBe(true);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offline reload: after a first visit the page loads from the service worker cache, stays cross-origin isolated and trains', async () => {
    const server = await serve();
    const context = await newContext();
    const { page, errors } = await openPage(context, server.url);
    await expect.poll(() => backendLine(page), { timeout: 60_000 }).toMatch(/Backend: wasm/);
    await expect.poll(() => offlineLine(page), { timeout: 60_000 }).toMatch(/^Offline ready: /);
    const tooltip = (await page.getByTestId('offline-indicator').getAttribute('title')) ?? '';
    expect(tooltip).toMatch(/WASM binaries: 3 \(/);
    expect(tooltip).toMatch(/glyphs dataset/);
    // The page is controlled by the service worker (clients.claim on activate).
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('few-shot-lab-offline-'))!);
      return (await cache.keys()).map((r) => r.url);
    });
    expect(cached.filter((url) => url.endsWith('.wasm'))).toHaveLength(3);
    expect(cached).toContain(`${server.url}index.html`);

    // Offline for real: the browser has no network and the server is gone.
    await context.setOffline(true);
    await server.stop();
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await trainThreeSteps(page);
    // Threads survive offline: the backend line still names them.
    expect(await backendLine(page)).toMatch(/Backend: wasm \(SIMD, \d threads/);
    await expect.poll(() => offlineLine(page), { timeout: 30_000 }).toMatch(/^Offline ready: /);
    await screenshot(page, 'offline-2-offline-reload');
    expect(errors).toEqual([]);
    await context.close();
  });
});
