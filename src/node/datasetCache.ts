// The CLI's dataset cache: an archive asked for by name (`--dataset omniglot`, `--eval-data
// omniglot:evaluation`) is downloaded once from its official address, on request only, checked
// (HTTP status, length, zip records) and kept in the user's cache folder, so later runs work offline.
// The tests point FEW_SHOT_LAB_MIRROR at a server on 127.0.0.1; nothing else is ever fetched.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  downloadArchive,
  hasZipEndRecord,
  startsWithZipSignature,
  type ArchiveSource,
  type DownloadAdvice,
} from '../core/data/archiveDownload';

/**
 * Where downloaded datasets are kept: $FEW_SHOT_LAB_CACHE, else $XDG_CACHE_HOME/few-shot-lab, else
 * ~/.cache/few-shot-lab (the XDG default).
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FEW_SHOT_LAB_CACHE) return env.FEW_SHOT_LAB_CACHE;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(base, 'few-shot-lab');
}

/** The source's address, or the same file name in $FEW_SHOT_LAB_MIRROR (a folder URL) when set. */
export function sourceUrl(source: ArchiveSource, env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.FEW_SHOT_LAB_MIRROR;
  if (!mirror) return source.url;
  return new URL(source.name, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
}

export interface CachedArchiveOptions {
  /** Default: cacheDirectory(). */
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Told what happens ("Downloading ... to ...", "Using ... from the cache"). */
  log?: (line: string) => void;
  /** Bytes received so far and the expected total (0 when unknown). */
  onProgress?: (received: number, total: number) => void;
  fetchImpl?: typeof fetch;
}

export interface CachedArchive {
  bytes: Uint8Array;
  /** The file in the cache. */
  path: string;
  /** False when it came from the cache. */
  downloaded: boolean;
}

function isWholeZip(bytes: Uint8Array): boolean {
  return startsWithZipSignature(bytes) && hasZipEndRecord(bytes);
}

/** The archive from the cache when it is there and whole; otherwise downloaded, checked and cached. */
export async function cachedOrDownloaded(source: ArchiveSource, options: CachedArchiveOptions = {}): Promise<CachedArchive> {
  const env = options.env ?? process.env;
  const dir = options.cacheDir ?? cacheDirectory(env);
  const path = join(dir, source.name);
  const log = options.log ?? (() => undefined);
  if (existsSync(path)) {
    const bytes = new Uint8Array(readFileSync(path));
    if (isWholeZip(bytes)) {
      log(`Using ${source.name} from the cache (${path}).`);
      return { bytes, path, downloaded: false };
    }
    log(`${path} is not a whole zip archive (an interrupted copy?): downloading it again.`);
  }
  const url = sourceUrl(source, env);
  const advice: DownloadAdvice = {
    retry: 'run the command again',
    offline: `--dataset glyphs works offline, or download ${source.url} another way and pass it with --data PATH`,
  };
  log(`Downloading ${source.name} from ${url} to ${dir} (once; later runs use this copy offline) ...`);
  const bytes = await downloadArchive({ ...source, url }, { onProgress: options.onProgress, fetchImpl: options.fetchImpl, advice });
  try {
    mkdirSync(dir, { recursive: true });
    // Written beside its final name and renamed, so an interrupted write never looks like a cached archive.
    const partial = `${path}.${process.pid}.part`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch (error) {
    rmSync(`${path}.${process.pid}.part`, { force: true });
    log(`warning: could not keep ${source.name} in ${dir} (${(error as Error).message}); it will be downloaded again next time.`);
  }
  return { bytes, path, downloaded: true };
}
