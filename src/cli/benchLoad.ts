// `npm run bench:load`: how heavy and how fast the production build's startup is. Part 1 reads dist/
// and reports the UI shell (the scripts the main thread loads at startup: the entry module, its
// modulepreloads and their static imports; not workers, not import() chunks) raw and gzipped, the
// CSS, the worker bundles for information, and whether tfjs leaked into the shell (exit code 1 if it
// did: tfjs belongs only in the compute worker). Part 2 serves dist/ with vite preview on 127.0.0.1
// and loads the page N times in fresh contexts of headless Chromium: first paint, first contentful
// paint, DOMContentLoaded, load, and when the "Train" button becomes visible. Prints markdown.
// The npm script builds first; this file assumes dist/ exists.
// Options: --runs N (default 5) --warmup N (default 1) --train-timeout SECONDS (default 30) --json FILE
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, ROOT, startPreview, type PreviewServer } from '../node/browser';
import { analyzeDist, summarize, TFJS_MARKERS, totalOf, type LoadAnalysis, type Sizes, type Summary } from '../node/loadMetrics';

const USAGE = 'Usage: npm run bench:load -- [--runs N] [--warmup N] [--train-timeout SECONDS] [--json FILE]';

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      'train-timeout': { type: 'string', default: '30' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got "${value}").\n${USAGE}`);
    return n;
  };
  return {
    runs: whole('runs', values.runs!, 1),
    warmup: whole('warmup', values.warmup!, 0),
    trainTimeoutMs: whole('train-timeout', values['train-timeout']!, 1) * 1000,
    json: values.json,
  };
}

/** One page load's timings in ms since navigation start (null when the page never produced it). */
interface LoadRun {
  firstPaint: number | null;
  firstContentfulPaint: number | null;
  domContentLoaded: number | null;
  load: number | null;
  trainVisible: number | null;
  /** How trainVisible was taken: at the animation frame that first found it, or by Playwright's polling (later, an upper bound). */
  trainVisibleBy: 'frame' | 'poll' | null;
  errors: string[];
}

// Code that runs in the page is written as strings: tsx compiles functions with esbuild's keepNames,
// which wraps inner functions in a __name() helper that does not exist in the page.

/**
 * Installed before the page's own scripts: on every animation frame (the moment before a paint, so
 * the first hit is the frame that shows it) look for a visible button named exactly "Train" and keep
 * that performance.now(). Animation frames only, not a MutationObserver, because checking visibility
 * forces layout and doing that on every parser mutation would slow the load being measured.
 */
const trainButtonWatcher = (timeoutMs: number) => `(() => {
  const state = { trainVisibleAt: null };
  window.__benchLoad = state;
  const nameOf = (el) =>
    (el.getAttribute('aria-label') ?? (el instanceof HTMLInputElement ? el.value : el.textContent) ?? '').replace(/\\s+/g, ' ').trim();
  const frame = () => {
    for (const el of document.querySelectorAll('button, [role="button"], input[type="button"], input[type="submit"]')) {
      if (nameOf(el) === 'Train' && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden') {
        state.trainVisibleAt = performance.now();
        return;
      }
    }
    if (performance.now() < ${timeoutMs}) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

/** Paint entries and loadEventEnd can land a moment after goto() returns. */
const TIMINGS_READY = `performance.getEntriesByType('paint').length >= 2 &&
  (performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? 0) > 0`;

const READ_TIMINGS = `(() => {
  const paint = (name) => performance.getEntriesByName(name, 'paint')[0]?.startTime ?? null;
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    firstPaint: paint('first-paint'),
    firstContentfulPaint: paint('first-contentful-paint'),
    domContentLoaded: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : null,
    load: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    trainVisibleAt: window.__benchLoad?.trainVisibleAt ?? null,
  };
})()`;

interface PageTimings {
  firstPaint: number | null;
  firstContentfulPaint: number | null;
  domContentLoaded: number | null;
  load: number | null;
  trainVisibleAt: number | null;
}

async function measureLoad(browser: Browser, url: string, trainTimeoutMs: number): Promise<LoadRun> {
  // A fresh context per load: empty HTTP cache, storage and service workers, like a first visit.
  const context = await browser.newContext();
  try {
    await context.addInitScript(trainButtonWatcher(trainTimeoutMs));
    const { page, errors } = await openPage(context, url); // resolves at the load event
    // Playwright's role query decides whether the button exists (it computes accessible names
    // properly); the in-page watcher above supplies the precise time.
    const train = page.getByRole('button', { name: 'Train', exact: true });
    // At least 1 ms: Playwright reads a timeout of 0 as "no timeout".
    const remaining = Math.max(1, trainTimeoutMs - (await page.evaluate<number>('performance.now()')));
    const found = await train
      .first()
      .waitFor({ state: 'visible', timeout: remaining })
      .then(() => true)
      .catch(() => false);
    const polledAt = found ? await page.evaluate<number>('performance.now()') : null;
    await page.waitForFunction(TIMINGS_READY, undefined, { timeout: 5000 }).catch(() => undefined);
    const timings = await page.evaluate<PageTimings>(READ_TIMINGS);
    const trainVisible = !found ? null : (timings.trainVisibleAt ?? polledAt);
    return {
      firstPaint: timings.firstPaint,
      firstContentfulPaint: timings.firstContentfulPaint,
      domContentLoaded: timings.domContentLoaded,
      load: timings.load,
      trainVisible,
      trainVisibleBy: !found ? null : timings.trainVisibleAt !== null ? 'frame' : 'poll',
      errors: [...errors],
    };
  } finally {
    await context.close();
  }
}

const bytes = (n: number) => n.toLocaleString('en-US');
const sizeCells = (s: Sizes) => `${bytes(s.raw)} | ${bytes(s.gzip)}`;
const ms = (n: number) => n.toFixed(0);

function printSizes(a: LoadAnalysis): void {
  const js = totalOf(a.shell);
  const css = totalOf(a.css);
  console.log('\n## UI shell: what the main thread loads at startup (production build)\n');
  console.log('| file | loaded as | raw bytes | gzip bytes |');
  console.log('|---|---|---:|---:|');
  for (const f of a.shell) console.log(`| ${f.file} | ${f.via}${f.from ? ` (from ${f.from})` : ''} | ${sizeCells(f)} |`);
  console.log(`| **shell JavaScript (${a.shell.length} file${a.shell.length === 1 ? '' : 's'})** | | **${bytes(js.raw)}** | **${bytes(js.gzip)}** |`);
  for (const f of a.css) console.log(`| ${f.file} | ${f.via} | ${sizeCells(f)} |`);
  console.log(`| **CSS (${a.css.length} file${a.css.length === 1 ? '' : 's'})** | | **${bytes(css.raw)}** | **${bytes(css.gzip)}** |`);
  console.log(`| ${a.html.file} | document | ${sizeCells(a.html)} |`);
  const all = totalOf([js, css, a.html]);
  console.log(`| **startup total (HTML + JS + CSS)** | | **${bytes(all.raw)}** | **${bytes(all.gzip)}** |`);
  console.log('\ngzip: node:zlib level 9, each file on its own (as served); totals are sums of the per-file sizes.');

  const tfjs = a.tfjsInShell.length
    ? `yes (${a.tfjsInShell.map((h) => `${h.file}: ${h.markers.join(', ')}`).join('; ')})`
    : 'no';
  console.log(`\n**tfjs in the shell: ${tfjs}**`);
  console.log(`Markers searched for: ${TFJS_MARKERS.map((m) => `\`${m.marker}\``).join(', ')} (present in the worker's tfjs chunks).`);

  console.log('\n## Not on the startup path (for information)\n');
  console.log('| bundle | files | raw bytes | gzip bytes |');
  console.log('|---|---|---:|---:|');
  for (const w of a.workers) {
    console.log(`| worker ${w.entry} (started by ${w.referencedBy}): entry + static imports | ${w.files.map((f) => f.file).join(', ')} | ${sizeCells(totalOf(w.files))} |`);
    if (w.lazy.length) console.log(`| worker ${w.entry}: import() chunks, loaded on demand | ${w.lazy.map((f) => f.file).join(', ')} | ${sizeCells(totalOf(w.lazy))} |`);
    if (w.assets.length) console.log(`| worker ${w.entry}: files fetched by URL | ${w.assets.map((f) => f.file).join(', ')} | ${sizeCells(totalOf(w.assets))} |`);
  }
  if (!a.workers.length) console.log('| (no worker found) | | | |');
  if (a.shellLazy.length) console.log(`| shell import() chunks, loaded on demand | ${a.shellLazy.map((f) => f.file).join(', ')} | ${sizeCells(totalOf(a.shellLazy))} |`);
  if (a.unreached.length) console.log(`\nScripts in dist/ that nothing above reaches: ${a.unreached.join(', ')}`);
}

function printTimings(runs: LoadRun[], warmup: number, trainTimeoutMs: number): Record<string, Summary | null> {
  const metrics: Array<[string, keyof LoadRun]> = [
    ['first paint', 'firstPaint'],
    ['first contentful paint', 'firstContentfulPaint'],
    ['DOMContentLoaded (end)', 'domContentLoaded'],
    ['load (end)', 'load'],
    ['"Train" button visible', 'trainVisible'],
  ];
  const summaries: Record<string, Summary | null> = {};
  console.log(`\n## Page load on localhost: ms since navigation start, ${runs.length} loads in fresh browser contexts (after ${warmup} warm-up load${warmup === 1 ? '' : 's'})\n`);
  console.log('| metric | median | min | max | loads with a value |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, key] of metrics) {
    const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    const s = summarize(values);
    summaries[key] = s;
    if (!s) {
      const why = key === 'trainVisible' ? `n/a (no Train button within ${trainTimeoutMs / 1000} s)` : 'n/a';
      console.log(`| ${label} | ${why} | | | 0/${runs.length} |`);
    } else {
      console.log(`| ${label} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} | ${s.n}/${runs.length} |`);
    }
  }
  // The paint entries are stamped when the frame reaches the screen, after raster and compositing,
  // which on a busy machine with software rendering comes well after the frame's animation callbacks.
  console.log('\n"Train" visible is the start of the animation frame that first finds the button visible; the paint entries are stamped when a frame reaches the screen, so "Train" can read below first contentful paint.');
  const polled = runs.filter((r) => r.trainVisibleBy === 'poll').length;
  if (polled) console.log(`\n${polled} Train time(s) came from Playwright's polling (the in-page watcher did not recognise the name), so they are upper bounds.`);
  const errors = [...new Set(runs.flatMap((r) => r.errors))];
  if (errors.length) console.log(`\nPage errors during the loads: ${errors.slice(0, 5).join(' | ')}${errors.length > 5 ? ` (+${errors.length - 5} more)` : ''}`);
  return summaries;
}

async function main(): Promise<number> {
  const opts = options();
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    console.error('No production build in dist/: run `npm run build` first (or `npm run bench:load`, which builds and then runs this).');
    return 2;
  }
  const analysis = analyzeDist(dist);
  printSizes(analysis);

  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  // Ctrl-C: stop the preview server (our own child, by its pid via server.stop) and the browser.
  const onSignal = () => {
    void Promise.allSettled([browser?.close(), server?.stop()]).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runs: LoadRun[] = [];
  try {
    server = await startPreview();
    browser = await launchChromium();
    // Warm-up loads are discarded: the first navigation of a new browser pays one-off costs
    // (renderer process start, font and code caches) that a visitor's browser has already paid.
    for (let i = 0; i < opts.warmup; i++) {
      process.stderr.write(`warm-up load ${i + 1}/${opts.warmup} ...\n`);
      await measureLoad(browser, server.url, opts.trainTimeoutMs);
    }
    for (let i = 0; i < opts.runs; i++) {
      process.stderr.write(`load ${i + 1}/${opts.runs} ...\n`);
      runs.push(await measureLoad(browser, server.url, opts.trainTimeoutMs));
    }
  } finally {
    await browser?.close();
    await server?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const summaries = printTimings(runs, opts.warmup, opts.trainTimeoutMs);
  console.log(`\nServed by vite preview on 127.0.0.1 (no network latency, no compression); headless Chromium (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}).`);

  if (opts.json) {
    writeFileSync(
      opts.json,
      JSON.stringify(
        {
          shell: { files: analysis.shell, javascript: totalOf(analysis.shell), css: analysis.css, cssTotal: totalOf(analysis.css), html: analysis.html },
          tfjsInShell: analysis.tfjsInShell,
          tfjsMarkers: TFJS_MARKERS,
          shellLazy: analysis.shellLazy,
          workers: analysis.workers,
          unreached: analysis.unreached,
          timing: { runs, warmup: opts.warmup, trainTimeoutMs: opts.trainTimeoutMs, summaries },
        },
        null,
        2,
      ),
    );
    console.log(`JSON written to ${opts.json}`);
  }
  if (analysis.tfjsInShell.length) {
    console.error(`\nFAIL: tfjs is in the UI shell (${analysis.tfjsInShell.map((h) => h.file).join(', ')}). It must load only in the compute worker.`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
