// A dataset as a zip and back (src/ui/userData/datasetZip.ts): the <class>/<image> layout with the
// stored bytes, names made safe and unique, and the round trip export -> import giving the same
// classes and image bytes.
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { datasetFromZip, datasetToZip, datasetZipName, safeName } from '../../../src/ui/userData/datasetZip';
import { addClass, addImages, createDataset, type NewImage, type OwnDatasetRecord } from '../../../src/ui/userData/ownDataset';
import { WEBP_HEADER, deterministic, jpeg, nodePrepare, png } from './helpers';

function dataset(): OwnDatasetRecord {
  const ctx = deterministic();
  let ds = createDataset('My pets: 2024', ctx);
  for (const name of ['cats', 'dogs', 'a:b', 'a_b', 'empty']) ds = addClass(ds, name, ctx);
  const add = (index: number, images: NewImage[]) => {
    ds = addImages(ds, ds.classes[index].id, images, ctx).dataset;
  };
  add(0, [
    { name: 'cat1.png', type: 'image/png', bytes: png(1), width: 12, height: 10 },
    { name: 'webcam 1', type: 'image/jpeg', bytes: jpeg(2), width: 16, height: 8 },
    { name: 'cat1.png.jpg', type: 'image/jpeg', bytes: jpeg(3), width: 16, height: 8 },
  ]);
  add(1, [
    { name: 'dog?.png', type: 'image/png', bytes: png(4), width: 12, height: 10 },
    { name: 'dog_.png', type: 'image/png', bytes: png(5), width: 12, height: 10 },
    { name: 'w.webp', type: 'image/webp', bytes: WEBP_HEADER, width: 1, height: 1 },
  ]);
  add(2, [{ name: 'x.png', type: 'image/png', bytes: png(6), width: 12, height: 10 }]);
  add(3, [{ name: 'y.png', type: 'image/png', bytes: png(7), width: 12, height: 10 }]);
  return ds;
}

describe('datasetToZip', () => {
  it('writes <class>/<image> with the stored bytes, safe and unique names, and empty classes as folders', () => {
    const zip = datasetToZip(dataset());
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual([
      'cats/cat1.png',
      'cats/webcam 1.jpg',
      'cats/cat1.png.jpg',
      'dogs/dog_.png',
      'dogs/dog_ (2).png',
      'dogs/w.webp',
      'a_b/x.png',
      'a_b (2)/y.png',
      'empty/',
    ]);
    expect(entries['cats/webcam 1.jpg']).toEqual(jpeg(2));
    expect(entries['dogs/dog_ (2).png']).toEqual(png(5));
    expect(datasetZipName(dataset())).toBe('My pets_ 2024.zip');
  });

  it('makes names safe on every system', () => {
    expect(safeName('a/b\\c:d*e?f"g<h>i|j', 'x')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeName(' trailing dots... ', 'x')).toBe('trailing dots');
    expect(safeName('.hidden', 'x')).toBe('_hidden');
    expect(safeName('CON', 'x')).toBe('_CON');
    expect(safeName('nul.png', 'x')).toBe('_nul.png');
    expect(safeName('   ', 'fallback')).toBe('fallback');
  });
});

describe('export then import', () => {
  it('gives back the same classes and image bytes', async () => {
    const original = dataset();
    const zip = datasetToZip(original);
    const { dataset: back, problems } = await datasetFromZip(zip, 'My pets.zip', nodePrepare, deterministic());
    expect(back.name).toBe('My pets');
    expect(problems).toEqual(['empty: an empty folder; put images of the class in it (class skipped)']);

    // The same classes and, per class, the same bytes and formats. Names come back as exported
    // (made safe and unique), order as the import sorts (natural, by path).
    const contents = (ds: OwnDatasetRecord) =>
      ds.classes
        .filter((c) => c.images.length > 0)
        .map((c) => c.images.map((i) => `${i.type} ${Array.from(i.bytes).join(',')}`).sort())
        .sort();
    expect(back.classes.map((c) => c.name).sort()).toEqual(['a_b', 'a_b (2)', 'cats', 'dogs']);
    expect(contents(back)).toEqual(contents(original));
    expect(back.classes.find((c) => c.name === 'cats')!.images.map((i) => i.name)).toEqual(['cat1.png', 'cat1.png.jpg', 'webcam 1.jpg']);
    expect(back.classes.find((c) => c.name === 'dogs')!.images.map((i) => [i.name, i.type, i.width])).toEqual([
      ['dog_ (2).png', 'image/png', 12],
      ['dog_.png', 'image/png', 12],
      ['w.webp', 'image/webp', 1],
    ]);
  });

  it('keeps every picture of a zip whose folders repeat file names, skipping only the same bytes again, said once per class', async () => {
    // train/ and val/ both hold cats/IMG_0001.jpg (different pictures) and IMG_0002.jpg (the same picture).
    const zip = zipSync({
      'set/train/cats/IMG_0001.jpg': jpeg(1),
      'set/train/cats/IMG_0002.jpg': jpeg(2),
      'set/val/cats/IMG_0001.jpg': jpeg(3),
      'set/val/cats/IMG_0002.jpg': jpeg(2),
      'set/val/dogs/IMG_0001.jpg': jpeg(1),
    });
    const { dataset: back, problems, notes } = await datasetFromZip(zip, 'set.zip', nodePrepare, deterministic());
    expect(back.classes.map((c) => [c.name, c.images.map((i) => [i.name, i.bytes])])).toEqual([
      ['cats', [['IMG_0001.jpg', jpeg(1)], ['IMG_0002.jpg', jpeg(2)], ['IMG_0001 (2).jpg', jpeg(3)]]],
      ['dogs', [['IMG_0001.jpg', jpeg(1)]]],
    ]);
    expect(problems).toEqual([]);
    expect(notes).toEqual([
      '1 image was already in “cats” (same content) and was skipped.',
      '“cats” already had an image named “IMG_0001.jpg”, so the new one was kept as “IMG_0001 (2).jpg”; nothing was replaced.',
    ]);
  });

  it('rejects a file that is not a zip with a clear message', async () => {
    await expect(datasetFromZip(new TextEncoder().encode('<html>'), 'x.zip', nodePrepare)).rejects.toThrow(/x\.zip is not a zip archive/);
  });
});
