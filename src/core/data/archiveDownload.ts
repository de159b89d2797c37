// Downloading a zip archive the user asked for (a dataset), as a stream with progress, and checking
// that what arrived is whole: the HTTP status, the Content-Length, the zip's first and last records.
// Plain TypeScript on `fetch`, so the page (Omniglot in the playground) and the CLI (its download
// cache) share one implementation; each says in `advice` what its user can do when it fails.

/** A zip archive that can be downloaded on request. */
export interface ArchiveSource {
  /** File name; also the archive's key in the cache, so a mirror of the same file shares one entry. */
  readonly name: string;
  readonly url: string;
  /** Expected size in bytes, shown before the download and used as the progress total when the
   * server sends no Content-Length. */
  readonly size?: number;
  /** What the archive is, for the Dataset control. */
  readonly label?: string;
  readonly citation?: string;
  /** Name used in error messages ("Omniglot could not be downloaded ..."). */
  readonly title?: string;
}

export type DownloadErrorKind = 'network' | 'http' | 'corrupt' | 'cancelled';

/** A failed download; `kind` lets the page treat a cancel as no error at all. */
export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  readonly status?: number;

  constructor(kind: DownloadErrorKind, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DownloadError';
    this.kind = kind;
    this.status = options.status;
  }
}

export const CANCELLED_MESSAGE = 'Download cancelled.';

/** What the person can do when a download fails, in the words of the app they are using. */
export interface DownloadAdvice {
  /** How to try again, e.g. "press Download again" or "run the command again". */
  readonly retry: string;
  /** What works without the archive, e.g. "the built-in glyphs work offline". */
  readonly offline: string;
}

/** The page's wording (the playground's Download button). */
export const PAGE_ADVICE: DownloadAdvice = { retry: 'press Download again', offline: 'the built-in glyphs work offline' };

export interface DownloadOptions {
  /** Called after each received chunk with the bytes so far and the expected total (0 when unknown). */
  onProgress?: (received: number, total: number) => void;
  signal?: AbortSignal;
  /** Stand-in for `fetch` (tests, or a page that routes requests). */
  fetchImpl?: typeof fetch;
  /** What to tell the person when the download fails (default: the page's wording). */
  advice?: DownloadAdvice;
}

/** "PK\x03\x04": every zip written by ordinary tools starts with a local file header. */
const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
/** "PK\x05\x06": the end-of-central-directory record, the last thing in a complete zip. */
const ZIP_END_RECORD = 0x06054b50;
const ZIP_END_RECORD_SIZE = 22;

