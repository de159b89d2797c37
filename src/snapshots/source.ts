// Where the page gets snapshots: the manifest is part of the bundle (small); a snapshot's two files
// are fetched from the app's own origin (public/snapshots/, precached by the service worker for
// offline use) only when the user starts from it, and checked against the manifest's sha256.
import manifestJson from './manifest.json';
import { SNAPSHOT_FORMAT, type SnapshotEntry, type SnapshotManifest, type SnapshotRun } from './snapshot';

export const SNAPSHOT_MANIFEST = manifestJson as unknown as SnapshotManifest;

/** Loads a snapshot's files; the page's reads them over fetch, tests from disk. */
export interface SnapshotSource {
  entries: readonly SnapshotEntry[];
  load(entry: SnapshotEntry): Promise<{ run: SnapshotRun; bin: Uint8Array }>;
}

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null; // not a secure context: the manifest's bytes still check the length
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks a snapshot's files against its manifest entry and parses the run. */
export async function checkedSnapshot(entry: SnapshotEntry, jsonBytes: Uint8Array, bin: Uint8Array): Promise<{ run: SnapshotRun; bin: Uint8Array }> {
  for (const [what, bytes, expected] of [
    ['run', jsonBytes, entry.files.json],
    ['weights', bin, entry.files.bin],
  ] as const) {
    if (bytes.byteLength !== expected.bytes) throw new Error(`its ${what} file has ${bytes.byteLength} bytes, not the ${expected.bytes} the app expects (an old or cut-off copy?)`);
    const hash = await sha256Hex(bytes);
    if (hash !== null && hash !== expected.sha256) throw new Error(`its ${what} file is not the one the app was built with (sha256 differs)`);
  }
  const run = JSON.parse(new TextDecoder().decode(jsonBytes)) as SnapshotRun;
  if (run.format !== SNAPSHOT_FORMAT || run.id !== entry.id) throw new Error(`its run file is not snapshot "${entry.id}" in format ${SNAPSHOT_FORMAT}`);
  return { run, bin };
}

/** The page's snapshots, fetched from `base` (the app's folder). */
export function fetchSnapshotSource(base: string = typeof document === 'undefined' ? '' : document.baseURI): SnapshotSource {
  const get = async (file: string): Promise<Uint8Array> => {
    const response = await fetch(new URL(`snapshots/${file}`, base));
    if (!response.ok) throw new Error(`snapshots/${file} answered ${response.status} ${response.statusText}`.trim());
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    entries: SNAPSHOT_MANIFEST.entries,
    load: async (entry) => {
      const [json, bin] = await Promise.all([get(`${entry.id}.json`), get(`${entry.id}.bin`)]);
      return checkedSnapshot(entry, json, bin);
    },
  };
}
