// Reading a folder of images in the torchvision ImageFolder convention, `<class>/<image>`, from a
// list of files (a walked directory in Node, a picked folder or a zip in the browser). Every file
// that cannot be used is reported in `warnings` and the rest still loads. Also holds the step
// every reader shares: reading, decoding and fitting the images of each class into the bytes a
// dataset stores (the Omniglot reader uses it too).

import type { DecodedImage, ImageClass, ImageDataset, ImageDecoder } from './dataset';
import { fitImage, type TargetShape } from './resize';
import { isIgnoredPath, openZip } from './zip';

/** A dataset read from files, with what had to be skipped and why (one line per file or class). */
export interface LoadedDataset extends ImageDataset {
  readonly warnings: readonly string[];
}

export interface ImageFolderOptions extends TargetShape {
  /** Called after each batch of images: (images processed, images in total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A file to be read as an image of some class: its path (for messages) and how to get its bytes. */
export interface PendingImage {
  readonly source: string;
  readonly read: () => Uint8Array;
}

export interface PendingClass {
  readonly name: string;
  readonly group: string;
  readonly images: readonly PendingImage[];
}

/** Compares strings with runs of digits by value ("img2" < "img10"), deterministically. */
export function compareNatural(a: string, b: string): number {
  const partsA = a.match(/\d+|\D+/g) ?? [];
  const partsB = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const x = partsA[i];
    const y = partsB[i];
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits && Number(x) !== Number(y)) return Number(x) - Number(y);
    // Code-unit order, not localeCompare: the same order on every machine and locale.
    return x < y ? -1 : 1;
  }
  if (partsA.length !== partsB.length) return partsA.length - partsB.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Images decoded concurrently; helps asynchronous (browser) decoders, costs nothing for sync ones. */
const DECODE_BATCH = 32;
/** Longest stretch without giving the event loop a turn, so a worker still hears "cancel". */
const YIELD_EVERY_MS = 50;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Decoders name the file in their messages already; only add the path when one does not. */
function withSource(source: string, message: string): string {
  return message.includes(source) ? message : `${source}: ${message}`;
}

/**
 * Reads, decodes and fits the images of each class into one byte buffer per class. An image
 * that cannot be read or decoded is skipped with a warning naming the file; a class left with no
 * image is dropped with a warning. `fit` turns a decoded image into the stored bytes (writing
 * into `out`, which holds one image).
 */
export async function buildClasses(
  pending: readonly PendingClass[],
  decode: ImageDecoder,
  imageSize: number,
  fit: (image: DecodedImage, out: Uint8Array) => void,
  warnings: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImageClass[]> {
  const total = pending.reduce((sum, cls) => sum + cls.images.length, 0);
  let done = 0;
  let lastYield = Date.now();
  const classes: ImageClass[] = [];
  for (const cls of pending) {
    // Each class gets its own buffer (not a view into one big one): a view would drag the whole
    // dataset along whenever one class is copied or posted to another thread.
    let pixels = new Uint8Array(cls.images.length * imageSize);
    const sources: string[] = [];
    for (let first = 0; first < cls.images.length; first += DECODE_BATCH) {
      const batch = cls.images.slice(first, first + DECODE_BATCH);
      const decoded = await Promise.all(
        batch.map(async (image) => {
          try {
            return await decode(image.read(), image.source);
          } catch (error) {
            warnings.push(`${withSource(image.source, errorMessage(error))} (skipped)`);
            return null;
          }
        }),
      );
      decoded.forEach((image, i) => {
        if (!image) return;
        const source = batch[i].source;
        try {
          fit(image, pixels.subarray(sources.length * imageSize, (sources.length + 1) * imageSize));
          sources.push(source);
        } catch (error) {
          warnings.push(`${withSource(source, errorMessage(error))} (skipped)`);
        }
      });
      done += batch.length;
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        onProgress?.(done, total);
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = Date.now();
      }
    }
    if (sources.length === 0) {
      warnings.push(`${cls.name}: no readable image in this class (class skipped)`);
      continue;
    }
    if (sources.length < cls.images.length) pixels = pixels.slice(0, sources.length * imageSize);
    classes.push({ name: cls.name, group: cls.group, count: sources.length, pixels, sources });
  }
  onProgress?.(total, total);
  return classes;
}

/** File name endings the loader tries to decode; anything else with an ending is not an image. */
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'jfif', 'gif', 'webp', 'bmp']);
/** Files operating systems leave in folders; never worth a warning. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);

const EXPECTED_LAYOUT =
  'Expected one folder per class with the images directly inside, e.g. cats/001.jpg, cats/002.jpg, ' +
  'dogs/001.png (optionally all inside one top folder, e.g. myset/cats/001.jpg).';

function extensionOf(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : null;
}

/** Worth handing to the decoder: an image file ending, or no ending at all (the decoder sniffs). */
function looksLikeImage(path: string): boolean {
  const extension = extensionOf(baseName(path));
  return extension === null || IMAGE_EXTENSIONS.has(extension);
}

function validateShape(options: TargetShape): void {
  const { height, width, channels } = options;
  for (const [label, value] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 1024) {
      throw new Error(`Image ${label} must be a whole number of pixels from 1 to 1024, got ${value}.`);
    }
  }
  if (channels !== 1 && channels !== 3) {
    throw new Error(`Channels must be 1 (greyscale) or 3 (colour), got ${channels}.`);
  }
}

/**
 * Loads `<class>/<image>` files. The class of an image is the folder directly containing it
 * (its path below the root, e.g. "cats" or "animals/cats"); its group is the class name. One
 * top folder holding every image one level further down (a zip of `myset/`) is looked
 * through. A path ending in '/'
 * stands for a folder, so that an empty class folder can be reported. Hidden files and
 * `__MACOSX/` are ignored silently; non-images, undecodable files, loose files outside any
 * class folder and classes without a readable image are reported in `warnings`. Every image is
 * centre-cropped to the target aspect ratio, area-resized and converted to `channels`.
 * Throws when no class with at least one image results.
 */
