// Telling images apart (src/ui/userData/sameImage.ts): the content hash is the SHA-256 of the bytes,
// the content index finds the same bytes with or without hashes (records saved before hashes were
// kept have none) and nothing else, and free file names put the number before the extension.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentIndex, contentHash, freeFileName, renamedNote, skippedDuplicatesNote } from '../../../src/ui/userData/sameImage';
import { png } from './helpers';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('contentHash', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is the SHA-256 of the bytes, as hex', async () => {
    // The standard test vector: SHA-256("abc").
    expect(await contentHash(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await contentHash(png(1))).not.toBe(await contentHash(png(2)));
  });

  it('is undefined where the browser has no SubtleCrypto (plain http), so images are compared by bytes', async () => {
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
    expect(await contentHash(png(1))).toBeUndefined();
  });
});

describe('ContentIndex', () => {
  it('finds the same bytes, hashed or not, and nothing else', async () => {
    const old = { bytes: png(1) }; // saved before hashes were kept
    const hashed = { bytes: png(2), hash: await contentHash(png(2)) };
    const index = new ContentIndex([old, hashed]);
    expect(index.has({ bytes: png(1), hash: await contentHash(png(1)) })).toBe(true);
    expect(index.has({ bytes: png(1) })).toBe(true);
    expect(index.has({ bytes: png(2), hash: hashed.hash })).toBe(true);
    expect(index.has({ bytes: png(2) })).toBe(true);
    expect(index.has({ bytes: png(3), hash: await contentHash(png(3)) })).toBe(false);
    // The same length, other bytes: not the same image.
    const same = new ContentIndex([{ bytes: bytes(1, 2, 3) }]);
    expect(same.has({ bytes: bytes(1, 2, 4) })).toBe(false);
    same.add({ bytes: bytes(1, 2, 4) });
    expect(same.has({ bytes: bytes(1, 2, 4) })).toBe(true);
    expect(new ContentIndex().has({ bytes: bytes() })).toBe(false);
  });
});

describe('freeFileName', () => {
  const taken = (...names: string[]) => {
    const keys = new Set(names.map((n) => n.toLowerCase()));
    return (candidate: string) => keys.has(candidate.toLowerCase());
  };

  it('puts the number before the extension, counting up past taken names', () => {
    expect(freeFileName('IMG_0001.jpg', taken('IMG_0001.jpg'))).toBe('IMG_0001 (2).jpg');
    expect(freeFileName('IMG_0001.jpg', taken('IMG_0001.jpg', 'img_0001 (2).JPG'))).toBe('IMG_0001 (3).jpg');
    // A name already numbered goes on counting rather than growing "(2) (2)".
    expect(freeFileName('IMG_0001 (2).jpg', taken('IMG_0001.jpg', 'IMG_0001 (2).jpg'))).toBe('IMG_0001 (3).jpg');
  });

  it('handles names without an extension, with several dots, and hidden-looking ones', () => {
    expect(freeFileName('webcam 1', taken('webcam 1'))).toBe('webcam 1 (2)');
    expect(freeFileName('my.cat.2024.png', taken('my.cat.2024.png'))).toBe('my.cat.2024 (2).png');
    expect(freeFileName('.png', taken('.png'))).toBe('.png (2)');
  });
});

describe('the notes', () => {
  it('say what happened once for the whole batch, with the count', () => {
    expect(skippedDuplicatesNote('cats', 2)).toBe('2 images were already in “cats” (same content) and were skipped.');
    expect(skippedDuplicatesNote('cats', 1)).toBe('1 image was already in “cats” (same content) and was skipped.');
    expect(renamedNote('cats', [{ from: 'a.jpg', to: 'a (2).jpg' }])).toBe(
      '“cats” already had an image named “a.jpg”, so the new one was kept as “a (2).jpg”; nothing was replaced.',
    );
    expect(renamedNote('cats', [{ from: 'a.jpg', to: 'a (2).jpg' }, { from: 'b.jpg', to: 'b (2).jpg' }])).toBe(
      '2 images had names already in “cats”, so they were kept under new names (e.g. “a.jpg” as “a (2).jpg”); nothing was replaced.',
    );
  });
});
