// The Omniglot archive reader (on archives built here in the official layout, on the real subset in
// tests/fixtures/omniglot, and on the whole images_background.zip when it is on this machine), the
// zip reader under it, and rotation augmentation on the loaded classes.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { imageBytes, type ImageDataset } from '../../src/core/data/dataset';
import { loadOmniglotArchive } from '../../src/core/data/omniglot';
import { rotateSquare, withRotations } from '../../src/core/data/rotate';
import { openZip } from '../../src/core/data/zip';
import { decodeImage } from '../../src/node/decodeImage';
import { FULL_OMNIGLOT_MISSING, fullOmniglotOrSkipNotice } from '../../src/node/fullOmniglot';
import { encodeGreyPng, greyPicture } from './fixtures/images';
import { CORRUPT_ENTRY, FIXTURE_DRAWERS, buildOmniglotZip } from './fixtures/omniglot';

/** Four alphabets of the official archive, in the repository (see its README). */
const SUBSET_ARCHIVE = fileURLToPath(new URL('../fixtures/omniglot/images_background_subset.zip', import.meta.url));

/** Reads back which drawer drew an image from the fixture's second block (see fixturePicture). */
function drawerOf(pixels: Uint8Array): number {
  const lit = [1, 2, 3, 4, 5].filter((drawer) => pixels[17 * 28 + 4 * drawer + 1] === 255);
  expect(lit).toHaveLength(1);
  return lit[0];
}

describe('openZip', () => {
  it('lists files without folders, __MACOSX or hidden files, and reads stored and deflated entries', () => {
    const text = new TextEncoder().encode('hello hello hello hello');
    const zip = zipSync({
      'set/a/one.txt': [text, { level: 0 }],
      'set/a/two.txt': [text, { level: 9 }],
      'set/empty/': new Uint8Array(0),
      '__MACOSX/set/a/._one.txt': new Uint8Array([1]),
      'set/.hidden/x.txt': new Uint8Array([1]),
      'set/a/.DS_Store': new Uint8Array([1]),
    });
    const archive = openZip(zip, 'test.zip');
    expect(archive.entries.map((entry) => entry.path)).toEqual(['set/a/one.txt', 'set/a/two.txt']);
    expect(archive.entries.map((entry) => entry.method)).toEqual([0, 8]);
    expect(archive.directories).toEqual(['set', 'set/a', 'set/empty']);
    for (const entry of archive.entries) expect(new TextDecoder().decode(archive.read(entry))).toBe('hello hello hello hello');
  });

  it('says the file is not a readable zip when it is not one or is truncated', () => {
    expect(() => openZip(new TextEncoder().encode('just some text, long enough to search'), 'notes.zip')).toThrow(
      /^notes\.zip is not a readable zip archive: .*complete \.zip/,
    );
    const zip = zipSync({ 'a/b.txt': new TextEncoder().encode('x'.repeat(1000)) });
    expect(() => openZip(zip.slice(0, zip.length - 30), 'cut.zip')).toThrow(/cut\.zip is not a readable zip archive/);
  });
});

