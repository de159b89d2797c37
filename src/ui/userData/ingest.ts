// Turning files the user hands over (picked files, a dropped or picked folder, a zip) into images
// grouped by class. Every file that cannot be used is reported on its own line, saying which file
// and why, and everything else still loads: one stray notes.txt must not cost a folder of photos.
// Files every operating system litters folders with (.DS_Store, Thumbs.db, __MACOSX/, hidden
// files) are skipped silently. Decoding is injected (prepareImage.ts in the browser, a fake in
// tests), so this file needs no DOM.
import { compareNatural } from '../../core/data/imageFolder';
import { isIgnoredPath } from '../../core/data/zip';
import { type DataContext, type OwnImageRecord, type OwnImageType, randomId, sameName } from './ownDataset';
import { NOT_AN_IMAGE, UNDECODABLE, UnusableImageError, sniffImageType } from './imageFormat';
import { contentHash } from './sameImage';

/** A file to read: its path ('/'-separated; a path ending in '/' stands for a folder, possibly empty). */
export interface UserFile {
  path: string;
  read(): Promise<Uint8Array>;
  /** Set when listing already failed (a dropped folder that could not be read): reported as is, never read. */
  unreadable?: string;
}

export interface PreparedImage {
  bytes: Uint8Array;
  type: OwnImageType;
  width: number;
  height: number;
}

/** Decodes (and maybe downscales) one image; rejects when it cannot be used (UnusableImageError). */
export type PrepareImage = (bytes: Uint8Array, name: string) => Promise<PreparedImage>;

export interface IngestOptions extends DataContext {
  /** Every file goes into this class (the per-class file picker); folders then do not matter. */
  intoClass?: string;
  /** After each file: (files done, files in total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One class as read from the files. File names may repeat (train/cats/1.jpg and val/cats/1.jpg,
 * two cameras' IMG_0001.jpg): addImages and mergeClasses, which every caller adds them with, give
 * the later ones free names and skip true duplicates. Each image carries its content hash.
 */
export interface IngestedClass {
  name: string;
  images: OwnImageRecord[];
}

export interface IngestResult {
  /** In folder order (natural: "class2" before "class10"), images in file order; none is empty. */
  classes: IngestedClass[];
  /** One line per file or folder that was skipped, e.g. "notes.txt: not a PNG, JPEG or WebP image (skipped)". */
  problems: string[];
}

/** Files operating systems leave in folders; never worth a message. (Hidden files go by their '.'.) */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'icon\r', 'ehthumbs.db']);
/** Endings of files that may be images; used only to find a common top folder, never to judge a file. */
const IMAGE_ENDINGS = /\.(png|jpe?g|jfif|webp|gif|bmp|heic|heif|avif|tiff?)$/i;
/** Files prepared at once: createImageBitmap of several 12-megapixel photos holds a lot of memory. */
const CONCURRENCY = 4;

const LAYOUT_HINT = 'each class is a folder of images, e.g. cats/1.jpg';

/**
 * Reads the files into classes. With `intoClass`, every file is an image of that class. Otherwise
 * the class of a file is the name of the folder directly containing it, and one top folder shared
 * by every image (a picked "myset" folder, a zip of one) is looked through: myset/cats/1.jpg is an
 * image of class "cats". Folders of the same name (train/cats, val/cats) make one class.
 */