export async function loadImageFolder(
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>,
  name: string,
  decode: ImageDecoder,
  options: ImageFolderOptions,
): Promise<LoadedDataset> {
  return loadPendingFolder(
    files.map((file) => ({ path: file.path, read: () => file.bytes })),
    name,
    decode,
    options,
  );
}

/** As loadImageFolder, for a zip archive of such a folder (entries are inflated one at a time). */
export async function imageFolderFromZip(
  bytes: Uint8Array,
  name: string,
  decode: ImageDecoder,
  options: ImageFolderOptions,
): Promise<LoadedDataset> {
  const archive = openZip(bytes, name);
  const listed = [
    ...archive.directories.map((directory) => ({ path: `${directory}/`, read: () => new Uint8Array(0) })),
    ...archive.entries.map((entry) => ({ path: entry.path, read: () => archive.read(entry) })),
  ];
  return loadPendingFolder(listed, name, decode, options);
}

async function loadPendingFolder(
  listed: ReadonlyArray<{ path: string; read: () => Uint8Array }>,
  name: string,
  decode: ImageDecoder,
  options: ImageFolderOptions,
): Promise<LoadedDataset> {
  validateShape(options);
  const warnings: string[] = [];
  const normalised = listed
    .map((item) => ({ ...item, path: item.path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '') }))
    .filter((item) => item.path !== '' && !isIgnoredPath(item.path.replace(/\/+$/, '')));
  const isFolder = (path: string): boolean => path.endsWith('/');
  const fileItems = normalised.filter((item) => !isFolder(item.path) && !SYSTEM_FILES.has(baseName(item.path).toLowerCase()));
  const segmentsOf = (path: string): string[] => path.replace(/\/+$/, '').split('/');

  // Look through one top folder shared by every image, if every image lies below a class folder
  // in it (a README beside the class folders must not stop that).
  const imageItems = fileItems.filter((item) => looksLikeImage(item.path));
  let root = '';
  if (imageItems.length > 0) {
    const first = segmentsOf(imageItems[0].path)[0];
    if (imageItems.every((item) => segmentsOf(item.path).length >= 3 && segmentsOf(item.path)[0] === first)) {
      root = `${first}/`;
    }
  }
  const below = (path: string): string | null => (path.startsWith(root) ? path.slice(root.length) : null);

  // Folders: every directory holding a file, plus folders named explicitly.
  const folderFiles = new Map<string, Array<{ path: string; read: () => Uint8Array }>>();
  const hasSubfolder = new Set<string>();
  const noteFolder = (folder: string): void => {
    if (!folderFiles.has(folder)) folderFiles.set(folder, []);
    const parts = folder.split('/');
    for (let i = 1; i < parts.length; i++) hasSubfolder.add(parts.slice(0, i).join('/'));
  };
  for (const item of normalised) {
    if (!isFolder(item.path)) continue;
    const relative = below(item.path.replace(/\/+$/, '') + '/');
    if (relative && relative !== '/') noteFolder(relative.replace(/\/+$/, ''));
  }
  for (const item of fileItems) {
    const relative = below(item.path);
    const slash = relative === null ? -1 : relative.lastIndexOf('/');
    if (relative === null || slash < 0) {
      const why = looksLikeImage(item.path) ? 'an image outside any class folder' : 'not an image';
      warnings.push(`${item.path}: ${why} (skipped)`);
      continue;
    }
    const folder = relative.slice(0, slash);
    noteFolder(folder);
    folderFiles.get(folder)!.push({ path: item.path, read: item.read });
  }

  const pending: PendingClass[] = [];
  const folders = [...folderFiles.keys()].sort(compareNatural);
  for (const folder of folders) {
    const inFolder = folderFiles.get(folder)!;
    // A folder that only holds other folders is a level of the hierarchy, not an empty class.
    if (inFolder.length === 0 && hasSubfolder.has(folder)) continue;
    const images: PendingImage[] = [];
    for (const file of [...inFolder].sort((a, b) => compareNatural(a.path, b.path))) {
      if (!looksLikeImage(file.path)) {
        const extension = extensionOf(baseName(file.path));
        warnings.push(`${file.path}: not an image (.${extension}; expected .png or .jpg) (skipped)`);
        continue;
      }
      images.push({ source: file.path, read: file.read });
    }
    if (images.length === 0) {
      warnings.push(`${folder}: class folder has no image files (class skipped)`);
      continue;
    }
    pending.push({ name: folder, group: folder, images });
  }

  const shape: TargetShape = { height: options.height, width: options.width, channels: options.channels };
  const classes = await buildClasses(
    pending,
    decode,
    shape.height * shape.width * shape.channels,
    (image, out) => fitImage(image, shape, true, out),
    warnings,
    options.onProgress,
  );
  if (classes.length === 0) {
    const shown = warnings.slice(0, 5).join('\n  ');
    throw new Error(
      `${name}: no class folder with at least one readable image (${fileItems.length} files looked at). ` +
        `${EXPECTED_LAYOUT}${shown ? `\nProblems found:\n  ${shown}` : ''}`,
    );
  }
  const imageCount = classes.reduce((sum, cls) => sum + cls.count, 0);
  return {
    name,
    height: shape.height,
    width: shape.width,
    channels: shape.channels,
    classes,
    description:
      `Image folder ${name}: ${classes.length} classes, ${imageCount} images, centre-cropped and ` +
      `area-resized to ${shape.height}x${shape.width}x${shape.channels}.`,
    warnings,
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
