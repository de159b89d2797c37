// Reading a zip archive held in memory, with fflate (works in Node and the browser alike).
// Listing costs no decompression: fflate's filter callback sees every entry's name and sizes.
// Entries are inflated together on the first read (one pass over the archive) and handed out one
// at a time. Directories, macOS resource forks (`__MACOSX/`) and hidden files (any path segment
// starting with '.') are left out of the listing, since no dataset layout wants them.

import { unzipSync } from 'fflate';

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, e.g. "images_background/Latin/character01/0001_01.png". */
  readonly path: string;
  /** Size of the entry once decompressed, in bytes. */
  readonly size: number;
  /** Size of the entry as stored in the archive. */
  readonly compressedSize: number;
  /** 0 = stored, 8 = deflate; anything else cannot be read. */
  readonly method: number;
}

export interface ZipArchive {
  /** The name the archive was opened under (used in messages). */
  readonly name: string;
  /** File entries in archive order, without directories, `__MACOSX/` and hidden files. */
  readonly entries: readonly ZipEntry[];
  /**
   * Directories named in the archive (explicit directory entries and parents of entries), as
   * '/'-separated paths without a trailing slash, so that a reader can report empty folders.
   */
  readonly directories: readonly string[];
  /** The decompressed bytes of one entry. Throws a readable error if the entry cannot be read. */
  read(entry: ZipEntry): Uint8Array;
}

/** True for paths no dataset wants: macOS resource forks and hidden files or folders. */
export function isIgnoredPath(path: string): boolean {
  return path
    .split('/')
    .some((segment) => segment === '__MACOSX' || (segment.startsWith('.') && segment !== '.' && segment !== '..'));
}

/** Some Windows tools write backslashes; a leading "./" or "/" carries no meaning here. */
function normalisePath(raw: string): string {
  return raw.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

/** Opens a zip archive held in memory. Throws "<name> is not a readable zip archive: ..." otherwise. */
export function openZip(bytes: Uint8Array, name: string): ZipArchive {
  const entries: ZipEntry[] = [];
  const rawNames = new Map<string, string>();
  const directories = new Set<string>();
  const addParents = (path: string): void => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
  };
  try {
    unzipSync(bytes, {
      filter: (file) => {
        const path = normalisePath(file.name);
        if (path === '' || isIgnoredPath(path)) return false;
        if (path.endsWith('/')) {
          const directory = path.replace(/\/+$/, '');
          directories.add(directory);
          addParents(directory);
          return false;
        }
        addParents(path);
        rawNames.set(path, file.name);
        entries.push({ path, size: file.originalSize, compressedSize: file.size, method: file.compression });
        return false;
      },
    });
  } catch (error) {
    throw new Error(`${name} is not a readable zip archive: ${describe(error)}. Check that the file is a complete .zip (re-download or re-create it).`);
  }

  let contents: Record<string, Uint8Array> | null = null;
  const read = (entry: ZipEntry): Uint8Array => {
    if (entry.method !== 0 && entry.method !== 8) {
      throw new Error(
        `${name}: cannot read ${entry.path}: it uses compression method ${entry.method}; only stored and deflate entries are supported (re-zip with a standard tool).`,
      );
    }
    if (!contents) {
      try {
        contents = unzipSync(bytes, {
          filter: (file) => {
            const path = normalisePath(file.name);
            return rawNames.get(path) === file.name && (file.compression === 0 || file.compression === 8);
          },
        });
      } catch (error) {
        throw new Error(`${name}: cannot read its entries: ${describe(error)} (a damaged or truncated archive?).`);
      }
    }
    const data = contents[rawNames.get(entry.path) ?? ''];
    if (!data) throw new Error(`${name}: cannot read ${entry.path}: no such entry.`);
    return data;
  };

  return { name, entries, directories: [...directories].sort(), read };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every file in the archive with its bytes. */
export function readZipFiles(bytes: Uint8Array, name: string): Array<{ path: string; bytes: Uint8Array }> {
  const archive = openZip(bytes, name);
  return archive.entries.map((entry) => ({ path: entry.path, bytes: archive.read(entry) }));
}
