// Reading a dataset source named on the command line (--data): a folder is walked into the file
// list the image-folder reader takes; a zip archive is returned as bytes for the Omniglot or
// image-folder reader to open. The readers themselves live in src/core/data and never touch fs.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface SourceFile {
  /** Path below the folder, '/'-separated; a path ending in '/' is a folder (bytes empty). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export type ImageSource =
  | { readonly kind: 'folder'; readonly name: string; readonly files: SourceFile[] }
  | { readonly kind: 'zip'; readonly name: string; readonly bytes: Uint8Array };

export interface ReadSourceOptions {
  /** Refuse a folder whose files add up to more than this many bytes (default 2 GiB). */
  readonly maxBytes?: number;
}

const USAGE =
  'Pass --data with a folder of images laid out as <class>/<image> or a .zip archive ' +
  "(an image folder, or Omniglot's images_background.zip).";

const MAX_DEPTH = 32;

/** Names no dataset wants: hidden files and folders (.git, .DS_Store) and macOS resource forks. */
function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX';
}

function isZipBytes(bytes: Uint8Array): boolean {
  // "PK\3\4" starts a zip with entries, "PK\5\6" an empty one.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/**
 * Reads a folder (every file below it, with relative '/'-separated paths, sorted, plus an entry
 * "<dir>/" for each folder so that empty class folders can be reported) or a zip archive.
 * Throws a message saying what to pass when the path is missing or is some other kind of file.
 */
export async function readImageSource(path: string, options: ReadSourceOptions = {}): Promise<ImageSource> {
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Error(`No such file or directory: ${path}. ${USAGE}`);
    throw new Error(`Cannot read ${path}: ${(error as Error).message}. ${USAGE}`);
  }
  const name = basename(path.replace(/[\\/]+$/, '')) || path;

  if (info.isFile()) {
    const bytes = new Uint8Array(await readFile(path));
    if (isZipBytes(bytes)) return { kind: 'zip', name, bytes };
    throw new Error(`${path} is a file but not a zip archive. ${USAGE}`);
  }
  if (!info.isDirectory()) throw new Error(`${path} is neither a folder nor a file. ${USAGE}`);

  const files: SourceFile[] = [];
  let totalBytes = 0;
  const walk = async (directory: string, relative: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new Error(`${path} nests folders more than ${MAX_DEPTH} deep (a symbolic-link loop?). ${USAGE}`);
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isIgnoredName(entry.name)) continue;
      const full = join(directory, entry.name);
      const below = relative ? `${relative}/${entry.name}` : entry.name;
      // Follow symbolic links to what they point at (a dataset folder of links is common); a
      // dangling link is read below and fails with the file's name.
      const isDirectory =
        entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).catch(() => null))?.isDirectory() === true);
      if (isDirectory) {
        files.push({ path: `${below}/`, bytes: new Uint8Array(0) });
        await walk(full, below, depth + 1);
        continue;
      }
      const bytes = await readFile(full);
      totalBytes += bytes.length;
      if (totalBytes > maxBytes) {
        throw new Error(
          `${path} holds more than ${Math.round(maxBytes / 1024 ** 2)} MB of files; is it the right folder? ${USAGE}`,
        );
      }
      files.push({ path: below, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    }
  };
  await walk(path, '', 0);
  return { kind: 'folder', name, files };
}
