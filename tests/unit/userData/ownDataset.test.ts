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
  it('skips and reports a file whose name is already in the class, adding the rest', () => {
    const { ds, ctx } = sample();
    const { dataset, problems } = addImages(ds, ds.classes[0].id, [image('cat1.jpg'), image('CAT1.PNG'), image('cat3.png'), image('cat3.png')], ctx);
    expect(dataset.classes[0].images.map((i) => i.name)).toEqual(['cat1.png', 'cat2.png', 'cat1.jpg', 'cat3.png']);
    expect(problems).toEqual([
      'cats/CAT1.PNG: a file with this name is already in class "cats" (skipped)',
      'cats/cat3.png: a file with this name is already in class "cats" (skipped)',
    ]);
    // Every image has its own id.
    const ids = dataset.classes.flatMap((c) => c.images.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps an image id it is given, refuses one already in use, and returns the same record when nothing is added', () => {
    const { ds } = sample();
    const takenId = ds.classes[0].images[0].id;
    const { dataset, problems } = addImages(ds, ds.classes[1].id, [{ ...image('dog1.png'), id: 'mine' }, { ...image('dog2.png'), id: takenId }]);
    expect(dataset.classes[1].images.map((i) => [i.id, i.name])).toEqual([['mine', 'dog1.png']]);
    expect(problems).toEqual(['dogs/dog2.png: this very image is already in the dataset (skipped)']);
    const nothing = addImages(ds, ds.classes[0].id, [image('cat1.png')]);
    expect(nothing.dataset).toBe(ds);
    expect(addImages(ds, ds.classes[0].id, [image('  ')]).problems).toEqual(['cats: an image without a file name; give it one (skipped)']);
  });

  it('merges incoming classes: existing names (ignoring case) get the images, new names become classes', () => {
    const { ds, ctx } = sample();
    const { dataset, problems } = mergeClasses(
      ds,
      [
        { name: 'Cats', images: [image('cat2.png'), image('cat9.png')] },
        { name: 'birds', images: [image('b1.png')] },
        { name: 'a/b', images: [image('x.png')] },
      ],
      ctx,
    );
    expect(dataset.classes.map((c) => [c.name, c.images.map((i) => i.name)])).toEqual([
      ['cats', ['cat1.png', 'cat2.png', 'cat9.png']],
      ['dogs', []],
      ['birds', ['b1.png']],
    ]);
    expect(problems).toEqual([
      'cats/cat2.png: a file with this name is already in class "cats" (skipped)',
      'a/b: The class name "a/b" contains a slash; class names become folder names, so use another character, e.g. "-" (class skipped)',
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
    ds = addImages(ds, ds.classes[0].id, [image('c1.png'), image('c2.png')], ctx).dataset;
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