/** Downloads `source.url` as a stream, reporting progress, and checks that what arrived is a whole zip. */
export async function downloadArchive(source: ArchiveSource, options: DownloadOptions = {}): Promise<Uint8Array> {
  const { onProgress, signal } = options;
  const title = source.title ?? 'The archive';
  const advice = options.advice ?? PAGE_ADVICE;
  // A wrapper, not `fetch` itself: browsers reject a detached `fetch` called with another `this`.
  const fetchImpl = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  if (signal?.aborted) throw cancelled(signal.reason);

  let response: Response;
  try {
    response = await fetchImpl(source.url, { signal });
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw cancelled(error);
    throw new DownloadError(
      'network',
      `${title} could not be downloaded (network error${networkDetail(error)}). Check your connection and ${advice.retry}; ${advice.offline}.`,
      { cause: error },
    );
  }

  if (!response.ok) {
    // Nobody reads the error page; cancelling frees the connection at once.
    void response.body?.cancel().catch(() => undefined);
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const what =
      response.status === 404 || response.status === 410
        ? `The archive is no longer at its address; ${advice.offline}.`
        : response.status === 429 || response.status >= 500
          ? `The server is busy or failing; ${advice.retry} later. ${capitalise(advice.offline)}.`
          : `${capitalise(advice.retry)} later; ${advice.offline}.`;
    throw new DownloadError('http', `${title} could not be downloaded: ${hostOf(source.url)} answered ${status}. ${what}`, {
      status: response.status,
    });
  }

  const contentLength = parseLength(response.headers.get('content-length'));
  // With a content coding (gzip...) Content-Length counts the encoded bytes, not the ones the
  // stream yields, so it can neither be a progress total nor a completeness check. (Cross-origin
  // pages cannot see Content-Encoding; raw.githubusercontent.com sends zips unencoded.)
  const coding = response.headers.get('content-encoding');
  const expected = coding && coding.toLowerCase() !== 'identity' ? null : contentLength;
  const total = expected ?? source.size ?? 0;
  const incomplete = (detail: string, cause?: unknown) =>
    new DownloadError(
      'corrupt',
      `${title} could not be used: the download was incomplete or is not a zip archive (${detail}). Check your connection and ${advice.retry}; ${advice.offline}.`,
      { cause },
    );

  let bytes: Uint8Array;
  if (!response.body) {
    // Environments without streamed bodies still work, just without intermediate progress.
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw cancelled(error);
      throw incomplete('the connection was lost', error);
    }
    if (signal?.aborted) throw cancelled(signal.reason);
    onProgress?.(bytes.length, Math.max(total, bytes.length));
  } else {
    const reader = response.body.getReader();
    // fetch aborts its own stream, but a `fetchImpl` might ignore the signal: cancel the reader too.
    const onAbort = () => void reader.cancel().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    // One buffer of the expected size, so a 10 MB archive is not held twice while chunks are joined.
    let buffer = new Uint8Array(total > 0 ? total : 1 << 20);
    let received = 0;
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (error) {
          if (signal?.aborted || isAbortError(error)) throw cancelled(error);
          throw incomplete(`the connection was lost after ${describeProgress(received, total)}`, error);
        }
        if (signal?.aborted) throw cancelled(signal.reason);
        if (step.done) break;
        const chunk = step.value;
        if (received + chunk.length > buffer.length) {
          const grown = new Uint8Array(Math.max(buffer.length * 2, received + chunk.length));
          grown.set(buffer.subarray(0, received));
          buffer = grown;
        }
        buffer.set(chunk, received);
        received += chunk.length;
        onProgress?.(received, Math.max(total, received));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    // An exact-length copy: IndexedDB would otherwise store the spare capacity too.
    bytes = received === buffer.length ? buffer : buffer.slice(0, received);
  }

  if (expected !== null && bytes.length !== expected) {
    throw incomplete(`received ${describeProgress(bytes.length, expected)}`);
  }
  if (!startsWithZipSignature(bytes)) {
    throw incomplete(bytes.length === 0 ? 'the server sent nothing' : 'it does not start with the zip signature PK');
  }
  if (!hasZipEndRecord(bytes)) {
    // Catches a cut-short file even when the server sent no Content-Length.
    throw incomplete('the end of the zip directory is missing');
  }
  return bytes;
}

export function startsWithZipSignature(bytes: Uint8Array): boolean {
  return bytes.length >= ZIP_LOCAL_HEADER.length && ZIP_LOCAL_HEADER.every((b, i) => bytes[i] === b);
}

/** Whether the zip's end-of-central-directory record is where a complete file has it. */
export function hasZipEndRecord(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end of the file.
  const last = bytes.length - ZIP_END_RECORD_SIZE;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === ZIP_END_RECORD && at + ZIP_END_RECORD_SIZE + view.getUint16(at + 20, true) === bytes.length) {
      return true;
    }
  }
  return false;
}

// ---- Formatting ----

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, as download sizes are usually quoted: 9464212 -> "9.5 MB", 512 -> "512 B". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '? B';
  if (n < 1000) return `${Math.round(n)} B`;
  // One decimal below 100 ("9.5 MB"), none above ("512 kB"), judged after rounding.
  const digits = (v: number) => (Number(v.toFixed(1)) < 100 ? v.toFixed(1) : v.toFixed(0));
  let unit = 0;
  let value = n;
  // Choose the unit after rounding, so 999,960 bytes reads "1.0 MB", not "1000 kB".
  while (unit < UNITS.length - 1 && Number(digits(value)) >= 1000) {
    value /= 1000;
    unit++;
  }
  return `${digits(value)} ${UNITS[unit]}`;
}

// ---- Helpers ----

/** The error a cancelled download (or a request cancelled before it started) ends with. */
export function cancelled(cause?: unknown): DownloadError {
  return new DownloadError('cancelled', CANCELLED_MESSAGE, { cause });
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function parseLength(header: string | null): number | null {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return null;
  return Number(header);
}

function hostOf(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).host || 'the server';
  } catch {
    return 'the server';
  }
}

function describeProgress(received: number, total: number): string {
  return total > 0 ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Node's fetch hides the reason in its cause ("connect ECONNREFUSED 127.0.0.1:8000"); browsers
 * give none worth showing ("Failed to fetch"). */
function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' && typeof cause.message === 'string' ? `: ${cause.message}` : '';
}
