// The CLI's Omniglot download (src/node/datasetCache.ts and `npm run experiment -- --dataset
// omniglot`), against a real HTTP server on 127.0.0.1 serving the real Omniglot subset from
// tests/fixtures (FEW_SHOT_LAB_MIRROR points the official file names there): a download with
// progress into the cache, its reuse offline, and what a person is told when the download is cut
// short, answered 404 or refused. Nothing here reaches beyond 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OMNIGLOT_BACKGROUND, OMNIGLOT_EVALUATION } from '../../src/core/data/omniglotSources';
import { cacheDirectory, cachedOrDownloaded, sourceUrl } from '../../src/node/datasetCache';

const ARCHIVE = readFileSync(fileURLToPath(new URL('../fixtures/omniglot/images_background_subset.zip', import.meta.url)));

/** What the server does for each file name; every request is counted. */
let behaviour: 'serve' | 'cut' | 'missing' = 'serve';
const hits: string[] = [];
let server: Server;
let mirror: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    hits.push(name);
    if (behaviour === 'missing' || !['images_background.zip', 'images_evaluation.zip'].includes(name)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404: Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': ARCHIVE.length });
    if (behaviour === 'cut') {
      // Promises the whole file, sends a third, and the connection drops.
      res.write(ARCHIVE.subarray(0, Math.floor(ARCHIVE.length / 3)), () => res.socket?.destroy());
      return;
    }
    res.end(ARCHIVE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  behaviour = 'serve';
  hits.length = 0;
});

