// The data model of the user's own datasets (src/ui/userData/ownDataset.ts): pure operations that
// return new records, refusals with messages that say what to do, and per-file problems.
import { describe, expect, it } from 'vitest';
import {
  OwnDataError,
  addClass,
  addImages,
  createDataset,
  datasetProblems,
  datasetStats,
  deleteClass,
  deleteImage,
  mergeClasses,
  randomId,
  renameClass,
  renameDataset,
  renameImage,
  toOwnClasses,
  type NewImage,
  type OwnDatasetRecord,
} from '../../../src/ui/userData/ownDataset';
import { deterministic, png } from './helpers';

const image = (name: string, seed = 1): NewImage => ({ name, type: 'image/png', bytes: png(seed), width: 12, height: 10 });

function thrown(fn: () => unknown): OwnDataError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OwnDataError);
    return error as OwnDataError;
  }
  throw new Error('expected an OwnDataError');
}

/** "cats" with cat1.png, cat2.png and an empty "dogs". */
function sample(): { ds: OwnDatasetRecord; ctx: ReturnType<typeof deterministic> } {
  const ctx = deterministic();
  let ds = createDataset('  Pets  ', ctx);
  ds = addClass(ds, 'cats', ctx);
  ds = addClass(ds, 'dogs', ctx);
  ds = addImages(ds, ds.classes[0].id, [image('cat1.png', 1), image('cat2.png', 2)], ctx).dataset;
  return { ds, ctx };
}

describe('creating and editing a dataset', () => {
  it('creates a named, empty dataset with ids and times from the context', () => {
    const ds = createDataset('  Pets  ', deterministic());
    expect(ds).toEqual({ id: 'id-1', name: 'Pets', createdAt: 1000, updatedAt: 1000, classes: [] });
    expect(thrown(() => createDataset('   ')).message).toBe('A dataset needs a name; type at least one character.');
  });

  it('returns new records and leaves the input unchanged', () => {
    const { ds, ctx } = sample();
    const frozen = structuredClone(ds);
    const renamed = renameClass(ds, ds.classes[0].id, 'Kittens', ctx);
    expect(renamed).not.toBe(ds);
    expect(ds).toEqual(frozen);
    expect(renamed.classes.map((c) => c.name)).toEqual(['Kittens', 'dogs']);
    expect(renamed.updatedAt).toBeGreaterThan(ds.updatedAt);
    expect(renameDataset(ds, ' Animals ', ctx).name).toBe('Animals');
  });

  it('refuses empty, duplicate (ignoring case), slashed and hidden class names, saying what to do', () => {
    const { ds } = sample();
    expect(thrown(() => addClass(ds, '  ')).message).toBe('A class needs a name; type at least one character, e.g. "cats".');
    expect(thrown(() => addClass(ds, 'CATS')).message).toBe(
      'There is already a class named "cats" (names ignore upper and lower case); choose another name, or add the images to that class.',
    );
    expect(thrown(() => addClass(ds, 'cats/kittens')).message).toBe(
      'The class name "cats/kittens" contains a slash; class names become folder names, so use another character, e.g. "-".',
    );
    expect(thrown(() => addClass(ds, '.hidden')).message).toContain('hidden or system folder');
    // Renaming a class to its own name in another case is fine; to another class's name is not.
    expect(renameClass(ds, ds.classes[0].id, 'Cats').classes[0].name).toBe('Cats');
    expect(thrown(() => renameClass(ds, ds.classes[1].id, 'Cats')).message).toContain('There is already a class named "cats"');
  });

  it('deletes classes and images, and renames images without duplicates in the class', () => {
    const { ds } = sample();
    const cats = ds.classes[0];
    const renamed = renameImage(ds, cats.id, cats.images[0].id, '  tabby.png ');
    expect(renamed.classes[0].images.map((i) => i.name)).toEqual(['tabby.png', 'cat2.png']);
    expect(thrown(() => renameImage(ds, cats.id, cats.images[0].id, 'CAT2.png')).message).toBe(
      'Class "cats" already has a file named "cat2.png"; choose another name.',
    );
    expect(thrown(() => renameImage(ds, cats.id, cats.images[0].id, ' ')).message).toContain('An image needs a file name');
    expect(thrown(() => renameImage(ds, cats.id, 'gone', 'x.png')).message).toContain('no longer in the class');
    expect(thrown(() => renameClass(ds, 'gone', 'x')).message).toContain('no longer in the dataset');

    const fewer = deleteImage(ds, cats.id, cats.images[0].id);
    expect(fewer.classes[0].images.map((i) => i.name)).toEqual(['cat2.png']);
    expect(deleteImage(ds, cats.id, 'gone')).toBe(ds);
    expect(deleteClass(ds, ds.classes[1].id).classes.map((c) => c.name)).toEqual(['cats']);
    expect(deleteClass(ds, 'gone')).toBe(ds);
  });
});

