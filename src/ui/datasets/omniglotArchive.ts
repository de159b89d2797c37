// Getting the Omniglot background archive onto the page: downloaded on request from the dataset's
// official public address (its size shown before, progress while it streams), checked, and kept in
// IndexedDB so the playground works offline afterwards. The bytes go to the worker unchanged as
// `{ kind: 'omniglot', name, bytes }`; parsing the archive is the worker's job, not this module's.
// The download itself (streaming, checks) is core's, shared with the CLI.
import {
  cancelled,
  downloadArchive,
  hasZipEndRecord,
  startsWithZipSignature,
  type ArchiveSource,
  type DownloadOptions,
} from '../../core/data/archiveDownload';
import { OMNIGLOT_BACKGROUND } from '../../core/data/omniglotSources';
import { openDatabase, type ArchiveRecord as StoredArchive } from '../history/database';

export {
  CANCELLED_MESSAGE,
  DownloadError,
  downloadArchive,
  formatBytes,
  hasZipEndRecord,
  startsWithZipSignature,
  type ArchiveSource,
  type DownloadErrorKind,
  type DownloadOptions,
} from '../../core/data/archiveDownload';
export { OMNIGLOT_BACKGROUND, OMNIGLOT_BACKGROUND_URL } from '../../core/data/omniglotSources';

// ---- The cache (IndexedDB store "archives", keyPath name) ----

/** What this module stores: the database's archive record plus where it came from and its size. */
export interface ArchiveRecord extends StoredArchive {
  /** Where the bytes came from. */
  url: string;
  /** bytes.length, kept beside the bytes for listings. */
  size: number;
}

export interface ArchiveInfo {
  name: string;
  url: string;
  size: number;
  /** ms since 1970 (Date.now()). */
  savedAt: number;
}

/** A stored record as this module's type; records written without url or size still read. */
function normalise(record: StoredArchive & Partial<ArchiveRecord>): ArchiveRecord {
  return { ...record, url: record.url ?? '', size: record.size ?? record.bytes.length };
}

// The database module shares one connection per factory across the page, so nothing here closes it.

/** The cached archive of that name, or null. */
export async function cachedArchive(name: string, factory?: IDBFactory): Promise<ArchiveRecord | null> {
  const db = await openDatabase({ factory });
  const record = await db.get('archives', name);
  return record ? normalise(record) : null;
}

export async function saveArchive(record: ArchiveRecord, factory?: IDBFactory): Promise<void> {
  const { bytes } = record;
  // A view into a larger buffer would be stored with the whole buffer; store exactly the bytes.
  const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const stored: ArchiveRecord = { name: record.name, url: record.url, bytes: exact, size: exact.length, savedAt: record.savedAt };
  const db = await openDatabase({ factory });
  await db.put('archives', stored);
}

export async function deleteArchive(name: string, factory?: IDBFactory): Promise<void> {
  const db = await openDatabase({ factory });
  await db.delete('archives', name);
}

/** Size and date of a cached archive, or null. IndexedDB cannot read part of a record, so this
 * reads the bytes too and drops them (about 10 ms for Omniglot); the store's layout is shared with
 * other code, so a separate metadata store is not this module's to add. */
export async function archiveInfo(name: string, factory?: IDBFactory): Promise<ArchiveInfo | null> {
  const record = await cachedArchive(name, factory);
  return record ? { name: record.name, url: record.url, size: record.size, savedAt: record.savedAt } : null;
}

// ---- Download-or-cache ----

export interface LoadOmniglotOptions extends DownloadOptions {
  /** Overrides the official address (browser tests serve a local archive). */
  url?: string;
  /** IndexedDB to use (tests pass fake-indexeddb's). */
  factory?: IDBFactory;
  /** Told when the cache could not be read or written (private browsing, full disk); the archive is
   * still returned, it just will not be there offline. */
  onCacheError?: (error: unknown) => void;
}

/** The Omniglot background archive: from the cache when it is there (no network), else downloaded,
 * cached and returned. */
export async function loadOmniglot(options: LoadOmniglotOptions = {}): Promise<Uint8Array> {
  const source: ArchiveSource = { ...OMNIGLOT_BACKGROUND, url: options.url ?? OMNIGLOT_BACKGROUND.url };
  if (options.signal?.aborted) throw cancelled(options.signal.reason);
  let cached: ArchiveRecord | null = null;
  try {
    cached = await cachedArchive(source.name, options.factory);
  } catch (error) {
    // No usable IndexedDB is no reason not to download.
    options.onCacheError?.(error);
  }
  if (cached && startsWithZipSignature(cached.bytes) && hasZipEndRecord(cached.bytes)) {
    // Reported once, complete, so a progress bar shown for the request fills rather than hangs.
    options.onProgress?.(cached.bytes.length, cached.bytes.length);
    return cached.bytes;
  }
  const bytes = await downloadArchive(source, options);
  try {
    await saveArchive({ name: source.name, url: source.url, bytes, size: bytes.length, savedAt: Date.now() }, options.factory);
  } catch (error) {
    options.onCacheError?.(error);
  }
  return bytes;
}