describe('loadOmniglotArchive on a fixture in the official layout', () => {
  it('makes one class per character, grouped by alphabet, sorted, with images ordered by drawer', async () => {
    const progress: Array<[number, number]> = [];
    const dataset = await loadOmniglotArchive(buildOmniglotZip(), 'images_background.zip', decodeImage, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(dataset.name).toBe('omniglot:images_background');
    expect([dataset.height, dataset.width, dataset.channels]).toEqual([28, 28, 1]);
    expect(dataset.classes.map((cls) => cls.name)).toEqual([
      'Alphabet_of_the_Magi/character01',
      'Alphabet_of_the_Magi/character02',
      'Alphabet_of_the_Magi/character10',
      'Greek/character01',
      'Greek/character02',
      'Greek/character10',
      'Latin/character01',
      'Latin/character02',
      'Latin/character10',
    ]);
    for (const cls of dataset.classes) {
      expect(cls.group).toBe(cls.name.split('/')[0]);
      expect(cls.pixels.length).toBe(cls.count * 28 * 28);
      expect(cls.sources).toHaveLength(cls.count);
    }
    expect(progress.at(-1)).toEqual([36, 36]);

    // The corrupt PNG is skipped and named; its class keeps its other three images.
    const greek10 = dataset.classes.find((cls) => cls.name === 'Greek/character10')!;
    expect(greek10.count).toBe(FIXTURE_DRAWERS - 1);
    expect(dataset.classes.filter((cls) => cls !== greek10).every((cls) => cls.count === FIXTURE_DRAWERS)).toBe(true);
    expect(dataset.warnings).toHaveLength(1);
    expect(dataset.warnings[0]).toContain(CORRUPT_ENTRY);
    expect(dataset.warnings[0]).toMatch(/corrupt PNG/);

    // Drawer order, whatever the archive order; sources name the entries.
    const magi2 = dataset.classes[1];
    expect(magi2.sources).toEqual([1, 2, 3, 4].map((d) => `images_background/Alphabet_of_the_Magi/character02/0102_0${d}.png`));
    const classIndex = 1;
    expect([0, 1, 2, 3].map((i) => drawerOf(imageBytes(dataset, classIndex, i)))).toEqual([1, 2, 3, 4]);
    expect(greek10.sources!.map((source) => source.slice(-6, -4))).toEqual(['01', '02', '04']);
    const latin2 = dataset.classes.find((cls) => cls.name === 'Latin/character02')!;
    expect(latin2.sources!.map((source) => source.slice(-11))).toEqual(['0999_01.png', '0002_02.png', '0002_03.png', '0002_04.png']);
  });

  it('inverts so strokes are bright and paper is 0, for 8-bit and 1-bit PNGs alike', async () => {
    const dataset = await loadOmniglotArchive(buildOmniglotZip(), 'images_background.zip', decodeImage);
    for (const name of ['Latin/character01', 'Latin/character02']) {
      // character01 is stored as 1-bit, character02 as 8-bit; both must load identically.
      const cls = dataset.classes.find((c) => c.name === name)!;
      const image = cls.pixels.subarray(0, 28 * 28);
      expect(image[5 * 28 + 5], `${name} stroke`).toBe(255);
      expect(image[0], `${name} paper`).toBe(0);
      expect(image[27 * 28 + 27], `${name} paper`).toBe(0);
      // Two 4x4 blocks of ink out of 28x28.
      expect(image.reduce((sum, v) => sum + v, 0)).toBe(2 * 16 * 255);
    }
  });

  it('reads the same archive without the top <set> folder, and honours size', async () => {
    const dataset = await loadOmniglotArchive(buildOmniglotZip({ withSetFolder: false, withCorruptImage: false }), 'mine.zip', decodeImage, {
      size: 105,
    });
    expect(dataset.name).toBe('omniglot:mine');
    expect(dataset.classes).toHaveLength(9);
    expect(dataset.classes.every((cls) => cls.count === FIXTURE_DRAWERS)).toBe(true);
    expect(dataset.warnings).toEqual([]);
    expect(dataset.height).toBe(105);
    const image = imageBytes(dataset, 0, 0);
    expect(image[20 * 105 + 20]).toBe(255);
    expect(image[0]).toBe(0);
  });

  it('rejects an archive without the <Alphabet>/<character>/<png> structure, naming the layout', async () => {
    const png = encodeGreyPng(105, 105, greyPicture(105, 105, []));
    const flat = zipSync({ 'a.png': png, 'folder/b.png': png });
    await expect(loadOmniglotArchive(flat, 'flat.zip', decodeImage)).rejects.toThrow(
      /flat\.zip does not look like an Omniglot archive.*<Alphabet>\/<characterNN>\/<imageid>_<drawer>\.png/s,
    );
    await expect(loadOmniglotArchive(new Uint8Array(100), 'zeros.zip', decodeImage)).rejects.toThrow(
      /zeros\.zip is not a readable zip archive/,
    );
  });
});

describe('withRotations', () => {
  const square: ImageDataset = {
    name: 'tiny',
    height: 2,
    width: 2,
    channels: 1,
    classes: [
      // [[1, 2], [3, 4]] and [[5, 6], [7, 8]] in one class, another class in another group.
      { name: 'A/c1', group: 'A', count: 2, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), sources: ['x.png', 'y.png'] },
      { name: 'B/c1', group: 'B', count: 1, pixels: Uint8Array.from([9, 10, 11, 12]) },
    ],
  };

  it('adds rotated copies as new classes after the originals, in the source group', () => {
    const rotated = withRotations(square, [90, 180, 270]);
    expect(rotated.classes.map((cls) => `${cls.name}:${cls.group}`)).toEqual([
      'A/c1:A',
      'B/c1:B',
      'A/c1/rot90:A',
      'B/c1/rot90:B',
      'A/c1/rot180:A',
      'B/c1/rot180:B',
      'A/c1/rot270:A',
      'B/c1/rot270:B',
    ]);
    // Counter-clockwise as numpy.rot90: [[1, 2], [3, 4]] -> [[2, 4], [1, 3]].
    expect([...rotated.classes[2].pixels]).toEqual([2, 4, 1, 3, 6, 8, 5, 7]);
    expect([...rotated.classes[4].pixels]).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    expect([...rotated.classes[6].pixels]).toEqual([3, 1, 4, 2, 7, 5, 8, 6]);
    expect(rotated.classes[2].sources).toEqual(['x.png#rot90', 'y.png#rot90']);
    expect(rotated.classes[0]).toBe(square.classes[0]);
  });

  it('rotates multi-channel pixels as units and four quarter turns give the image back', () => {
    const rng = Array.from({ length: 5 * 5 * 3 }, (_, i) => (i * 37) % 256);
    let image = Uint8Array.from(rng);
    for (let turn = 0; turn < 4; turn++) {
      const next = new Uint8Array(image.length);
      rotateSquare(image, 5, 3, 90, next);
      if (turn === 0) expect([...next.subarray(0, 3)]).toEqual([...image.subarray(4 * 3, 5 * 3)]); // top-right -> top-left
      image = next;
    }
    expect([...image]).toEqual(rng);
  });

  it('refuses non-square images and angles other than 90, 180, 270', () => {
    expect(() => withRotations({ ...square, height: 2, width: 3 })).toThrow(/needs square images; tiny is 2x3/);
    expect(() => withRotations(square, [45])).toThrow(/must be 90, 180 or 270/);
    expect(() => withRotations(withRotations(square, [90]), [90])).toThrow(/already has a class named "A\/c1\/rot90"/);
  });
});

