// Turning the user's files into classes (src/ui/userData/ingest.ts) and the pure half of preparing
// images (imageFormat.ts): a generated folder with planted trouble (a .txt, a GIF, a broken PNG, an
// empty folder, loose files, system litter) still loads everything usable, and each problem is
// reported on its own line; repeated file names are all kept (addImages and mergeClasses rename
// them), and each image carries the SHA-256 of its stored bytes. Decoding is Node's (pngjs,
// jpeg-js) through nodePrepare.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestFiles, type PrepareImage } from '../../../src/ui/userData/ingest';
import {
  MAX_SIDE,
  UnusableImageError,
  extensionFor,
  hasExtensionFor,
  sniffImageType,
  storedSize,
} from '../../../src/ui/userData/imageFormat';
import { BROKEN_PNG, WEBP_HEADER, deterministic, jpeg, nodePrepare, png, text, userFiles } from './helpers';

const GIF = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0]);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const summary = (classes: Array<{ name: string; images: Array<{ name: string }> }>) => classes.map((c) => [c.name, c.images.map((i) => i.name)]);

describe('sniffing formats and choosing the stored size', () => {
  it('knows PNG, JPEG and WebP by their first bytes, and nothing else', () => {
    expect(sniffImageType(png(1))).toBe('image/png');
    expect(sniffImageType(jpeg(1))).toBe('image/jpeg');
    expect(sniffImageType(WEBP_HEADER)).toBe('image/webp');
    expect(sniffImageType(GIF)).toBeNull();
    expect(sniffImageType(text('hello, world'))).toBeNull();
    expect(sniffImageType(new Uint8Array(0))).toBeNull();
    expect(sniffImageType(new Uint8Array([0x89, 0x50]))).toBeNull();
    expect(extensionFor('image/jpeg')).toBe('.jpg');
    expect(hasExtensionFor('a.JPEG', 'image/jpeg')).toBe(true);
    expect(hasExtensionFor('a.png', 'image/jpeg')).toBe(false);
    expect(hasExtensionFor('.png', 'image/png')).toBe(false);
  });

  it('keeps images up to 512 px on the longest side and scales larger ones down, aspect kept', () => {
    expect(MAX_SIDE).toBe(512);
    expect(storedSize(512, 300)).toEqual({ width: 512, height: 300, scaled: false });
    expect(storedSize(4032, 3024)).toEqual({ width: 512, height: 384, scaled: true });
    expect(storedSize(3024, 4032)).toEqual({ width: 384, height: 512, scaled: true });
    expect(storedSize(10000, 5)).toEqual({ width: 512, height: 1, scaled: true });
    expect(() => storedSize(0, 10)).toThrow(UnusableImageError);
  });
});

