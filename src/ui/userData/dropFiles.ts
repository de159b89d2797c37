// Listing what the user hands over as UserFiles (path + read), for ingest.ts: files and folders
// dropped on the page, a FileList from a file input (with webkitdirectory, paths below the picked
// folder), and the entries of a zip. Nothing is read here until ingest asks, so listing a folder
// of large photos is instant.
import { openZip } from '../../core/data/zip';
import { OwnDataError } from './ownDataset';
import type { UserFile } from './ingest';

/**
 * The files (and empty folders, as "path/") of a drop, folders walked recursively. Call it from
 * the drop handler itself, before any await: a DataTransfer's items are emptied once the handler
 * returns, so the entries are taken at once and only walked afterwards. A folder that cannot be
 * listed comes back as one UserFile with `unreadable` set, which ingestFiles reports.
 */
export function filesFromDataTransfer(dataTransfer: DataTransfer): Promise<UserFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dataTransfer.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      // No entry API (or not a file system item): the file itself still works, without folders.
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dataTransfer.files ?? []));
  return (async () => {
    const files: UserFile[] = loose.map((file) => fromFile(file, file.name));
    for (const entry of entries) await walk(entry, files);
    return files;
  })();
}

/** The files of an <input type="file">; with webkitdirectory each keeps its path below the picked folder. */
export function filesFromFileList(list: FileList | readonly File[]): UserFile[] {
  return Array.from(list as ArrayLike<File>, (file) => fromFile(file, file.webkitRelativePath || file.name));
}

/**
 * The entries of a zip, and its folders as "path/" (so empty class folders can be reported).
 * Throws an OwnDataError when the bytes are not a readable zip.
 */
export function filesFromZip(bytes: Uint8Array, name: string): UserFile[] {
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05))) {
    throw new OwnDataError(
      `${name} is not a zip archive (it does not start like one); choose a .zip file, e.g. one exported from this page or made with "Compress" / "Send to compressed folder".`,
    );
  }
  let archive: ReturnType<typeof openZip>;
  try {
    archive = openZip(bytes, name);
  } catch (error) {
    // openZip's message already names the file and says what to do.
    throw new OwnDataError((error as Error).message);
  }
  return [
    ...archive.directories.map((directory) => ({ path: `${directory}/`, read: async () => new Uint8Array(0) })),
    // Inflating is synchronous; a damaged entry rejects its own read and ingest reports that file.
    ...archive.entries.map((entry) => ({ path: entry.path, read: async () => archive.read(entry) })),
  ];
}

function fromFile(file: File, path: string): UserFile {
  return { path, read: async () => new Uint8Array(await file.arrayBuffer()) };
}

async function walk(entry: FileSystemEntry, files: UserFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '') || entry.name;
  if (entry.isFile) {
    const fileEntry = entry as FileSystemFileEntry;
    files.push({
      path,
      read: async () => {
        const file = await new Promise<File>((resolve, reject) => fileEntry.file(resolve, reject));
        return new Uint8Array(await file.arrayBuffer());
      },
    });
    return;
  }
  if (!entry.isDirectory) return;
  let children: FileSystemEntry[];
  try {
    children = await readAllEntries(entry as FileSystemDirectoryEntry);
  } catch (error) {
    const reason = `this folder could not be read (${describeError(error)}); drop it again, or choose it with the folder picker`;
    files.push({ path: `${path}/`, unreadable: reason, read: () => Promise.reject(new Error(reason)) });
    return;
  }
  if (children.length === 0) files.push({ path: `${path}/`, read: async () => new Uint8Array(0) });
  for (const child of children) await walk(child, files);
}

/** readEntries hands out a folder's entries in batches (100 in Chrome) and an empty batch at the end. */
async function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const { name, message } = error as { name?: string; message?: string };
    return message || name || 'unknown error';
  }
  return String(error);
}