/** Strokes cover roughly 8% of the paper: the mean brightness is low, and fully inked pixels exist. */
function expectSparseBrightStrokes(dataset: ImageDataset) {
  let sum = 0;
  let count = 0;
  let saturated = 0;
  for (const cls of dataset.classes) {
    for (const v of cls.pixels) {
      sum += v;
      if (v === 255) saturated++;
      count++;
    }
  }
  const meanBrightness = sum / count;
  expect(meanBrightness).toBeGreaterThan(10);
  expect(meanBrightness).toBeLessThan(40);
  expect(saturated / count).toBeGreaterThan(0.005);
}

describe('the Omniglot subset in the repository (real drawings, tests/fixtures/omniglot)', () => {
  it('loads 4 alphabets, 89 characters, 20 drawers each, with sparse bright strokes', async () => {
    const dataset = await loadOmniglotArchive(new Uint8Array(readFileSync(SUBSET_ARCHIVE)), 'images_background_subset.zip', decodeImage);
    expect(dataset.warnings).toEqual([]);
    expect([...new Set(dataset.classes.map((cls) => cls.group))]).toEqual(['Greek', 'Hebrew', 'Latin', 'Tagalog']);
    expect(dataset.classes).toHaveLength(89);
    expect(dataset.classes.every((cls) => cls.count === 20)).toBe(true);
    expect(dataset.classes[0].name).toBe('Greek/character01');
    expectSparseBrightStrokes(dataset);
  });

  it('holds the official files unchanged (checked against the whole archive when it is here)', async (context) => {
    const full = fullOmniglotOrSkipNotice(context.task.name);
    if (!full) return context.skip(FULL_OMNIGLOT_MISSING);
    const official = openZip(new Uint8Array(readFileSync(full)), 'images_background.zip');
    const subset = openZip(new Uint8Array(readFileSync(SUBSET_ARCHIVE)), 'images_background_subset.zip');
    const byPath = new Map(official.entries.map((entry) => [entry.path, entry]));
    const alphabets = new Set(subset.entries.map((entry) => entry.path.split('/')[1]));
    // Every drawing of the chosen alphabets, and nothing else.
    expect(subset.entries.length).toBe(official.entries.filter((entry) => alphabets.has(entry.path.split('/')[1])).length);
    for (const entry of subset.entries) {
      const original = byPath.get(entry.path);
      expect(original, entry.path).toBeDefined();
      expect(Buffer.compare(subset.read(entry), official.read(original!)), entry.path).toBe(0);
    }
  });
});

describe('the whole images_background.zip (when it is on this machine)', () => {
  it('loads 30 alphabets, 964 characters, 20 drawers each, with sparse bright strokes', async (context) => {
    const full = fullOmniglotOrSkipNotice(context.task.name);
    if (!full) return context.skip(FULL_OMNIGLOT_MISSING);
    const started = performance.now();
    const dataset = await loadOmniglotArchive(new Uint8Array(readFileSync(full)), 'images_background.zip', decodeImage);
    console.info(`Loaded ${full} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    expect(dataset.warnings).toEqual([]);
    expect(new Set(dataset.classes.map((cls) => cls.group)).size).toBe(30);
    expect(dataset.classes).toHaveLength(964);
    expect(dataset.classes.every((cls) => cls.count === 20)).toBe(true);
    expect(dataset.classes[0].name).toBe('Alphabet_of_the_Magi/character01');
    expectSparseBrightStrokes(dataset);
  });
});