describe('adding images', () => {
  const names = (ds: OwnDatasetRecord, index = 0) => ds.classes[index].images.map((i) => i.name);

  it('keeps an image whose name is taken (ignoring case) under a free name, the number before the extension, losing nothing', () => {
    const { ds, ctx } = sample();
    const before = ds.classes[0].images;
    const { dataset, problems, notes } = addImages(ds, ds.classes[0].id, [image('CAT1.PNG', 11), image('cat1.png', 12), image('cat3.png', 13)], ctx);
    expect(names(dataset)).toEqual(['cat1.png', 'cat2.png', 'CAT1 (2).PNG', 'cat1 (3).png', 'cat3.png']);
    // What was there is untouched; each new image holds its own bytes.
    expect(dataset.classes[0].images.slice(0, 2)).toEqual(before);
    expect(dataset.classes[0].images[0].bytes).toBe(before[0].bytes);
    expect(dataset.classes[0].images.slice(2).map((i) => i.bytes)).toEqual([png(11), png(12), png(13)]);
    expect(problems).toEqual([]);
    expect(notes).toEqual(['2 images had names already in “cats”, so they were kept under new names (e.g. “CAT1.PNG” as “CAT1 (2).PNG”); nothing was replaced.']);
    // Every image has its own id.
    const ids = dataset.classes.flatMap((c) => c.images.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps batch after batch of camera photos whose numbering restarts: IMG_0001.jpg, then "IMG_0001 (2).jpg", then "(3)"', () => {
    const { ds, ctx } = sample();
    const dogs = ds.classes[1].id;
    let next = addImages(ds, dogs, [image('IMG_0001.jpg', 21), image('IMG_0002.jpg', 22)], ctx);
    expect(next.notes).toEqual([]);
    next = addImages(next.dataset, dogs, [image('IMG_0001.jpg', 23), image('IMG_0002.jpg', 24)], ctx);
    expect(next.notes).toEqual(['2 images had names already in “dogs”, so they were kept under new names (e.g. “IMG_0001.jpg” as “IMG_0001 (2).jpg”); nothing was replaced.']);
    next = addImages(next.dataset, dogs, [image('IMG_0001.jpg', 25)], ctx);
    expect(next.notes).toEqual(['“dogs” already had an image named “IMG_0001.jpg”, so the new one was kept as “IMG_0001 (3).jpg”; nothing was replaced.']);
    expect(next.problems).toEqual([]);
    const dogImages = next.dataset.classes[1].images;
    expect(dogImages.map((i) => [i.name, i.bytes])).toEqual([
      ['IMG_0001.jpg', png(21)],
      ['IMG_0002.jpg', png(22)],
      ['IMG_0001 (2).jpg', png(23)],
      ['IMG_0002 (2).jpg', png(24)],
      ['IMG_0001 (3).jpg', png(25)],
    ]);
  });

  it('skips only true duplicates (the same bytes as an image in the class, whatever the name), said once with the count', () => {
    const { ds, ctx } = sample();
    const cats = ds.classes[0].id;
    // cat1.png's bytes under another name, cat2.png again, and one new image.
    const { dataset, problems, notes } = addImages(ds, cats, [image('copy of cat1.png', 1), image('cat2.png', 2), image('new.png', 5)], ctx);
    expect(names(dataset)).toEqual(['cat1.png', 'cat2.png', 'new.png']);
    expect(problems).toEqual([]);
    expect(notes).toEqual(['2 images were already in “cats” (same content) and were skipped.']);
    const one = addImages(dataset, cats, [image('again.png', 5)], ctx);
    expect(one.dataset).toBe(dataset);
    expect(one.notes).toEqual(['1 image was already in “cats” (same content) and was skipped.']);
    // The same picture in another class is no duplicate: classes are compared on their own.
    const dogs = addImages(dataset, dataset.classes[1].id, [image('cat1.png', 1)], ctx);
    expect(names(dogs.dataset, 1)).toEqual(['cat1.png']);
    expect(dogs.notes).toEqual([]);
  });

  it('handles repeats within one batch: the same bytes again are skipped, another picture of the same name is renamed', () => {
    const { ds, ctx } = sample();
    const batch = [image('IMG_1.jpg', 7), image('IMG_1.jpg', 7), image('img_1.JPG', 8), image('copy.jpg', 8), image('IMG_1.jpg', 9)];
    const { dataset, problems, notes } = addImages(ds, ds.classes[1].id, batch, ctx);
    expect(dataset.classes[1].images.map((i) => [i.name, i.bytes])).toEqual([
      ['IMG_1.jpg', png(7)],
      ['img_1 (2).JPG', png(8)],
      ['IMG_1 (3).jpg', png(9)],
    ]);
    expect(problems).toEqual([]);
    expect(notes).toEqual([
      '2 images were already in “dogs” (same content) and were skipped.',
      '2 images had names already in “dogs”, so they were kept under new names (e.g. “img_1.JPG” as “img_1 (2).JPG”); nothing was replaced.',
    ]);
  });

  it('puts the number at the end of a name without extension, and before the last extension of a name with several dots', () => {
    const { ds, ctx } = sample();
    const dogs = ds.classes[1].id;
    const first = addImages(ds, dogs, [image('webcam 1', 31), image('my.dog.2024.jpg', 32), image('archive.tar.png', 33)], ctx);
    const { dataset } = addImages(first.dataset, dogs, [image('webcam 1', 34), image('my.dog.2024.jpg', 35), image('archive.tar.png', 36)], ctx);
    expect(names(dataset, 1)).toEqual(['webcam 1', 'my.dog.2024.jpg', 'archive.tar.png', 'webcam 1 (2)', 'my.dog.2024 (2).jpg', 'archive.tar (2).png']);
  });

  it('compares by hash when both images have one, byte by byte with records saved before hashes were kept', () => {
    const { ds, ctx } = sample(); // its images have no hash, as records saved before this change
    expect(ds.classes[0].images.every((i) => !('hash' in i))).toBe(true);
    const cats = ds.classes[0].id;
    // A hashed newcomer with cat1.png's bytes is still found to be a duplicate.
    const old = addImages(ds, cats, [{ ...image('IMG.png', 1), hash: 'h-of-cat1' }], ctx);
    expect(old.dataset).toBe(ds);
    expect(old.notes).toEqual(['1 image was already in “cats” (same content) and was skipped.']);
    // Among hashed images the hash decides, and the record keeps it.
    const hashed = addImages(ds, cats, [{ ...image('a.png', 41), hash: 'h41' }], ctx).dataset;
    expect(hashed.classes[0].images[2]).toMatchObject({ name: 'a.png', hash: 'h41' });
    const again = addImages(hashed, cats, [{ ...image('b.png', 41), hash: 'h41' }], ctx);
    expect(again.dataset).toBe(hashed);
    expect(again.notes).toEqual(['1 image was already in “cats” (same content) and was skipped.']);
  });

  it('keeps an image id it is given, refuses one already in use, and returns the same record when nothing is added', () => {
    const { ds } = sample();
    const takenId = ds.classes[0].images[0].id;
    const { dataset, problems } = addImages(ds, ds.classes[1].id, [{ ...image('dog1.png'), id: 'mine' }, { ...image('dog2.png', 2), id: takenId }]);
    expect(dataset.classes[1].images.map((i) => [i.id, i.name])).toEqual([['mine', 'dog1.png']]);
    expect(problems).toEqual(['dogs/dog2.png: this very image is already in the dataset (skipped)']);
    const nothing = addImages(ds, ds.classes[0].id, [image('cat1.png')]);
    expect(nothing.dataset).toBe(ds);
    expect(addImages(ds, ds.classes[0].id, [image('  ')]).problems).toEqual(['cats: an image without a file name; give it one (skipped)']);
  });

  it('merges incoming classes: existing names (ignoring case) get the images, new names become classes', () => {
    const { ds, ctx } = sample();
    const { dataset, problems, notes } = mergeClasses(
      ds,
      [
        { name: 'Cats', images: [image('cat2.png', 9), image('cat9.png', 10), image('cat1 copy.png', 1)] },
        { name: 'birds', images: [image('b1.png', 11), image('b1.png', 12)] },
        { name: 'a/b', images: [image('x.png', 13)] },
      ],
      ctx,
    );
    expect(dataset.classes.map((c) => [c.name, c.images.map((i) => i.name)])).toEqual([
      ['cats', ['cat1.png', 'cat2.png', 'cat2 (2).png', 'cat9.png']],
      ['dogs', []],
      ['birds', ['b1.png', 'b1 (2).png']],
    ]);
    expect(problems).toEqual([
      'a/b: The class name "a/b" contains a slash; class names become folder names, so use another character, e.g. "-" (class skipped)',
    ]);
    expect(notes).toEqual([
      '1 image was already in “cats” (same content) and was skipped.',
      '“cats” already had an image named “cat2.png”, so the new one was kept as “cat2 (2).png”; nothing was replaced.',
      '“birds” already had an image named “b1.png”, so the new one was kept as “b1 (2).png”; nothing was replaced.',
    ]);
  });
});

describe('what the worker gets, statistics and problems', () => {
  it('gives the protocol shape with image ids as keys', () => {
    const { ds } = sample();
    const classes = toOwnClasses(ds);
    expect(classes.map((c) => c.name)).toEqual(['cats', 'dogs']);
    expect(classes[0].images.map((i) => i.key)).toEqual(ds.classes[0].images.map((i) => i.id));
    expect(classes[0].images[0].bytes).toBe(ds.classes[0].images[0].bytes);
  });

  it('counts classes, images and bytes', () => {
    const { ds } = sample();
    const bytes = ds.classes[0].images.reduce((n, i) => n + i.bytes.length, 0);
    expect(datasetStats(ds)).toEqual({ classes: 2, images: 2, bytes, minPerClass: 0, maxPerClass: 2, emptyClasses: 1 });
    expect(datasetStats(createDataset('x'))).toEqual({ classes: 0, images: 0, bytes: 0, minPerClass: 0, maxPerClass: 0, emptyClasses: 0 });
  });

  it('says what blocks classification and accuracy estimates, and nothing when ready', () => {
    const ctx = deterministic();
    let ds = createDataset('x', ctx);
    expect(datasetProblems(ds)).toEqual(['Add at least two classes (e.g. "cats" and "dogs"), each with a few images.']);
    ds = addClass(ds, 'cats', ctx);
    expect(datasetProblems(ds)).toEqual([
      'Add a second class: a classifier needs at least two classes to choose between (there is only "cats").',
      'Class "cats" has no image yet: add a few (choose files, drop a folder or use the webcam), or delete the class.',
    ]);
    ds = addClass(ds, 'dogs', ctx);
    ds = addImages(ds, ds.classes[0].id, [image('c1.png', 1), image('c2.png', 2)], ctx).dataset;
    ds = addImages(ds, ds.classes[1].id, [image('d1.png')], ctx).dataset;
    expect(datasetProblems(ds)).toEqual([]);
    expect(datasetProblems(ds, 'estimate')).toEqual([
      'Class "dogs" has only one image: estimating accuracy leaves each image out in turn, so add at least one more.',
    ]);
  });

  it('makes distinct random ids', () => {
    const ids = new Set(Array.from({ length: 100 }, randomId));
    expect(ids.size).toBe(100);
  });
});
