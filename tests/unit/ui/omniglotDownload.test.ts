// The Omniglot download on request (src/ui/datasets/omniglotArchive.ts), against a real HTTP server
// on 127.0.0.1 so fetch, streaming and Content-Length behave as they do in the page: progress, the
// IndexedDB cache (fake-indexeddb, a fresh database per test), and the message each failure gives.
// Nothing here reaches beyond 127.0.0.1.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import 'fake-indexeddb/auto'; // IDB globals (IDBRequest, ...) that idb's wrappers check with instanceof
import { IDBFactory } from 'fake-indexeddb';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOmniglotArchive } from '../../../src/core/data/omniglot';
import { decodeImage } from '../../../src/node/decodeImage';
import {
  OMNIGLOT_BACKGROUND,
  archiveInfo,
  cachedArchive,
  deleteArchive,
  downloadArchive,
  formatBytes,
  hasZipEndRecord,
  loadOmniglot,
  saveArchive,
  startsWithZipSignature,
  type ArchiveSource,
} from '../../../src/ui/datasets/omniglotArchive';
import { encodeGreyPng, greyPicture } from '../fixtures/images';

/** Node's fetch names the reason ("connect ECONNREFUSED ..."); a browser's does not. */
const NETWORK_MESSAGE =
  /^Omniglot could not be downloaded \(network error(: connect ECONNREFUSED [\d.:]+)?\)\. Check your connection and press Download again; the built-in glyphs work offline\.$/;
const INCOMPLETE = 'the download was incomplete or is not a zip';

/** A small archive (a few kB) in the official layout images_background/<Alphabet>/<characterNN>/<id>_<drawer>.png;
 * the server sends it in several pieces, so its size does not matter. */
function buildFixture(): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  let id = 1;
  for (const alphabet of ['Latin', 'Greek']) {
    for (const character of ['character01', 'character02']) {
      for (let drawer = 1; drawer <= 3; drawer++) {
        const name = `${String(id).padStart(4, '0')}_${String(drawer).padStart(2, '0')}.png`;
        files[`images_background/${alphabet}/${character}/${name}`] = encodeGreyPng(
          105,
          105,
          greyPicture(105, 105, [{ top: 10 + id, left: 10 * drawer, bottom: 60 + id, right: 30 + 10 * drawer }]),
        );
      }
      id++;
    }
  }
  return zipSync(files);
}

const ZIP = buildFixture();
const CHUNKS = 5;

// ---- The local server ----

