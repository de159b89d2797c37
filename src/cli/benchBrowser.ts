// `npm run bench:browser`: milliseconds per training step of each method on each backend, inside
// the compute worker of the production build (served by vite preview on 127.0.0.1) in headless
// Chromium, printed as a table. Each method runs at its defaults on 5-way 1-shot 15-query glyph
// episodes (meta-batch and filters as in the registry), median of the timed steps after warm-up.
// On software GPUs (SwiftShader, no real GPU) a step can take minutes, so each cell has a time
// budget; a cell that does not finish one timed step within it says so.
// Each wasm cell is followed at once by its peer in Node: the same session code (the worker's
// `benchmark` request, src/worker/session.ts) on tfjs's wasm backend in this process, with the
// thread count the browser's worker reported, so the browser/Node ratio is measured back to back.
// Then the page itself: the longest main-thread task while the default run trains with its charts
// drawn (--page-steps steps after the curves appear; 0 skips it).
// Options: --backends wasm,cpu,webgl,webgpu --methods protonet,... --steps N --budget SECONDS --page-steps N --json FILE
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, observeLongTasks, openPage, pageStep, probeStalls, startPreview, takeLongTasks } from '../node/browser';
import { methodNames } from '../core/methods/registry';
import { inProcessClient } from '../node/inProcessWorker';
import { stopWasmThreads } from '../node/threadedWasm';
import type { ComputeClient } from '../worker/client';
import type { BenchmarkResult } from '../worker/protocol';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu,webgl,webgpu' },
    methods: { type: 'string', default: methodNames().join(',') },
    steps: { type: 'string', default: '5' },
    budget: { type: 'string', default: '90' },
    'page-steps': { type: 'string', default: '30' },
    json: { type: 'string' },
  },
});
const backends = values.backends!.split(',');
const methods = values.methods!.split(',');
const steps = Number(values.steps);
const budget = Number(values.budget);
const pageSteps = Number(values['page-steps']);
const WASM_WARMUP = 4;

/**
 * The page's compute client over the worker's session run in this Node process, on wasm with
 * `threads` threads: the peer of the browser's wasm cells. Made once (tfjs's backend is per process).
 */
function nodeSession(threads: number) {
  const client = inProcessClient(threads);
  const ready = (async () => {
    const chosen = await client.init('wasm');
    await client.loadDataset('glyphs', { kind: 'glyphs' });
    return chosen.info;
  })();
  return {
    info: () => ready,
    benchmark: async (method: string, steps: number, warmup: number) => {
      await ready;
      return client.benchmark('glyphs', method, steps, warmup);
    },
  };
}

/** Threads in a wasm backend's description ("SIMD, 2 threads, fast kernels"), or 1. */
const threadsOf = (info: string) => Number(info.match(/(\d+) threads?/)?.[1] ?? 1);

/** Long tasks on the page while its default run (Train pressed, nothing changed) trains `steps` steps. */
async function pageWhileTraining(browser: Browser, url: string, steps: number) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await observeLongTasks(context); // before the page's scripts, so nothing is missed
  const { page } = await openPage(context, url);
  await page.getByRole('status').first().filter({ hasText: /Backend: \w+ \(/ }).waitFor({ timeout: 60_000 });
  const backend = (await page.getByRole('status').first().textContent())?.match(/Backend: [^)]*\)/)?.[0] ?? '';
  await page.getByRole('button', { name: 'Train' }).click();
  const until = async (test: (step: number) => boolean) => {
    while (!test(await pageStep(page))) await page.waitForTimeout(200);
  };
  await until((s) => s >= 3);
  await page.locator('.training-charts .plot__line').first().waitFor();
  await page.locator('.training-charts').scrollIntoViewIfNeeded();
  const from = await pageStep(page);
  await takeLongTasks(page);
  const stall = await probeStalls(page);
  const started = Date.now();
  await until((s) => s >= from + steps);
  const tasks = await takeLongTasks(page);
  const longestStall = await stall();
  await page.context().close();
  return { from, to: from + steps, seconds: (Date.now() - started) / 1000, tasks, longestStall, backend };
}