describe('ingestFiles from folders', () => {
  it('loads a generated folder with planted trouble: each problem on its own line, the rest loads', async () => {
    const files = userFiles({
      'myset/cats/cat1.png': png(1),
      'myset/cats/cat2.jpg': jpeg(2),
      'myset/cats/cat10.png': png(3),
      'myset/cats/notes.txt': text('not a picture'),
      'myset/cats/broken.png': BROKEN_PNG,
      'myset/dogs/dog1.png': png(4),
      'myset/dogs/anim.gif': GIF,
      'myset/dogs/.DS_Store': text('litter'),
      'myset/dogs/Thumbs.db': text('litter'),
      'myset/__MACOSX/dogs/._dog1.png': text('resource fork'),
      'myset/.hidden/x.png': png(5),
      'myset/empty/': null,
      'myset/train/birds/b1.png': png(6),
      'myset/val/birds/b1.png': png(7),
      'myset/val/birds/b2.png': png(8),
      'myset/README.md': text('about'),
      'myset/gone/g.png': null,
    });
    const progress: Array<[number, number]> = [];
    const { classes, problems } = await ingestFiles(files, nodePrepare, { ...deterministic(), onProgress: (d, t) => progress.push([d, t]) });
    expect(summary(classes)).toEqual([
      ['cats', ['cat1.png', 'cat2.jpg', 'cat10.png']],
      ['dogs', ['dog1.png']],
      ['birds', ['b1.png', 'b1.png', 'b2.png']],
    ]);
    expect(problems).toEqual([
      'myset/README.md: not inside a class folder (each class is a folder of images, e.g. cats/1.jpg) (skipped)',
      'myset/cats/broken.png: the browser could not decode this image (skipped)',
      'myset/cats/notes.txt: not a PNG, JPEG or WebP image (skipped)',
      'myset/dogs/anim.gif: not a PNG, JPEG or WebP image (skipped)',
      'myset/gone/g.png: the file could not be read (gone); it may have been moved or deleted (skipped)',
      'empty: an empty folder; put images of the class in it (class skipped)',
      'gone: no usable image in this folder (class skipped)',
    ]);
    // Stored as read, with the decoder's sizes, ids from the context.
    const cat2 = classes[0].images[1];
    expect(cat2).toMatchObject({ type: 'image/jpeg', width: 16, height: 8 });
    expect(cat2.bytes).toEqual(jpeg(2));
    expect(cat2.hash).toBe(sha256(jpeg(2)));
    // train/birds/b1.png and val/birds/b1.png are different pictures: both kept, told apart by hash.
    expect(classes[2].images.map((i) => i.hash)).toEqual([sha256(png(6)), sha256(png(7)), sha256(png(8))]);
    expect(classes[0].images[0].id).toMatch(/^id-\d+$/);
    expect(progress.at(-1)).toEqual([11, 11]);
  });

  it('takes the folder directly holding a file as its class when there is no common top folder', async () => {
    const { classes, problems } = await ingestFiles(
      userFiles({ 'cats/1.png': png(1), 'dogs/1.png': png(2), 'stray.png': png(3), '/dogs/2.png': png(4), 'cats\\3.png': png(5) }),
      nodePrepare,
    );
    expect(summary(classes)).toEqual([
      ['cats', ['1.png', '3.png']],
      ['dogs', ['1.png', '2.png']],
    ]);
    expect(problems).toEqual(['stray.png: not inside a class folder (each class is a folder of images, e.g. cats/1.jpg) (skipped)']);
  });

  it('treats one picked class folder as that class', async () => {
    const { classes, problems } = await ingestFiles(userFiles({ 'cats/a.png': png(1), 'cats/b.png': png(2) }), nodePrepare);
    expect(summary(classes)).toEqual([['cats', ['a.png', 'b.png']]]);
    expect(problems).toEqual([]);
  });

  it('says so when nothing usable was found', async () => {
    const none = await ingestFiles(userFiles({ '.DS_Store': text('x') }), nodePrepare);
    expect(none).toEqual({
      classes: [],
      problems: ['No image files were found; choose PNG, JPEG or WebP images (for several classes at once, each class is a folder of images, e.g. cats/1.jpg).'],
    });
    expect((await ingestFiles([], nodePrepare)).problems).toHaveLength(1);
    const empty = await ingestFiles(userFiles({ 'cats/a.png': new Uint8Array(0) }), nodePrepare);
    expect(empty.problems).toEqual(['cats/a.png: an empty file (0 bytes) (skipped)', 'cats: no usable image in this folder (class skipped)']);
  });

  it('reports a folder that could not be listed, as dropFiles marks it', async () => {
    const { problems } = await ingestFiles(
      [{ path: 'cats/', unreadable: 'this folder could not be read (denied)', read: () => Promise.reject(new Error('never read')) }],
      nodePrepare,
    );
    expect(problems).toEqual(['cats: this folder could not be read (denied) (skipped)']);
  });
});

describe('ingestFiles into one class', () => {
  it('puts every file into the given class regardless of folders, keeping repeated names and reporting non-images', async () => {
    const { classes, problems } = await ingestFiles(
      userFiles({ 'IMG_1.jpg': jpeg(1), 'sub/IMG_2.png': png(2), 'other/IMG_1.jpg': jpeg(3), 'x.txt': text('no'), 'w.webp': WEBP_HEADER }),
      nodePrepare,
      { intoClass: 'cats' },
    );
    // In path order (natural, code units), whatever order the picker gave.
    expect(summary(classes)).toEqual([['cats', ['IMG_1.jpg', 'IMG_1.jpg', 'IMG_2.png', 'w.webp']]]);
    expect(classes[0].images.map((i) => i.bytes)).toEqual([jpeg(1), jpeg(3), png(2), WEBP_HEADER]);
    expect(classes[0].images[3].type).toBe('image/webp');
    expect(problems).toEqual(['x.txt: not a PNG, JPEG or WebP image (skipped)']);
  });

  it("uses the decoder's own words only for UnusableImageError, else the standard message", async () => {
    const picky: PrepareImage = async (bytes, name) => {
      if (name === 'huge.png') throw new UnusableImageError('too large to decode (40000×30000 px)');
      if (name === 'odd.png') throw new TypeError('internal failure 0x1234');
      return nodePrepare(bytes, name);
    };
    const { classes, problems } = await ingestFiles(userFiles({ 'huge.png': png(1), 'odd.png': png(2), 'ok.png': png(3) }), picky, { intoClass: 'c' });
    expect(summary(classes)).toEqual([['c', ['ok.png']]]);
    expect(problems).toEqual([
      'huge.png: too large to decode (40000×30000 px) (skipped)',
      'odd.png: the browser could not decode this image (skipped)',
    ]);
  });
});