/** A port nothing listens on: one the system gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const freshCache = () => mkdtempSync(join(tmpdir(), 'fsl-cache-'));

describe('cacheDirectory and sourceUrl', () => {
  it('keeps downloads in $XDG_CACHE_HOME/few-shot-lab, else ~/.cache/few-shot-lab; FEW_SHOT_LAB_CACHE overrides both', () => {
    expect(cacheDirectory({ HOME: '/home/ada' })).toBe('/home/ada/.cache/few-shot-lab');
    expect(cacheDirectory({ HOME: '/home/ada', XDG_CACHE_HOME: '/var/cache/ada' })).toBe('/var/cache/ada/few-shot-lab');
    // The XDG specification ignores a relative XDG_CACHE_HOME.
    expect(cacheDirectory({ HOME: '/home/ada', XDG_CACHE_HOME: 'relative' })).toBe('/home/ada/.cache/few-shot-lab');
    expect(cacheDirectory({ HOME: '/home/ada', XDG_CACHE_HOME: '/x', FEW_SHOT_LAB_CACHE: '/data/fsl' })).toBe('/data/fsl');
  });

  it('fetches from the official address unless a mirror folder is named', () => {
    expect(sourceUrl(OMNIGLOT_BACKGROUND, {})).toBe('https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip');
    expect(sourceUrl(OMNIGLOT_EVALUATION, {})).toBe('https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_evaluation.zip');
    expect(sourceUrl(OMNIGLOT_EVALUATION, { FEW_SHOT_LAB_MIRROR: 'http://127.0.0.1:9/omniglot' })).toBe('http://127.0.0.1:9/omniglot/images_evaluation.zip');
  });
});

describe('cachedOrDownloaded', () => {
  it('downloads once with progress up to the whole size, keeps the file, and reads it from the cache afterwards without the network', async () => {
    const cacheDir = freshCache();
    const progress: Array<[number, number]> = [];
    const lines: string[] = [];
    const env = { FEW_SHOT_LAB_MIRROR: mirror };
    const first = await cachedOrDownloaded(OMNIGLOT_BACKGROUND, { cacheDir, env, log: (l) => lines.push(l), onProgress: (r, t) => progress.push([r, t]) });
    expect(first.downloaded).toBe(true);
    expect(Buffer.compare(first.bytes, ARCHIVE)).toBe(0);
    expect(first.path).toBe(join(cacheDir, 'images_background.zip'));
    expect(Buffer.compare(readFileSync(first.path), ARCHIVE)).toBe(0);
    expect(readdirSync(cacheDir)).toEqual(['images_background.zip']); // no partial file left behind
    expect(progress.at(-1)).toEqual([ARCHIVE.length, ARCHIVE.length]);
    expect(lines[0]).toBe(`Downloading images_background.zip from ${mirror}images_background.zip to ${cacheDir} (once; later runs use this copy offline) ...`);
    expect(hits).toEqual(['images_background.zip']);

    // Offline now: a mirror nobody answers at. The cached copy is used and nothing is requested.
    const offline = { FEW_SHOT_LAB_MIRROR: `http://127.0.0.1:${await closedPort()}/` };
    const again = await cachedOrDownloaded(OMNIGLOT_BACKGROUND, { cacheDir, env: offline, log: (l) => lines.push(l) });
    expect(again.downloaded).toBe(false);
    expect(Buffer.compare(again.bytes, ARCHIVE)).toBe(0);
    expect(lines.at(-1)).toBe(`Using images_background.zip from the cache (${first.path}).`);
    expect(hits).toHaveLength(1);
  });

  it('says the download was cut short, and keeps nothing', async () => {
    behaviour = 'cut';
    const cacheDir = freshCache();
    const error = await cachedOrDownloaded(OMNIGLOT_BACKGROUND, { cacheDir, env: { FEW_SHOT_LAB_MIRROR: mirror } }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^Omniglot could not be used: the download was incomplete or is not a zip archive \(the connection was lost after [\d.]+ kB of 917 kB\)\. Check your connection and run the command again; --dataset glyphs works offline, or download https:\/\/raw\.githubusercontent\.com\/brendenlake\/omniglot\/master\/python\/images_background\.zip another way and pass it with --data PATH\.$/,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('says the archive is not at its address on HTTP 404', async () => {
    behaviour = 'missing';
    const cacheDir = freshCache();
    const error = await cachedOrDownloaded(OMNIGLOT_EVALUATION, { cacheDir, env: { FEW_SHOT_LAB_MIRROR: mirror } }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `Omniglot (evaluation set) could not be downloaded: ${new URL(mirror).host} answered HTTP 404 Not Found. The archive is no longer at its address; --dataset glyphs works offline, or download ${OMNIGLOT_EVALUATION.url} another way and pass it with --data PATH.`,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('says what to do when the connection is refused (offline, no cached copy)', async () => {
    const cacheDir = freshCache();
    const port = await closedPort();
    const error = await cachedOrDownloaded(OMNIGLOT_BACKGROUND, { cacheDir, env: { FEW_SHOT_LAB_MIRROR: `http://127.0.0.1:${port}/` } }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `Omniglot could not be downloaded (network error: connect ECONNREFUSED 127.0.0.1:${port}). Check your connection and run the command again; --dataset glyphs works offline, or download ${OMNIGLOT_BACKGROUND.url} another way and pass it with --data PATH.`,
    );
    expect(existsSync(join(cacheDir, 'images_background.zip'))).toBe(false);
  });

  it('downloads again over a cached file that is not a whole zip (an interrupted copy)', async () => {
    const cacheDir = freshCache();
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'images_background.zip'), ARCHIVE.subarray(0, 1000));
    const lines: string[] = [];
    const got = await cachedOrDownloaded(OMNIGLOT_BACKGROUND, { cacheDir, env: { FEW_SHOT_LAB_MIRROR: mirror }, log: (l) => lines.push(l) });
    expect(got.downloaded).toBe(true);
    expect(lines[0]).toMatch(/is not a whole zip archive \(an interrupted copy\?\): downloading it again\.$/);
    expect(Buffer.compare(readFileSync(join(cacheDir, 'images_background.zip')), ARCHIVE)).toBe(0);
  });
});

/** Runs the CLI without blocking this process (the server above answers it). */
function experiment(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('npm run experiment -- --dataset omniglot (no --data)', () => {
  const run = ['--dataset', 'omniglot', '--split', '2,1,1', '--episodes', '3', '--val-every', '0', '--eval-episodes', '10', '--query', '5', '--threads', '1'];

  it('downloads the official archive into the cache with a progress bar, trains and evaluates; then works offline from the cache', async () => {
    const cache = freshCache();
    const first = await experiment(run, { XDG_CACHE_HOME: cache, FEW_SHOT_LAB_MIRROR: mirror, FEW_SHOT_LAB_CACHE: '' });
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(`Downloading images_background.zip from ${mirror}images_background.zip to ${join(cache, 'few-shot-lab')}`);
    expect(first.stderr).toMatch(/Downloading images_background\.zip \[#+\] 100% 917 kB of 917 kB  [\d.]+ [kMG]?B\/s/);
    expect(first.stderr).toMatch(/Dataset: omniglot:images_background \(89 classes, 28x28x1\)/);
    expect(first.stdout).toMatch(/accuracy\s+\d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
    expect(existsSync(join(cache, 'few-shot-lab', 'images_background.zip'))).toBe(true);

    const offline = await experiment(run, { XDG_CACHE_HOME: cache, FEW_SHOT_LAB_MIRROR: `http://127.0.0.1:${await closedPort()}/`, FEW_SHOT_LAB_CACHE: '' });
    expect(offline.status).toBe(0);
    expect(offline.stderr).toContain('Using images_background.zip from the cache');
    expect(offline.stdout).toMatch(/accuracy\s+\d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
    expect(hits).toEqual(['images_background.zip']);
  });

  it('offline without a cached copy: exits 1 with what to do, no stack trace', async () => {
    const port = await closedPort();
    const r = await experiment(run, { XDG_CACHE_HOME: freshCache(), FEW_SHOT_LAB_MIRROR: `http://127.0.0.1:${port}/`, FEW_SHOT_LAB_CACHE: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Error: Omniglot could not be downloaded (network error: connect ECONNREFUSED 127.0.0.1:${port}). Check your connection and run the command again; --dataset glyphs works offline`);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
