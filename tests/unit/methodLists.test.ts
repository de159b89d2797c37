// A method is one place plus one registry line: each family's tfjs-free catalog (descriptions, read
// by the page's main thread) and its registry (the same descriptions with `create`) list the same
// methods in the same order, each spec carrying its own method's description; and the catalogs, with
// every description they list, import nothing of TensorFlow.js, not even a type.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { METHOD_CATALOG, METHOD_INFOS } from '../../src/core/methods/catalog';
import { METHOD_SPECS, METHODS } from '../../src/core/methods/registry';
import { REGRESSION_CATALOG, REGRESSION_METHOD_INFOS } from '../../src/core/regression/catalog';
import { REGRESSION_METHOD_SPECS, REGRESSION_METHODS } from '../../src/core/regression/registry';

const ROOT = join(import.meta.dirname, '..', '..');

const FAMILIES = [
  { family: 'image classification', infos: METHOD_INFOS, catalog: METHOD_CATALOG, specs: METHOD_SPECS, registry: METHODS },
  { family: 'sine-wave regression', infos: REGRESSION_METHOD_INFOS, catalog: REGRESSION_CATALOG, specs: REGRESSION_METHOD_SPECS, registry: REGRESSION_METHODS },
];

describe.each(FAMILIES)('the $family methods', ({ infos, catalog, specs, registry }) => {
  it('are listed by the catalog and the registry with the same names in the same order', () => {
    const names = infos.map((info) => info.name);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    expect(specs.map((spec) => spec.name)).toEqual(names);
    expect(Object.keys(catalog)).toEqual(names);
    expect(Object.keys(registry)).toEqual(names);
  });

  it('have specs made from their own descriptions', () => {
    for (const spec of specs) {
      const { create, ...description } = spec;
      expect(typeof create, spec.name).toBe('function');
      expect(description, spec.name).toEqual(catalog[spec.name]);
    }
  });

  it('describe every hyperparameter they default, with a hint, and nothing else', () => {
    for (const info of infos) {
      expect(Object.keys(info.hyperparameters).sort(), info.name).toEqual(Object.keys(info.defaults).sort());
      for (const [name, hint] of Object.entries(info.hyperparameters)) {
        expect(hint.hint.length, `${info.name}.${name}`).toBeGreaterThan(10);
        const value = info.defaults[name];
        if (hint.choices) expect(hint.choices, `${info.name}.${name}`).toContain(value);
        else {
          expect(typeof value, `${info.name}.${name}`).toBe('number');
          if (hint.min !== undefined) expect(value, `${info.name}.${name}`).toBeGreaterThanOrEqual(hint.min);
          if (hint.max !== undefined) expect(value, `${info.name}.${name}`).toBeLessThanOrEqual(hint.max);
        }
      }
    }
  });

  // The page shows the label; a code name ("innerLearningRate") there means nothing to a newcomer.
  it('give every hyperparameter a label in words, distinct from its code name, and every choice a text', () => {
    for (const info of infos) {
      for (const [name, h] of Object.entries(info.hyperparameters)) {
        expect(h.label.trim().length, `${info.name}.${name}`).toBeGreaterThan(0);
        expect(h.label.toLowerCase(), `${info.name}.${name}`).not.toBe(name.toLowerCase());
        expect(h.label, `${info.name}.${name}`).not.toMatch(/^[a-z]+[A-Z]\w*$/); // no camelCase
        if (h.choiceLabels) expect(Object.keys(h.choiceLabels).sort(), `${info.name}.${name}`).toEqual([...(h.choices ?? [])].sort());
      }
    }
  });
});

describe('the catalogs', () => {
  it('import no TensorFlow.js, directly or through any file they import (type imports too)', async () => {
    for (const entry of ['src/core/methods/catalog.ts', 'src/core/regression/catalog.ts']) {
      const graph = (await madge(join(ROOT, entry), { baseDir: join(ROOT, 'src'), fileExtensions: ['ts', 'tsx'], tsConfig: join(ROOT, 'tsconfig.json') })).obj();
      const files = Object.keys(graph);
      expect(files.length, entry).toBeGreaterThan(3);
      const tfjs = files.filter((file) => /from ['"]@tensorflow\//.test(readFileSync(join(ROOT, 'src', file), 'utf8')));
      expect(tfjs, entry).toEqual([]);
    }
  });
});
