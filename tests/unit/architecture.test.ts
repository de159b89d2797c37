// The code's shape, checked on every test run (docs/ARCHITECTURE.md): no import cycle anywhere in
// src (type-only imports count: they tie files together just the same), and the layers import one
// way, so src/core runs in Node and in the worker alike with neither React nor the page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
let graph: Record<string, string[]>;
let cycles: string[][];

beforeAll(async () => {
  const result = await madge(join(ROOT, 'src'), { fileExtensions: ['ts', 'tsx'], tsConfig: join(ROOT, 'tsconfig.json') });
  graph = result.obj();
  cycles = result.circular();
});

/** The files in one top-level folder of src (core/..., ui/...). */
const filesIn = (layer: string) => Object.keys(graph).filter((file) => file.startsWith(`${layer}/`));

describe('the import graph of src', () => {
  it('covers the whole source tree', () => {
    expect(filesIn('core').length).toBeGreaterThan(50);
    expect(filesIn('ui').length).toBeGreaterThan(50);
    expect(graph['main.tsx']).toContain('ui/datasets/omniglotArchive.ts');
  });

  it('has no import cycles', () => {
    expect(cycles.map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('keeps src/core below everything else: it imports no worker, ui, cli or node file, and not React', () => {
    const upward = filesIn('core').flatMap((file) => graph[file].filter((dep) => !dep.startsWith('core/')).map((dep) => `${file} -> ${dep}`));
    expect(upward).toEqual([]);
    const react = filesIn('core').filter((file) => /from ['"]react(-dom)?['"/]/.test(readFileSync(join(ROOT, 'src', file), 'utf8')));
    expect(react).toEqual([]);
  });

  it('keeps the worker below the page: no worker file imports ui or cli', () => {
    const upward = filesIn('worker').flatMap((file) => graph[file].filter((dep) => /^(ui|cli)\//.test(dep)).map((dep) => `${file} -> ${dep}`));
    expect(upward).toEqual([]);
  });
});
