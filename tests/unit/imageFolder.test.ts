// The image-folder reader (<class>/<image>, from a walked directory and from a zip), the Node
// source reader behind --data, and the Node image decoder (PNG of every common kind, JPEG).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareNatural, imageFolderFromZip, loadImageFolder } from '../../src/core/data/imageFolder';
import { decodeImage } from '../../src/node/decodeImage';
import { readImageSource } from '../../src/node/readSource';
import {
  encodeGreyPng,
  encodeJpeg,
  encodeOneBitPng,
  encodePalettePng,
  encodeRgbPng,
  encodeRgbaPng,
  greyPicture,
} from './fixtures/images';

/** width x height RGB filled with one colour. */
function solid(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgb, 3 * p);
  return data;
}

/** 60 wide x 20 high: red left and right margins, a blue 20x20 centre. */
function widePhoto(): Uint8Array {
  const data = solid(60, 20, [255, 0, 0]);
  for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) data.set([0, 0, 255], (y * 60 + x) * 3);
  return data;
}

const RED: [number, number, number] = [255, 0, 0];
const GREEN: [number, number, number] = [0, 255, 0];

/** The files of a small photo folder, paths relative to its root (folders end in '/'). */
function photoFolder(): Record<string, Uint8Array> {
  const png = encodeGreyPng(10, 10, greyPicture(10, 10, [], 0, 200));
  return {
    'cats/img2.png': encodeRgbPng(16, 16, solid(16, 16, RED)),
    'cats/img10.png': encodeRgbPng(16, 16, solid(16, 16, GREEN)),
    'cats/img3.jpg': encodeJpeg(16, 16, solid(16, 16, RED)),
    'cats/readme.md': new TextEncoder().encode('# cats'),
    'cats/.DS_Store': new Uint8Array([0, 0, 0, 1]),
    'dogs/wide.jpg': encodeJpeg(60, 20, widePhoto()),
    'dogs/grey.png': png,
    'dogs/broken.png': png.slice(0, 40),
    'notes/todo.txt': new TextEncoder().encode('label more'),
    'empty/': new Uint8Array(0),
    '.git/HEAD': new TextEncoder().encode('ref: refs/heads/main'),
    'labels.csv': new TextEncoder().encode('a,b'),
  };
}

function expectPhotoDataset(dataset: Awaited<ReturnType<typeof loadImageFolder>>, prefix: string): void {
  expect(dataset.classes.map((cls) => [cls.name, cls.group, cls.count])).toEqual([
    ['cats', 'cats', 3],
    ['dogs', 'dogs', 2],
  ]);
  expect([dataset.height, dataset.width, dataset.channels]).toEqual([8, 8, 3]);
  const cats = dataset.classes[0];
  // Natural order: img2, img3, img10.
  expect(cats.sources).toEqual([`${prefix}cats/img2.png`, `${prefix}cats/img3.jpg`, `${prefix}cats/img10.png`]);
  expect([...cats.pixels.subarray(0, 3)]).toEqual(RED);
  const jpegRed = cats.pixels.subarray(8 * 8 * 3, 8 * 8 * 3 + 3);
  expect(jpegRed[0]).toBeGreaterThan(240);
  expect(jpegRed[1]).toBeLessThan(15);
  expect([...cats.pixels.subarray(2 * 8 * 8 * 3, 2 * 8 * 8 * 3 + 3)]).toEqual(GREEN);

  // The wide JPEG is centre-cropped to its blue middle (red margins gone), the grey PNG copied to RGB.
  const dogs = dataset.classes[1];
  expect(dogs.sources).toEqual([`${prefix}dogs/grey.png`, `${prefix}dogs/wide.jpg`]);
  expect([...dogs.pixels.subarray(0, 3)]).toEqual([200, 200, 200]);
  const wide = dogs.pixels.subarray(8 * 8 * 3, 2 * 8 * 8 * 3);
  for (let p = 0; p < 64; p++) {
    expect(wide[3 * p], `red of pixel ${p}`).toBeLessThan(30);
    expect(wide[3 * p + 2], `blue of pixel ${p}`).toBeGreaterThan(220);
  }

  const warnings = dataset.warnings.join('\n');
  expect(warnings).toMatch(new RegExp(`${prefix}cats/readme\\.md: not an image`));
  expect(warnings).toMatch(new RegExp(`${prefix}dogs/broken\\.png: corrupt PNG`));
  expect(warnings).toMatch(/notes: class folder has no image files/);
  expect(warnings).toMatch(/empty: class folder has no image files/);
  expect(warnings).toMatch(/labels\.csv: not an image/);
  expect(warnings).not.toMatch(/DS_Store|\.git/);
  expect(dataset.warnings).toHaveLength(6); // readme, todo.txt, notes, empty, broken, labels.csv
}