export async function ingestFiles(files: readonly UserFile[], prepare: PrepareImage, options: IngestOptions = {}): Promise<IngestResult> {
  const problems: string[] = [];
  for (const file of files) if (file.unreadable !== undefined) problems.push(`${normalisePath(file.path).replace(/\/+$/, '')}: ${file.unreadable} (skipped)`);
  const entries = files
    .filter((file) => file.unreadable === undefined)
    .map((file) => ({ file, path: normalisePath(file.path) }))
    .filter(({ path }) => path !== '' && path !== '/' && !isIgnoredPath(path.replace(/\/+$/, '')) && !SYSTEM_FILES.has(baseName(path).toLowerCase()));
  const isFolder = (path: string) => path.endsWith('/');
  const fileEntries = entries.filter(({ path }) => !isFolder(path)).sort((a, b) => compareNatural(a.path, b.path));

  // Which class each file goes to (loose files are reported here), and the folders seen.
  const planned: Array<{ file: UserFile; path: string; className: string }> = [];
  const folders = new Map<string, { name: string; files: number; hasSubfolder: boolean }>();
  if (options.intoClass !== undefined) {
    for (const { file, path } of fileEntries) planned.push({ file, path, className: options.intoClass });
  } else {
    const root = commonRoot(fileEntries.map(({ path }) => path));
    const noteFolder = (relative: string) => {
      const parts = relative.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        const known = folders.get(folder) ?? { name: parts[i - 1], files: 0, hasSubfolder: false };
        if (i < parts.length) known.hasSubfolder = true;
        folders.set(folder, known);
      }
    };
    for (const { path } of entries) {
      if (!isFolder(path) || !path.startsWith(root)) continue;
      const relative = path.slice(root.length).replace(/\/+$/, '');
      if (relative) noteFolder(relative);
    }
    for (const { file, path } of fileEntries) {
      const relative = path.startsWith(root) ? path.slice(root.length) : path;
      const slash = relative.lastIndexOf('/');
      if (slash < 0) {
        problems.push(`${path}: not inside a class folder (${LAYOUT_HINT}) (skipped)`);
        continue;
      }
      const folder = relative.slice(0, slash);
      noteFolder(folder);
      folders.get(folder)!.files++;
      planned.push({ file, path, className: folders.get(folder)!.name });
    }
  }

  // Read and prepare, a few files at a time, keeping the order.
  const prepared: Array<HashedImage | null> = new Array(planned.length).fill(null);
  let next = 0;
  let done = 0;
  const failures = new Map<number, string>();
  const work = async () => {
    while (next < planned.length) {
      const index = next++;
      const { file, path } = planned[index];
      try {
        prepared[index] = await readImage(file, path, prepare);
      } catch (error) {
        failures.set(index, `${path}: ${(error as Error).message} (skipped)`);
      }
      options.onProgress?.(++done, planned.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, planned.length) }, work));

  // Group in order, reporting failures where they occur. Repeated names stay (see IngestedClass).
  const classes: IngestResult['classes'] = [];
  planned.forEach((item, index) => {
    const image = prepared[index];
    if (!image) {
      problems.push(failures.get(index)!);
      return;
    }
    let cls = classes.find((c) => sameName(c.name, item.className));
    if (!cls) classes.push((cls = { name: item.className, images: [] }));
    cls.images.push({ id: (options.newId ?? randomId)(), name: baseName(item.path), ...image });
  });

  // Folders that gave no class: empty ones, and ones where every file was skipped.
  const reported = new Set<string>();
  for (const [folder, info] of [...folders].sort(([a], [b]) => compareNatural(a, b))) {
    const key = info.name.toLocaleLowerCase('en');
    if (classes.some((c) => sameName(c.name, info.name)) || reported.has(key)) continue;
    if (info.files === 0 && !info.hasSubfolder) {
      problems.push(`${folder}: an empty folder; put images of the class in it (class skipped)`);
      reported.add(key);
    } else if (info.files > 0) {
      problems.push(`${folder}: no usable image in this folder (class skipped)`);
      reported.add(key);
    }
  }
  if (options.intoClass !== undefined && classes.length === 0 && fileEntries.length > 0 && problems.length === 0) {
    problems.push(`No image could be added to class "${options.intoClass}".`);
  }
  if (classes.length === 0 && problems.length === 0) {
    problems.push(`No image files were found; choose PNG, JPEG or WebP images (for several classes at once, ${LAYOUT_HINT}).`);
  }
  return { classes, problems };
}

/** A prepared image with the hash of its stored bytes (none where the browser cannot hash). */
type HashedImage = PreparedImage & { hash?: string };

/**
 * Reads one file, prepares it and hashes the bytes to be stored (the ones a later batch is compared
 * with); the error message is the reason alone (the caller adds the path).
 */
async function readImage(file: UserFile, path: string, prepare: PrepareImage): Promise<HashedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await file.read();
  } catch (error) {
    throw new Error(`the file could not be read (${describe(error)}); it may have been moved or deleted`, { cause: error });
  }
  if (bytes.length === 0) throw new Error('an empty file (0 bytes)');
  // Sniffed here too (prepare does as well), so a test or other decoder cannot let a GIF through.
  if (!sniffImageType(bytes)) throw new Error(NOT_AN_IMAGE);
  let image: PreparedImage;
  try {
    image = await prepare(bytes, baseName(path));
  } catch (error) {
    // The decoder's own words only when they are meant for people; anything else is "could not decode".
    throw new Error(error instanceof UnusableImageError ? error.message : UNDECODABLE, { cause: error });
  }
  const hash = await contentHash(image.bytes);
  return hash === undefined ? image : { ...image, hash };
}

/**
 * "myset/" when every image-looking file lies at least two folders deep below one top folder
 * (myset/cats/1.jpg), so that top folder is not taken for the whole dataset's only class; "" otherwise.
 * Other files (a README beside the class folders) do not count against it.
 */
function commonRoot(paths: readonly string[]): string {
  const images = paths.filter((path) => IMAGE_ENDINGS.test(path) || !baseName(path).includes('.'));
  const candidates = images.length > 0 ? images : paths;
  if (candidates.length === 0) return '';
  const first = candidates[0].split('/')[0];
  return candidates.every((path) => path.split('/').length >= 3 && path.split('/')[0] === first) ? `${first}/` : '';
}

/** Backslashes (some Windows zips) become '/'; a leading "./" or "/" (drag-and-drop fullPath) goes. */
function normalisePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
