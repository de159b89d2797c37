// Browser plumbing for the browser tests and `npm run bench:browser`: serves the production build
// with `vite preview` on 127.0.0.1 (a free port, stopped by its own process id) and drives Debian's
// Chromium through playwright-core (CHROMIUM_PATH overrides /usr/bin/chromium). Screenshots go to
// artifacts/screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
  return path;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PreviewServer {
  url: string;
  stop(): Promise<void>;
}

/** `vite preview` of dist/ (run `npm run build` first), with the cross-origin isolation headers. */
export async function startPreview(options: { base?: string } = {}): Promise<PreviewServer> {
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) throw new Error('No production build in dist/: run `npm run build` first.');
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', ...(options.base ? ['--base', options.base] : [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}${options.base ?? '/'}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`vite preview did not start on ${url}.`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/**
 * Records the page's main-thread tasks over 50 ms ('longtask' entries) from before its own scripts
 * run, in window.longTasks (durations, ms); `takeLongTasks` reads and clears them.
 */
export async function observeLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { longTasks: number[]; longTaskObserver: PerformanceObserver };
    w.longTasks = [];
    w.longTaskObserver = new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration)));
    w.longTaskObserver.observe({ type: 'longtask', buffered: true });
  });
}

export async function takeLongTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { longTasks: number[]; longTaskObserver: PerformanceObserver };
    // Entries recorded but not yet delivered to the observer's callback count too.
    w.longTaskObserver.takeRecords().forEach((e) => w.longTasks.push(e.duration));
    return w.longTasks.splice(0);
  });
}

/**
 * Starts measuring the longest stall of the page's main thread, from the lateness of a 5 ms timer:
 * long-task entries exist only over 50 ms, this shows the longest task below that too (on a busy
 * machine it includes time the OS gave to other processes). The returned function stops and reads it.
 */
export async function probeStalls(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const w = window as unknown as { stall: { longest: number; timer: number } };
    let last = performance.now();
    w.stall = { longest: 0, timer: 0 };
    w.stall.timer = window.setInterval(() => {
      const t = performance.now();
      w.stall.longest = Math.max(w.stall.longest, t - last - 5);
      last = t;
    }, 5);
  });
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { stall: { longest: number; timer: number } };
      clearInterval(w.stall.timer);
      return w.stall.longest;
    });
}

/** The current run's line above its progress bar, e.g. "Prototypical Networks 5-way 1-shot #1: training, step 3 of 300". */
export async function runLine(page: Page): Promise<string> {
  return (await page.locator('.run-progress__label > span').first().textContent()) ?? '';
}

/** The step a run line names ("... step 1,200 of 3,000" -> 1200), 0 when it names none. */
export function stepOf(line: string): number {
  return Number(/step ([\d,]+)/.exec(line)?.[1].replace(/,/g, '') ?? 0);
}

/** The step in the page's run line ("... training, step 12 of 300"), 0 before the first. */
export async function pageStep(page: Page): Promise<number> {
  return stepOf(await runLine(page));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
