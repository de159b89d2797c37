// `npm run bench:browser`: milliseconds per training step of each method on each backend, inside
// the compute worker of the production build (served by vite preview on 127.0.0.1) in headless
// Chromium, printed as a table. Each method runs at its defaults on 5-way 1-shot 15-query glyph
// episodes (meta-batch and filters as in the registry), median of the timed steps after warm-up.
// On software GPUs (SwiftShader, no real GPU) a step can take minutes, so each cell has a time
// budget; a cell that does not finish one timed step within it says so.
// Options: --backends wasm,cpu,webgl,webgpu --methods protonet,... --steps N --budget SECONDS --json FILE
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchChromium, openPage, startPreview } from '../node/browser';
import { methodNames } from '../core/methods/registry';
import type { ComputeClient } from '../worker/client';
import type { BenchmarkResult } from '../worker/protocol';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu,webgl,webgpu' },
    methods: { type: 'string', default: methodNames().join(',') },
    steps: { type: 'string', default: '5' },
    budget: { type: 'string', default: '90' },
    json: { type: 'string' },
  },
});
const backends = values.backends!.split(',');
const methods = values.methods!.split(',');
const steps = Number(values.steps);
const budget = Number(values.budget);

async function main(): Promise<void> {
  const server = await startPreview();
  const browser = await launchChromium(['--enable-unsafe-webgpu']);
  const rows: Array<{ backend: string; info: string; method: string; result: BenchmarkResult | { error: string } }> = [];
  try {
    const { page } = await openPage(await browser.newContext(), server.url);
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
          { backend, method, steps: fast ? steps : Math.min(steps, 2), warmup: fast ? 2 : 1, budget },
        );
        rows.push({ backend, method, ...cell });
      }
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
  console.log(`\n(n) = timed steps. Backends: ${[...new Set(rows.map((r) => `${r.backend}: ${r.info}`))].join('; ')}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
