// The pure half of `npm run bench:load` (src/node/loadMetrics.ts) on a small fake dist/: the UI
// shell is the entry module, its modulepreloads and their static imports, never a worker bundle or
// an import() chunk; sizes are raw and gzip-9 per file; tfjs markers in the shell are reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeDist,
  dynamicImports,
  htmlReferences,
  resolveInDist,
  sizesOf,
  staticImports,
  summarize,
  totalOf,
  urlReferences,
} from '../../src/node/loadMetrics';

// A build shaped like Vite's with base './': relative asset URLs, chunks importing each other with
// "./x.js", the worker referenced as new URL("worker-….js", import.meta.url) without a "./".
const FILES: Record<string, string> = {
  'index.html': `<!doctype html>
<html><head>
  <!-- <script type="module" src="./assets/commented-out.js"></script> -->
  <script type="module" crossorigin src="./assets/index-a1.js"></script>
  <link rel="modulepreload" crossorigin href="./assets/vendor-b2.js">
  <link rel="stylesheet" crossorigin href="./assets/index-c3.css">
</head><body><button>Train</button></body></html>`,
  'assets/index-a1.js': `import { v as vendor } from "./vendor-b2.js";
import "./polyfill-d4.js";
// import { never } from "./commented-out.js";
const worker = new Worker(new URL(/* @vite-ignore */ new URL("worker-e5.js", import.meta.url).href, "" + import.meta.url), { type: "module" });
document.querySelector("button").onclick = () => import("./charts-f6.js").then((m) => m.draw(vendor));
`,
  // Minified style: two statements on one line, no spaces.
  'assets/vendor-b2.js': `import{u as util}from"./util-g7.js";export*from"./reexport-h8.js";const v=util;export{v};`,
  'assets/polyfill-d4.js': `globalThis.polyfilled = true;\n`,
  'assets/util-g7.js': `export const u = 1;\n`,
  'assets/reexport-h8.js': `export const r = 2;\n`,
  'assets/charts-f6.js': `import { u } from "./util-g7.js";\nimport { c } from "./charts-dep-i9.js";\nexport const draw = (v) => u + v + c;\n`,
  'assets/charts-dep-i9.js': `export const c = 3;\n`,
  'assets/worker-e5.js': `import { t } from "./tf-core-j0.js";\nconst wasm = new URL("backend-k1.wasm", import.meta.url);\nself.onmessage = async () => (await import("./tf-webgpu-l2.js")).go(t, wasm);\n`,
  'assets/tf-core-j0.js': `// node_modules/@tensorflow/tfjs-core/dist/engine.js\nconst ns = globalThis; if (ns._tfengine == null) ns._tfengine = {};\nexport const t = ns._tfengine;\n`,
  'assets/tf-webgpu-l2.js': `import { t } from "./tf-core-j0.js";\nexport const go = () => t;\n`,
  'assets/backend-k1.wasm': '\u0000asm',
  'assets/index-c3.css': `body { margin: 0 }\n`,
  'assets/commented-out.js': `export const never = 0;\n`,
  'assets/orphan-m3.js': `export const o = 0;\n`,
};

let dist: string;

function writeDist(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'bench-load-'));
  writeDist(dist, FILES);
});

afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('import scanning', () => {
  it('tells static imports, dynamic imports and URL references apart', () => {
    const code = FILES['assets/index-a1.js'];
    expect(staticImports(code)).toEqual(['./vendor-b2.js', './polyfill-d4.js']);
    expect(dynamicImports(code)).toEqual(['./charts-f6.js']);
    expect(urlReferences(code)).toEqual(['worker-e5.js']);
  });

  it('reads minified chunks and re-exports', () => {
    expect(staticImports(FILES['assets/vendor-b2.js'])).toEqual(['./util-g7.js', './reexport-h8.js']);
  });

  it('reads module scripts, modulepreloads and stylesheets from the HTML, ignoring comments', () => {
    const refs = htmlReferences(FILES['index.html']);
    expect(refs.modules).toEqual(['./assets/index-a1.js']);
    expect(refs.modulepreloads).toEqual(['./assets/vendor-b2.js']);
    expect(refs.stylesheets).toEqual(['./assets/index-c3.css']);
    expect(refs.classic).toEqual([]);
  });

  it('resolves relative and base-prefixed absolute paths inside dist, and nothing outside it', () => {
    expect(resolveInDist(dist, 'assets/index-a1.js', './vendor-b2.js')).toBe('assets/vendor-b2.js');
    expect(resolveInDist(dist, 'assets/index-a1.js', 'worker-e5.js')).toBe('assets/worker-e5.js');
    expect(resolveInDist(dist, 'index.html', '/my-base/assets/util-g7.js')).toBe('assets/util-g7.js');
    expect(resolveInDist(dist, 'index.html', 'https://cdn.example/x.js')).toBeNull();
    expect(resolveInDist(dist, 'index.html', './assets/missing.js')).toBeNull();
    expect(resolveInDist(dist, 'index.html', '../outside.js')).toBeNull();
  });
});