async function main(): Promise<void> {
  const server = await startPreview();
  const browser = await launchChromium(['--enable-unsafe-webgpu']);
  const rows: Array<{ backend: string; info: string; method: string; result: BenchmarkResult | { error: string }; node?: BenchmarkResult }> = [];
  let node: ReturnType<typeof nodeSession> | null = null;
  let onPage: Awaited<ReturnType<typeof pageWhileTraining>> | null = null;
  try {
    const { page } = await openPage(await browser.newContext(), server.url);
    if (backends.includes('wasm')) {
      // Chromium starts WebAssembly on its baseline compiler and optimises hot code on a background
      // thread, which on a 2-core machine waits for the training threads: the first method timed
      // read up to twice its steady pace. Train untimed until that is done, as a long run would be.
      process.stderr.write('warming up wasm ...\n');
      await page.evaluate(async ({ method }) => {
        const client = (window as unknown as { fewShotLab: { client: ComputeClient } }).fewShotLab.client;
        await client.init('wasm');
        await client.loadDataset('glyphs', { kind: 'glyphs' });
        await client.benchmark('glyphs', method, 20, 0);
      }, { method: methods[0] });
    }
    for (const backend of backends) {
      for (const method of methods) {
        const fast = backend === 'wasm';
        process.stderr.write(`${backend} ${method} ...\n`);
        const cell = await page.evaluate(
          async ({ backend, method, steps, warmup, budget }) => {
            const client = (window as unknown as { fewShotLab: { client: ComputeClient } }).fewShotLab.client;
            try {
              const chosen = await client.init(backend as 'wasm');
              await client.loadDataset('glyphs', { kind: 'glyphs' });
              return { info: chosen.info, result: await client.benchmark('glyphs', method, steps, warmup, budget) };
            } catch (error) {
              return { info: '', result: { error: (error as Error).message } };
            }
          },
          // wasm: 4 untimed steps, because Chromium first runs WebAssembly from its baseline
          // compiler and optimises hot functions later (dynamic tiering): with 2, the first method
          // measured read 1.4 to 2 times its steady pace. Node gets the same warm-up.
          { backend, method, steps: fast ? steps : Math.min(steps, 2), warmup: fast ? WASM_WARMUP : 1, budget },
        );
        let peer: BenchmarkResult | undefined;
        if (backend === 'wasm' && !('error' in cell.result)) {
          node ??= nodeSession(threadsOf(cell.info));
          process.stderr.write(`  the same in Node (${await node.info()}) ...\n`);
          peer = await node.benchmark(method, steps, WASM_WARMUP);
        }
        rows.push({ backend, method, ...cell, node: peer });
      }
    }
    if (pageSteps > 0) {
      process.stderr.write('the page while training ...\n');
      onPage = await pageWhileTraining(browser, server.url, pageSteps);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`\nms per training step in the compute worker, headless Chromium, production build (median; 5-way 1-shot 15-query glyphs, each method's defaults):`);
  console.log(`| method | ${backends.join(' | ')} |`);
  console.log(`|---|${backends.map(() => '---').join('|')}|`);
  for (const method of methods) {
    const cells = backends.map((backend) => {
      const r = rows.find((x) => x.backend === backend && x.method === method)!.result;
      if ('error' in r) return `failed: ${r.error}`;
      return r.msPerStep === null ? `over ${budget} s` : `${r.msPerStep.toFixed(0)} (${r.steps})`;
    });
    console.log(`| ${method} | ${cells.join(' | ')} |`);
  }
  const compared = rows.filter((r) => r.node && !('error' in r.result) && r.result.msPerStep !== null && r.node.msPerStep !== null);
  if (compared.length > 0) {
    console.log(`\nwasm in the browser's worker against the same session code in Node (${await node!.info()}), each pair back to back:`);
    console.log('| method | browser ms | Node ms | browser / Node |');
    console.log('|---|---|---|---|');
    for (const r of compared) {
      const browserMs = (r.result as BenchmarkResult).msPerStep!;
      const nodeMs = r.node!.msPerStep!;
      console.log(`| ${r.method} | ${browserMs.toFixed(0)} | ${nodeMs.toFixed(0)} | ${(browserMs / nodeMs).toFixed(2)} |`);
    }
  }
  console.log(`\n(n) = timed steps. Backends: ${[...new Set(rows.map((r) => `${r.backend}: ${r.info}`))].join('; ')}`);
  if (onPage) {
    const longest = Math.max(0, ...onPage.tasks);
    console.log(
      `\nThe page's main thread while the default run trains with its charts drawn (steps ${onPage.from}-${onPage.to}, ${onPage.seconds.toFixed(1)} s, ${onPage.backend}): ` +
        (onPage.tasks.length ? `${onPage.tasks.length} tasks over 50 ms, the longest ${longest.toFixed(0)} ms` : 'no task over 50 ms') +
        `; longest stall of a 5 ms timer ${onPage.longestStall.toFixed(0)} ms.`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

main()
  .then(() => {
    // wasm worker threads keep Node's event loop alive.
    stopWasmThreads();
    process.exit(0);
  })
  .catch((error) => {
    console.error((error as Error).message);
    process.exit(1);
  });
