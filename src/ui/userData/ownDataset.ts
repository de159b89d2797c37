// The user's own image datasets as data: a dataset is named classes of encoded images (PNG, JPEG
// or WebP bytes, as stored in IndexedDB and sent to the worker). Every operation here is pure: it
// returns a new record and leaves its input alone, so the store can keep the previous state for
// undo and React sees a new object. Mistakes a person can make (an empty or duplicate class name)
// throw an OwnDataError whose message says what to do; adding images never refuses one for its
// name (a taken name gets a free one, "IMG_0001 (2).jpg") and skips only true duplicates, saying
// so in `notes`; per-file trouble comes back in `problems` while the rest is still added. No DOM,
// no storage, no tfjs.
import type { OwnClass } from '../../worker/ownImagesProtocol';
import { ContentIndex, freeFileName, renamedNote, skippedDuplicatesNote } from './sameImage';

export type OwnImageType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface OwnImageRecord {
  /** Stable and unique for the image's lifetime; the worker's cache key (OwnImage.key). */
  id: string;
  /** The file name, unique within its class (ignoring case). */
  name: string;
  type: OwnImageType;
  bytes: Uint8Array;
  width: number;
  height: number;
  /**
   * SHA-256 of `bytes` (hex), computed once when the image was read (ingest.ts). Records saved
   * before it was kept, or read where the browser offers no SubtleCrypto, have none: they are
   * compared byte by byte.
   */
  hash?: string;
}

export interface OwnClassRecord {
  id: string;
  /** Unique within the dataset (ignoring case); never contains '/'. */
  name: string;
  images: OwnImageRecord[];
}

export interface OwnDatasetRecord {
  id: string;
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
  classes: OwnClassRecord[];
}

/** An image about to be added: an id is made for it unless it brings one. */
export type NewImage = Omit<OwnImageRecord, 'id'> & { id?: string };

/** A mistake the user can correct; the message says how. */
export class OwnDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OwnDataError';
  }
}

/** Where ids and times come from; tests pass deterministic ones. */
export interface DataContext {
  newId?: () => string;
  now?: () => number;
}

/** A random id: crypto.randomUUID where there is one (secure contexts), random bytes otherwise. */
export function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  // randomUUID exists only in secure contexts (https, localhost); a page served over plain http
  // from a LAN address still has getRandomValues.
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const idOf = (ctx?: DataContext) => (ctx?.newId ?? randomId)();
const nowOf = (ctx?: DataContext) => (ctx?.now ?? Date.now)();

/** What sameName compares: equal keys are the same name. */
const nameKey = (name: string): string => name.toLocaleLowerCase('en');

/** Names are compared the way file systems on Windows and macOS do: ignoring case. */
export const sameName = (a: string, b: string): boolean => nameKey(a) === nameKey(b);

// ---- Names ----

/** The trimmed dataset name, or throws. */
export function checkDatasetName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new OwnDataError('A dataset needs a name; type at least one character.');
  return trimmed;
}

/**
 * The trimmed class name, or throws. A class becomes a folder when the dataset is exported as a
 * zip, so the name must survive as one: no '/', and no leading '.' (hidden, skipped on import).
 */
export function checkClassName(name: string, existing: readonly OwnClassRecord[], exceptId?: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new OwnDataError('A class needs a name; type at least one character, e.g. "cats".');
  if (trimmed.includes('/') || trimmed.includes('\\')) {
    throw new OwnDataError(`The class name "${trimmed}" contains a slash; class names become folder names, so use another character, e.g. "-".`);
  }
  if (trimmed.startsWith('.') || trimmed === '__MACOSX') {
    throw new OwnDataError(`The class name "${trimmed}" would be a hidden or system folder in an exported zip; choose a name that does not start with ".".`);
  }
  const clash = existing.find((cls) => cls.id !== exceptId && sameName(cls.name, trimmed));
  if (clash) {
    throw new OwnDataError(`There is already a class named "${clash.name}" (names ignore upper and lower case); choose another name, or add the images to that class.`);
  }
  return trimmed;
}

/** The trimmed image name, or throws; unique within the class. */
export function checkImageName(name: string, cls: OwnClassRecord, exceptId?: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new OwnDataError('An image needs a file name; type at least one character, e.g. "cat1.jpg".');
  if (trimmed.includes('/') || trimmed.includes('\\')) {
    throw new OwnDataError(`The file name "${trimmed}" contains a slash; use another character, e.g. "-".`);
  }
  if (trimmed.startsWith('.')) {
    throw new OwnDataError(`The file name "${trimmed}" starts with "." (a hidden file, skipped when a zip is read); choose another name.`);
  }
  const clash = cls.images.find((image) => image.id !== exceptId && sameName(image.name, trimmed));
  if (clash) throw new OwnDataError(`Class "${cls.name}" already has a file named "${clash.name}"; choose another name.`);
  return trimmed;
}

// ---- Operations ----

export function createDataset(name: string, ctx?: DataContext): OwnDatasetRecord {
  const now = nowOf(ctx);
  return { id: idOf(ctx), name: checkDatasetName(name), createdAt: now, updatedAt: now, classes: [] };
}

