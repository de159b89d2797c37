// `npm run bench:checkpoint`: how big a run's checkpoint is and how long keeping it in the browser
// takes, per method of each task family, on the production build in headless Chromium. Each method
// trains at its defaults on the default dataset (glyphs 28x28, sine waves) in the page's worker on
// wasm until the worker sends a checkpoint (after at least one step, so output layers and the
// optimiser's moments exist); then the page's run history writes it to IndexedDB `--writes` times.
// Printed per method: checkpoint bytes (learnable state + training state), the median write time
// (from the call to the committed transaction) and the longest main-thread task seen meanwhile
// (PerformanceObserver; "none" when no task took over 50 ms). Each write against the peer in the
// same run: the time to structured-clone the same state on the page, the floor of any write.
// Options: --methods protonet,maml,... (default: all of both families) --writes N (default 7)
import { parseArgs } from 'node:util';
import { familyOf } from '../core/experiment/datasets';
import type { RunConfig } from '../core/experiment/runConfig';
import { METHOD_INFOS } from '../core/methods/catalog';
import { REGRESSION_METHOD_INFOS } from '../core/regression/catalog';
import { launchChromium, openPage, startPreview } from '../node/browser';
import type { ComputeClient } from '../worker/client';

const { values } = parseArgs({ options: { methods: { type: 'string' }, writes: { type: 'string', default: '7' } } });
const writes = Number(values.writes);

interface Cell {
  dataset: string;
  method: string;
  bytes: number;
  trainingBytes: number;
  writeMs: number;
  cloneMs: number;
  longestTaskMs: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A run of `method` on `datasetId` with the family's default sampler, a few steps. */
function configOf(datasetId: string, method: string): RunConfig {
  const family = familyOf(datasetId);
  return { datasetId, sampler: family.samplerConfig(family.samplerDefaults), method, steps: 100_000, seed: 1, valEvery: 0 }; // stopped at its first checkpoint
}

async function main(): Promise<void> {
  const chosen = values.methods?.split(',');
  const cells = [
    ...METHOD_INFOS.map((m) => ({ dataset: 'glyphs', source: { kind: 'glyphs' as const }, method: m.name })),
    ...REGRESSION_METHOD_INFOS.map((m) => ({ dataset: 'sinusoid', source: { kind: 'sinusoid' as const }, method: m.name })),
  ].filter((c) => !chosen || chosen.includes(c.method));
  const server = await startPreview();
  const browser = await launchChromium();
  const rows: Cell[] = [];
  try {
    const { page } = await openPage(await browser.newContext(), server.url);
    for (const cell of cells) {
      process.stderr.write(`${cell.dataset} ${cell.method} ...\n`);
      const result = await page.evaluate(
        async ({ cell, config, writes }) => {
          type History = { saveRunState(id: string, state: unknown): Promise<void>; dropRunStates(ids: string[]): Promise<void> };
          const { client, history } = (window as unknown as { fewShotLab: { client: ComputeClient; history: History } }).fewShotLab;
          await client.init('wasm');
          await client.loadDataset(cell.dataset, cell.source);
          const runId = `bench-${cell.method}-${Date.now()}`;
          const checkpoint = await new Promise<{ state: Record<string, { values: Float32Array }> }>((resolve) => {
            const off = client.on((e) => {
              if (e.type === 'checkpoint' && e.runId === runId && e.checkpoint.step >= 1) {
                off();
                resolve(e.checkpoint);
              }
            });
            void client.start(runId, config);
          });
          await client.stop(runId);
          const tasks: number[] = [];
          const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)));
          observer.observe({ type: 'longtask' });
          const writeMs: number[] = [];
          const cloneMs: number[] = [];
          for (let i = 0; i < writes; i++) {
            let t = performance.now();
            structuredClone(checkpoint.state);
            cloneMs.push(performance.now() - t);
            t = performance.now();
            await history.saveRunState(runId, checkpoint.state);
            writeMs.push(performance.now() - t);
          }
          await new Promise((r) => setTimeout(r, 100)); // let the observer report
          observer.disconnect();
          await history.dropRunStates([runId]);
          // (No named helpers in here: the bundler would wrap them in a helper the page lacks.)
          let bytes = 0;
          let trainingBytes = 0;
          for (const [name, t] of Object.entries(checkpoint.state)) {
            bytes += t.values.byteLength;
            if (name.startsWith('training/')) trainingBytes += t.values.byteLength;
          }
          return { bytes, trainingBytes, writeMs, cloneMs, tasks };
        },
        { cell, config: configOf(cell.dataset, cell.method), writes },
      );
      rows.push({
        dataset: cell.dataset,
        method: cell.method,
        bytes: result.bytes,
        trainingBytes: result.trainingBytes,
        writeMs: median(result.writeMs),
        cloneMs: median(result.cloneMs),
        longestTaskMs: result.tasks.length ? Math.max(...result.tasks) : null,
      });
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`\nKeeping a checkpoint in IndexedDB, headless Chromium, production build (median of ${writes} writes; wasm worker):`);
  console.log('| dataset | method | checkpoint (learnable + training state) | write | structured clone (peer) | write / clone | longest main-thread task |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.cloneMs > 0 ? `${(r.writeMs / r.cloneMs).toFixed(1)}x` : '-';
    const task = r.longestTaskMs === null ? 'none over 50 ms' : `${r.longestTaskMs.toFixed(0)} ms`;
    console.log(
      `| ${r.dataset} | ${r.method} | ${kib(r.bytes)} (${kib(r.bytes - r.trainingBytes)} + ${kib(r.trainingBytes)}) | ${r.writeMs.toFixed(1)} ms | ${r.cloneMs.toFixed(2)} ms | ${ratio} | ${task} |`,
    );
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