describe('analyzeDist', () => {
  it('puts the static import closure of the entry and preloads in the shell, and nothing else', () => {
    const a = analyzeDist(dist);
    expect(a.shell.map((f) => f.file)).toEqual([
      'assets/index-a1.js',
      'assets/vendor-b2.js',
      'assets/polyfill-d4.js',
      'assets/util-g7.js',
      'assets/reexport-h8.js',
    ]);
    expect(a.shell.map((f) => f.via)).toEqual(['entry module', 'modulepreload', 'static import', 'static import', 'static import']);
    expect(a.shell[2].from).toBe('assets/index-a1.js');
    const shell = a.shell.map((f) => f.file);
    for (const excluded of ['assets/charts-f6.js', 'assets/charts-dep-i9.js', 'assets/worker-e5.js', 'assets/tf-core-j0.js', 'assets/tf-webgpu-l2.js', 'assets/commented-out.js']) {
      expect(shell).not.toContain(excluded);
    }
    expect(a.css.map((f) => f.file)).toEqual(['assets/index-c3.css']);
  });

  it('lists import() chunks, workers (with their own closures and assets) and unreached scripts separately', () => {
    const a = analyzeDist(dist);
    // util-g7.js is already in the shell, so only the chunks the import() adds count as lazy.
    expect(a.shellLazy.map((f) => f.file)).toEqual(['assets/charts-f6.js', 'assets/charts-dep-i9.js']);
    expect(a.workers).toHaveLength(1);
    const [worker] = a.workers;
    expect(worker.entry).toBe('assets/worker-e5.js');
    expect(worker.referencedBy).toBe('assets/index-a1.js');
    expect(worker.files.map((f) => f.file)).toEqual(['assets/worker-e5.js', 'assets/tf-core-j0.js']);
    expect(worker.lazy.map((f) => f.file)).toEqual(['assets/tf-webgpu-l2.js']);
    expect(worker.assets.map((f) => f.file)).toEqual(['assets/backend-k1.wasm']);
    expect(a.unreached).toEqual(['assets/commented-out.js', 'assets/orphan-m3.js']);
  });

  it('counts raw and gzip-9 bytes per file and sums them', () => {
    const a = analyzeDist(dist);
    for (const f of [...a.shell, ...a.css]) {
      const content = Buffer.from(FILES[f.file]);
      expect(f.raw).toBe(content.byteLength);
      expect(f.gzip).toBe(gzipSync(content, { level: 9 }).byteLength);
    }
    const total = totalOf(a.shell);
    expect(total.raw).toBe(a.shell.reduce((s, f) => s + Buffer.byteLength(FILES[f.file]), 0));
    expect(total.gzip).toBe(a.shell.reduce((s, f) => s + gzipSync(Buffer.from(FILES[f.file]), { level: 9 }).byteLength, 0));
    // gzip of a repetitive text is far smaller than the text; of a tiny one, larger (header).
    expect(sizesOf('a'.repeat(10_000)).gzip).toBeLessThan(100);
    expect(sizesOf('a').gzip).toBeGreaterThan(1);
  });

  it('finds no tfjs in a clean shell, and names the file and markers when a shell chunk imports it', () => {
    expect(analyzeDist(dist).tfjsInShell).toEqual([]);
    const leaky = mkdtempSync(join(tmpdir(), 'bench-load-leak-'));
    try {
      writeDist(leaky, { ...FILES, 'assets/util-g7.js': `import { t } from "./tf-core-j0.js";\nexport const u = t;\n` });
      const a = analyzeDist(leaky);
      expect(a.shell.map((f) => f.file)).toContain('assets/tf-core-j0.js');
      expect(a.tfjsInShell).toEqual([{ file: 'assets/tf-core-j0.js', markers: ['_tfengine', 'node_modules/@tensorflow/'] }]);
    } finally {
      rmSync(leaky, { recursive: true, force: true });
    }
  });

  it('says to build first when there is no dist/index.html', () => {
    expect(() => analyzeDist(join(dist, 'nope'))).toThrow(/npm run build/);
  });
});

describe('summarize', () => {
  it('gives the median (middle pair averaged), min and max', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([])).toBeNull();
  });
});