export function renameDataset(ds: OwnDatasetRecord, name: string, ctx?: DataContext): OwnDatasetRecord {
  return { ...ds, name: checkDatasetName(name), updatedAt: nowOf(ctx) };
}

/** Adds an empty class at the end. */
export function addClass(ds: OwnDatasetRecord, name: string, ctx?: DataContext): OwnDatasetRecord {
  const checked = checkClassName(name, ds.classes);
  return { ...ds, classes: [...ds.classes, { id: idOf(ctx), name: checked, images: [] }], updatedAt: nowOf(ctx) };
}

export function renameClass(ds: OwnDatasetRecord, classId: string, name: string, ctx?: DataContext): OwnDatasetRecord {
  const cls = findClass(ds, classId);
  const checked = checkClassName(name, ds.classes, classId);
  if (checked === cls.name) return ds;
  return withClass(ds, { ...cls, name: checked }, ctx);
}

export function deleteClass(ds: OwnDatasetRecord, classId: string, ctx?: DataContext): OwnDatasetRecord {
  if (!ds.classes.some((cls) => cls.id === classId)) return ds;
  return { ...ds, classes: ds.classes.filter((cls) => cls.id !== classId), updatedAt: nowOf(ctx) };
}

export function renameImage(ds: OwnDatasetRecord, classId: string, imageId: string, name: string, ctx?: DataContext): OwnDatasetRecord {
  const cls = findClass(ds, classId);
  const image = cls.images.find((img) => img.id === imageId);
  if (!image) throw new OwnDataError('That image is no longer in the class (deleted in another tab?); reload the dataset.');
  const checked = checkImageName(name, cls, imageId);
  if (checked === image.name) return ds;
  return withClass(ds, { ...cls, images: cls.images.map((img) => (img.id === imageId ? { ...img, name: checked } : img)) }, ctx);
}

export function deleteImage(ds: OwnDatasetRecord, classId: string, imageId: string, ctx?: DataContext): OwnDatasetRecord {
  const cls = findClass(ds, classId);
  if (!cls.images.some((img) => img.id === imageId)) return ds;
  return withClass(ds, { ...cls, images: cls.images.filter((img) => img.id !== imageId) }, ctx);
}

/** What adding images did besides adding: `problems`, one per file that could not be added; `notes`, what happened to the rest. */
export interface AddReport {
  /** e.g. `dogs/dog2.png: this very image is already in the dataset (skipped)`. */
  problems: string[];
  /** At most one per class and kind: images skipped as duplicates, images kept under a new name. */
  notes: string[];
}

/**
 * Adds images to a class, in order. An image whose file name (ignoring case) is already in the
 * class, or earlier in `images`, is kept under a free name ("IMG_0001 (2).jpg"); one with the
 * same content as an image in the class, or earlier in `images`, is skipped. Each is said once in
 * `notes`. Skips, and reports in `problems`, an image without a name or whose id is already used.
 */
export function addImages(
  ds: OwnDatasetRecord,
  classId: string,
  images: readonly NewImage[],
  ctx?: DataContext,
): { dataset: OwnDatasetRecord } & AddReport {
  const cls = findClass(ds, classId);
  const report: AddReport = { problems: [], notes: [] };
  const added = appendImages(cls, images, report, usedImageIds(ds), ctx);
  if (added.images.length === cls.images.length) return { dataset: ds, ...report };
  return { dataset: withClass(ds, added, ctx), ...report };
}

/**
 * Adds classes of images as read from folders or a zip: an incoming class whose name matches an
 * existing one (ignoring case) gets its images added there; any other becomes a new class at the
 * end. Images are added as addImages adds them; unusable class names are reported, the rest is
 * still added.
 */
export function mergeClasses(
  ds: OwnDatasetRecord,
  incoming: ReadonlyArray<{ name: string; images: readonly NewImage[] }>,
  ctx?: DataContext,
): { dataset: OwnDatasetRecord } & AddReport {
  const report: AddReport = { problems: [], notes: [] };
  const { problems } = report;
  const classes = [...ds.classes];
  const usedIds = usedImageIds(ds);
  let changed = false;
  for (const group of incoming) {
    const at = classes.findIndex((cls) => sameName(cls.name, group.name.trim()));
    if (at >= 0) {
      const merged = appendImages(classes[at], group.images, report, usedIds, ctx);
      if (merged !== classes[at]) {
        classes[at] = merged;
        changed = true;
      }
      continue;
    }
    let name: string;
    try {
      name = checkClassName(group.name, classes);
    } catch (error) {
      problems.push(`${group.name}: ${(error as Error).message.replace(/\.$/, '')} (class skipped)`);
      continue;
    }
    classes.push(appendImages({ id: idOf(ctx), name, images: [] }, group.images, report, usedIds, ctx));
    changed = true;
  }
  return { dataset: changed ? { ...ds, classes, updatedAt: nowOf(ctx) } : ds, ...report };
}