let server: Server;
let base: string;
/** Requests per path, to prove what did (not) touch the network. */
const hits = new Map<string, number>();
const sockets = new Set<Socket>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `body` in CHUNKS pieces with pauses, so the client sees several reads. */
async function writeSlowly(res: ServerResponse, body: Uint8Array, upTo = body.length): Promise<void> {
  const step = Math.ceil(body.length / CHUNKS);
  for (let at = 0; at < upTo; at += step) {
    if (res.destroyed) return;
    res.write(body.subarray(at, Math.min(at + step, upTo)));
    await sleep(15);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  switch (path) {
    case '/images_background.zip':
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': ZIP.length });
      await writeSlowly(res, ZIP);
      res.end();
      return;
    case '/no-length.zip':
      // Chunked transfer: no Content-Length, so the progress total must come from the known size.
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      await writeSlowly(res, ZIP);
      res.end();
      return;
    case '/missing.zip':
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404: Not Found');
      return;
    case '/not-a-zip.zip': {
      // What a captive portal or a moved file's HTML page looks like: 200, but not a zip.
      const page = Buffer.from('<!doctype html><title>Sign in to the Wi-Fi</title><p>Please sign in.</p>');
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': page.length });
      res.end(page);
      return;
    }
    case '/cut-short.zip':
      // Promises the whole file, sends half, then the connection drops.
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': ZIP.length });
      await writeSlowly(res, ZIP, Math.floor(ZIP.length / 2));
      res.socket?.destroy();
      return;
    case '/truncated.zip': {
      // A server (or cache) that holds only the first half of the file and says so consistently:
      // HTTP is satisfied, only the zip's own structure shows the file is not whole.
      const half = ZIP.subarray(0, Math.floor(ZIP.length / 2));
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': half.length });
      res.end(half);
      return;
    }
    case '/stalls.zip':
      // Sends one chunk and then nothing, until the client gives up (the abort test).
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': ZIP.length });
      res.write(ZIP.subarray(0, 1000));
      return;
    case '/real.zip': {
      const real = readFileSync(REAL_ARCHIVE);
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': real.length });
      res.end(real);
      return;
    }
    default:
      res.writeHead(500);
      res.end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // The stalled response never ends on its own.
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.clear();
});

const hitsOf = (path: string) => hits.get(path) ?? 0;

/** A source like the official one, at a path of the local server. */
function sourceAt(path: string, size?: number): ArchiveSource {
  return { name: 'images_background.zip', url: `${base}${path}`, size, title: 'Omniglot' };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** Real Omniglot drawings: four alphabets of the official archive, in the repository. */
const REAL_ARCHIVE = fileURLToPath(new URL('../../fixtures/omniglot/images_background_subset.zip', import.meta.url));

// ---- Tests ----

describe('downloadArchive', () => {
  it('streams the archive with progress rising monotonically to the Content-Length, and returns exactly the served bytes', async () => {
    const calls: Array<[number, number]> = [];
    const bytes = await downloadArchive(sourceAt('/images_background.zip'), {
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(bytes).toEqual(ZIP);
    expect(calls.length).toBeGreaterThan(1);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
    expect(calls.every(([, total]) => total === ZIP.length)).toBe(true);
    expect(calls.at(-1)).toEqual([ZIP.length, ZIP.length]);
  });

  it('uses the known size as the progress total when the server sends no Content-Length', async () => {
    const calls: Array<[number, number]> = [];
    const bytes = await downloadArchive(sourceAt('/no-length.zip', ZIP.length), {
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(bytes).toEqual(ZIP);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every(([, total]) => total === ZIP.length)).toBe(true);
    expect(calls.at(-1)).toEqual([ZIP.length, ZIP.length]);
  });

  it('reports an HTTP error with its status', async () => {
    const error = await rejection(downloadArchive(sourceAt('/missing.zip')));
    expect(error.message).toContain('Omniglot could not be downloaded');
    expect(error.message).toContain('HTTP 404');
    expect(error).toMatchObject({ kind: 'http', status: 404 });
  });

  it('rejects a body that is not a zip', async () => {
    const error = await rejection(downloadArchive(sourceAt('/not-a-zip.zip')));
    expect(error.message).toContain(INCOMPLETE);
    expect(error.message).toContain('zip signature');
  });

  it('rejects a response cut short (connection dropped before Content-Length bytes arrived)', async () => {
    const error = await rejection(downloadArchive(sourceAt('/cut-short.zip')));
    expect(error.message).toContain(INCOMPLETE);
  });

  it('rejects a zip missing its end even when the HTTP length agrees', async () => {
    const error = await rejection(downloadArchive(sourceAt('/truncated.zip')));
    expect(error.message).toContain(INCOMPLETE);
    expect(error.message).toContain('end of the zip directory');
  });

  it('says "network error" when the server cannot be reached at all', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(downloadArchive({ ...sourceAt('/'), url: `http://127.0.0.1:${port}/images_background.zip` }));
    expect(error.message).toMatch(NETWORK_MESSAGE);
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('rejects with "Download cancelled." when aborted mid-stream, and at once when aborted before', async () => {
    const controller = new AbortController();
    const download = downloadArchive(sourceAt('/stalls.zip'), { signal: controller.signal, onProgress: () => controller.abort() });
    const error = await rejection(download);
    expect(error.message).toBe('Download cancelled.');
    expect(error).toMatchObject({ kind: 'cancelled' });

    hits.clear();
    const early = await rejection(downloadArchive(sourceAt('/images_background.zip'), { signal: AbortSignal.abort() }));
    expect(early.message).toBe('Download cancelled.');
    expect(hitsOf('/images_background.zip')).toBe(0);
  });

  it('accepts a real Omniglot archive (the subset in the repository), byte for byte', async () => {
    const real = readFileSync(REAL_ARCHIVE);
    const bytes = await downloadArchive(sourceAt('/real.zip', OMNIGLOT_BACKGROUND.size));
    expect(Buffer.compare(bytes, real)).toBe(0);
    expect(startsWithZipSignature(bytes) && hasZipEndRecord(bytes)).toBe(true);
  });
});

describe('the archive cache', () => {
  it('saves, reads back, describes and deletes a record', async () => {
    const factory = new IDBFactory();
    expect(await cachedArchive('images_background.zip', factory)).toBeNull();
    expect(await archiveInfo('images_background.zip', factory)).toBeNull();

    // A view into a larger buffer: only the viewed bytes may be stored.
    const padded = new Uint8Array(ZIP.length + 100);
    padded.set(ZIP, 50);
    const view = padded.subarray(50, 50 + ZIP.length);
    await saveArchive({ name: 'images_background.zip', url: 'https://example.test/a.zip', bytes: view, size: view.length, savedAt: 1234 }, factory);

    const record = await cachedArchive('images_background.zip', factory);
    expect(record).toMatchObject({ name: 'images_background.zip', url: 'https://example.test/a.zip', size: ZIP.length, savedAt: 1234 });
    expect(record?.bytes).toEqual(ZIP);
    expect(record?.bytes.buffer.byteLength).toBe(ZIP.length);
    expect(await archiveInfo('images_background.zip', factory)).toEqual({
      name: 'images_background.zip',
      url: 'https://example.test/a.zip',
      size: ZIP.length,
      savedAt: 1234,
    });

    await deleteArchive('images_background.zip', factory);
    expect(await cachedArchive('images_background.zip', factory)).toBeNull();
  });
});

describe('loadOmniglot', () => {
  it('downloads and caches on the first call; the second call comes from IndexedDB without the network', async () => {
    const factory = new IDBFactory();
    const url = `${base}/images_background.zip`;
    const before = Date.now();
    const progress: number[] = [];
    const first = await loadOmniglot({ url, factory, onProgress: (received) => progress.push(received) });
    expect(first).toEqual(ZIP);
    expect(progress.length).toBeGreaterThan(1);
    expect(hitsOf('/images_background.zip')).toBe(1);

    const record = await cachedArchive(OMNIGLOT_BACKGROUND.name, factory);
    expect(record).toMatchObject({ name: 'images_background.zip', url, size: ZIP.length });
    expect(record?.bytes).toEqual(ZIP);
    expect(record!.savedAt).toBeGreaterThanOrEqual(before);
    expect(record!.savedAt).toBeLessThanOrEqual(Date.now());

    let fetched = 0;
    const second = await loadOmniglot({
      url,
      factory,
      fetchImpl: async (input, init) => {
        fetched++;
        return fetch(input, init);
      },
    });
    expect(second).toEqual(ZIP);
    expect(fetched).toBe(0);
    expect(hitsOf('/images_background.zip')).toBe(1);

    // What comes back is what the worker parses: the official layout, 2 alphabets x 2 characters.
    const dataset = await loadOmniglotArchive(second, OMNIGLOT_BACKGROUND.name, decodeImage, { size: 28 });
    expect(dataset.classes.length).toBe(4);
  });

  it.each([
    ['an HTTP error', '/missing.zip', 'HTTP 404'],
    ['a body that is not a zip', '/not-a-zip.zip', INCOMPLETE],
    ['a response cut short', '/cut-short.zip', INCOMPLETE],
  ])('gives its message for %s and caches nothing', async (_what, path, message) => {
    const factory = new IDBFactory();
    const error = await rejection(loadOmniglot({ url: `${base}${path}`, factory }));
    expect(error.message).toContain(message);
    expect(hitsOf(path)).toBe(1);
    expect(await cachedArchive(OMNIGLOT_BACKGROUND.name, factory)).toBeNull();
  });

  it('gives the network-error message when offline and caches nothing', async () => {
    const factory = new IDBFactory();
    const error = await rejection(
      loadOmniglot({
        factory,
        // The official address, but a fetch that fails as it does offline: nothing leaves this machine.
        fetchImpl: async () => {
          throw new TypeError('fetch failed');
        },
      }),
    );
    expect(error.message).toMatch(NETWORK_MESSAGE);
    expect(await cachedArchive(OMNIGLOT_BACKGROUND.name, factory)).toBeNull();
  });

  it('rejects with "Download cancelled." when aborted, and caches nothing', async () => {
    const factory = new IDBFactory();
    const controller = new AbortController();
    const error = await rejection(
      loadOmniglot({ url: `${base}/stalls.zip`, factory, signal: controller.signal, onProgress: () => controller.abort() }),
    );
    expect(error.message).toBe('Download cancelled.');
    expect(await cachedArchive(OMNIGLOT_BACKGROUND.name, factory)).toBeNull();
  });

  it('still returns the archive when the cache cannot be written, and says why', async () => {
    const factory = new IDBFactory();
    const broken = Object.assign(Object.create(factory) as IDBFactory, {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    const cacheErrors: unknown[] = [];
    const bytes = await loadOmniglot({ url: `${base}/images_background.zip`, factory: broken, onCacheError: (e) => cacheErrors.push(e) });
    expect(bytes).toEqual(ZIP);
    // Once for the read, once for the write.
    expect(cacheErrors).toHaveLength(2);
  });
});

describe('OMNIGLOT_BACKGROUND and formatBytes', () => {
  it('describes the official archive', () => {
    expect(OMNIGLOT_BACKGROUND).toMatchObject({
      name: 'images_background.zip',
      url: 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip',
      citation: 'Lake, Salakhutdinov & Tenenbaum 2015',
    });
    expect(OMNIGLOT_BACKGROUND.size).toBeGreaterThan(1_000_000);
    expect(formatBytes(OMNIGLOT_BACKGROUND.size)).toMatch(/^\d+(\.\d)? MB$/);
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(512_000)).toBe('512 kB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(9_464_212)).toBe('9.5 MB');
    expect(formatBytes(10_397_166)).toBe('10.4 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
  });
});