describe('loadImageFolder from a directory (readImageSource)', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fsl-folder-'));
    for (const [path, bytes] of Object.entries(photoFolder())) {
      if (path.endsWith('/')) {
        mkdirSync(join(root, path), { recursive: true });
        continue;
      }
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), bytes);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads one class per folder, centre-crops, and reports non-images, broken files and empty classes', async () => {
    const source = await readImageSource(root);
    if (source.kind !== 'folder') throw new Error('expected a folder');
    expect(source.files.some((file) => file.path.startsWith('.git'))).toBe(false);
    const dataset = await loadImageFolder(source.files, source.name, decodeImage, { height: 8, width: 8, channels: 3 });
    expectPhotoDataset(dataset, '');
  });

  it('tells what to pass when the path is missing or not a folder or zip', async () => {
    await expect(readImageSource(join(root, 'nope'))).rejects.toThrow(/^No such file or directory: .*nope\. Pass --data with/);
    await expect(readImageSource(join(root, 'labels.csv'))).rejects.toThrow(/labels\.csv is a file but not a zip archive/);
  });
});

describe('imageFolderFromZip', () => {
  it('looks through one common top folder and reads the same classes as from a directory', async () => {
    const files = Object.fromEntries(Object.entries(photoFolder()).map(([path, bytes]) => [`myset/${path}`, bytes]));
    const zip = zipSync({ ...files, '__MACOSX/myset/cats/._img2.png': new Uint8Array([1, 2]) });
    const dataset = await imageFolderFromZip(zip, 'myset.zip', decodeImage, { height: 8, width: 8, channels: 3 });
    expectPhotoDataset(dataset, 'myset/');
    expect(dataset.name).toBe('myset.zip');
  });

  it('reads a zip file named on the command line as bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsl-zip-'));
    try {
      writeFileSync(join(dir, 'set.zip'), zipSync({ 'a/x.png': encodeGreyPng(4, 4, new Uint8Array(16)) }));
      const source = await readImageSource(join(dir, 'set.zip'));
      expect(source.kind).toBe('zip');
      if (source.kind !== 'zip') return;
      const dataset = await imageFolderFromZip(source.bytes, source.name, decodeImage, { height: 2, width: 2, channels: 1 });
      expect(dataset.classes.map((cls) => [cls.name, cls.count])).toEqual([['a', 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws with the expected layout when no class has a readable image', async () => {
    const loose = zipSync({ 'a.png': encodeGreyPng(4, 4, new Uint8Array(16)), 'cls/readme.txt': new Uint8Array([65]) });
    await expect(imageFolderFromZip(loose, 'loose.zip', decodeImage, { height: 4, width: 4, channels: 1 })).rejects.toThrow(
      /loose\.zip: no class folder with at least one readable image.*cats\/001\.jpg.*a\.png: an image outside any class folder/s,
    );
    await expect(
      loadImageFolder([{ path: 'c/x.png', bytes: new Uint8Array(1) }], 'bad', decodeImage, { height: 0, width: 4, channels: 1 }),
    ).rejects.toThrow(/height must be a whole number of pixels/);
  });
});

describe('decodeImage (Node)', () => {
  const picture = greyPicture(13, 7, [{ top: 2, left: 3, bottom: 5, right: 11 }], 0, 255);

  it('decodes 8-bit and 1-bit greyscale PNGs to one channel with the same pixels', () => {
    for (const bytes of [encodeGreyPng(13, 7, picture), encodeOneBitPng(13, 7, picture)]) {
      const image = decodeImage(bytes, 'x.png') as Exclude<ReturnType<typeof decodeImage>, Promise<unknown>>;
      expect([image.width, image.height, image.channels]).toEqual([13, 7, 1]);
      expect([...image.data]).toEqual([...picture]);
    }
  });

  it('agrees with pngjs on 16-bit grey, palette, RGB and RGBA PNGs', () => {
    const grey16 = new PNG({ width: 3, height: 1 });
    // pngjs takes 16-bit RGBA input when writing 16 bits.
    grey16.data = Buffer.from(new Uint16Array([0, 0, 0, 65535, 32896, 32896, 32896, 65535, 65535, 65535, 65535, 65535]).buffer);
    const cases: Array<[string, Uint8Array, number, number[]]> = [
      ['grey16', new Uint8Array(PNG.sync.write(grey16, { colorType: 0, bitDepth: 16 })), 1, [0, 128, 255]],
      ['palette', encodePalettePng(2, 1, [[255, 0, 0], [0, 0, 255]], Uint8Array.from([1, 0])), 3, [0, 0, 255, 255, 0, 0]],
      ['rgb', encodeRgbPng(2, 1, Uint8Array.from([1, 2, 3, 4, 5, 6])), 3, [1, 2, 3, 4, 5, 6]],
      ['rgba', encodeRgbaPng(1, 1, Uint8Array.from([9, 8, 7, 100])), 4, [9, 8, 7, 100]],
    ];
    for (const [label, bytes, channels, data] of cases) {
      const image = decodeImage(bytes, `${label}.png`) as Exclude<ReturnType<typeof decodeImage>, Promise<unknown>>;
      expect(image.channels, label).toBe(channels);
      expect([...image.data], label).toEqual(data);
    }
  });

  it('sniffs the format from the bytes, not the name, and names the file in errors', () => {
    const jpeg = decodeImage(encodeJpeg(8, 8, solid(8, 8, GREEN)), 'photo.png') as Exclude<ReturnType<typeof decodeImage>, Promise<unknown>>;
    expect([jpeg.width, jpeg.height, jpeg.channels]).toEqual([8, 8, 3]);
    expect(jpeg.data[1]).toBeGreaterThan(240);
    expect(() => decodeImage(new TextEncoder().encode('hello'), 'a/notes.png')).toThrow(/^a\/notes\.png: not a PNG or JPEG image$/);
    const png = encodeGreyPng(13, 7, picture);
    expect(() => decodeImage(png.slice(0, 50), 'cut.png')).toThrow(/^cut\.png: corrupt PNG: the file ends early \(truncated\)$/);
    const damaged = png.slice();
    damaged[damaged.length - 20] ^= 0xff; // inside the IDAT data: its CRC no longer matches
    expect(() => decodeImage(damaged, 'flip.png')).toThrow(/^flip\.png: corrupt PNG: /);
    expect(() => decodeImage(new TextEncoder().encode('GIF89a......'), 'anim.gif')).toThrow(/anim\.gif: GIF images cannot be read here/);
  });
});

describe('compareNatural', () => {
  it('orders runs of digits by value and is otherwise code-unit order', () => {
    expect(['img10', 'img2', 'img1', 'Img3', 'img2b'].sort(compareNatural)).toEqual(['Img3', 'img1', 'img2', 'img2b', 'img10']);
  });
});