/** The classes in the worker protocol's shape; an image's key is its id. */
export function toOwnClasses(ds: OwnDatasetRecord): OwnClass[] {
  return ds.classes.map((cls) => ({ name: cls.name, images: cls.images.map((img) => ({ key: img.id, bytes: img.bytes })) }));
}

export interface DatasetStats {
  classes: number;
  images: number;
  /** Encoded bytes of all images. */
  bytes: number;
  /** Fewest and most images in a class (0 and 0 with no class). */
  minPerClass: number;
  maxPerClass: number;
  /** Classes with no image. */
  emptyClasses: number;
}

export function datasetStats(ds: OwnDatasetRecord): DatasetStats {
  const counts = ds.classes.map((cls) => cls.images.length);
  return {
    classes: ds.classes.length,
    images: counts.reduce((a, b) => a + b, 0),
    bytes: ds.classes.reduce((sum, cls) => sum + cls.images.reduce((s, img) => s + img.bytes.length, 0), 0),
    minPerClass: counts.length ? Math.min(...counts) : 0,
    maxPerClass: counts.length ? Math.max(...counts) : 0,
    emptyClasses: counts.filter((n) => n === 0).length,
  };
}

/**
 * What stops the dataset from being used, one sentence each saying what to do; empty when it is
 * ready. 'classify' (fitting a classifier) needs two classes with an image each; 'estimate'
 * (estimating accuracy) also needs a second image in every class, since each image is classified
 * by a classifier built without it.
 */
export function datasetProblems(ds: OwnDatasetRecord, purpose: 'classify' | 'estimate' = 'classify'): string[] {
  const problems: string[] = [];
  if (ds.classes.length === 0) {
    problems.push('Add at least two classes (e.g. "cats" and "dogs"), each with a few images.');
  } else if (ds.classes.length === 1) {
    problems.push(`Add a second class: a classifier needs at least two classes to choose between (there is only "${ds.classes[0].name}").`);
  }
  for (const cls of ds.classes) {
    if (cls.images.length === 0) {
      problems.push(`Class "${cls.name}" has no image yet: add a few (choose files, drop a folder or use the webcam), or delete the class.`);
    } else if (purpose === 'estimate' && cls.images.length === 1) {
      problems.push(`Class "${cls.name}" has only one image: estimating accuracy leaves each image out in turn, so add at least one more.`);
    }
  }
  return problems;
}

// ---- Helpers ----

function findClass(ds: OwnDatasetRecord, classId: string): OwnClassRecord {
  const cls = ds.classes.find((c) => c.id === classId);
  if (!cls) throw new OwnDataError('That class is no longer in the dataset (deleted in another tab?); reload the dataset.');
  return cls;
}

function withClass(ds: OwnDatasetRecord, cls: OwnClassRecord, ctx?: DataContext): OwnDatasetRecord {
  return { ...ds, classes: ds.classes.map((c) => (c.id === cls.id ? cls : c)), updatedAt: nowOf(ctx) };
}

function usedImageIds(ds: OwnDatasetRecord): Set<string> {
  return new Set(ds.classes.flatMap((cls) => cls.images.map((img) => img.id)));
}

/**
 * `cls` with the acceptable `images` appended (the same object when none is). A taken name is no
 * reason to refuse an image: cameras restart their numbering, so a second batch of photos brings
 * IMG_0001.jpg again, a different picture; it is kept as "IMG_0001 (2).jpg". Only the same bytes
 * again (already in the class, or earlier in the batch) are skipped. Both are said once per batch.
 */
function appendImages(
  cls: OwnClassRecord,
  images: readonly NewImage[],
  report: AddReport,
  usedIds: Set<string>,
  ctx?: DataContext,
): OwnClassRecord {
  const kept = [...cls.images];
  const takenNames = new Set(kept.map((img) => nameKey(img.name)));
  const contents = new ContentIndex(kept);
  let duplicates = 0;
  const renamed: Array<{ from: string; to: string }> = [];
  for (const image of images) {
    const trimmed = image.name.trim();
    if (!trimmed) {
      report.problems.push(`${cls.name}: an image without a file name; give it one (skipped)`);
      continue;
    }
    if (image.id !== undefined && usedIds.has(image.id)) {
      report.problems.push(`${cls.name}/${trimmed}: this very image is already in the dataset (skipped)`);
      continue;
    }
    if (contents.has(image)) {
      duplicates++;
      continue;
    }
    let name = trimmed;
    if (takenNames.has(nameKey(name))) {
      name = freeFileName(trimmed, (candidate) => takenNames.has(nameKey(candidate)));
      renamed.push({ from: trimmed, to: name });
    }
    const id = image.id ?? idOf(ctx);
    usedIds.add(id);
    takenNames.add(nameKey(name));
    const record: OwnImageRecord = { id, name, type: image.type, bytes: image.bytes, width: image.width, height: image.height };
    if (image.hash !== undefined) record.hash = image.hash;
    kept.push(record);
    contents.add(record);
  }
  if (duplicates > 0) report.notes.push(skippedDuplicatesNote(cls.name, duplicates));
  if (renamed.length > 0) report.notes.push(renamedNote(cls.name, renamed));
  return kept.length === cls.images.length ? cls : { ...cls, images: kept };
}
