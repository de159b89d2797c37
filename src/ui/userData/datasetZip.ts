// A dataset as a zip file and back: export writes the ImageFolder layout `<class>/<image>` with the
// stored image bytes (stored, not deflated: PNG/JPEG/WebP are compressed already), so it opens in
// any file manager and loads in PyTorch's ImageFolder; import reads a zip the way a dropped folder
// is read (filesFromZip + ingestFiles), with the same per-file problems.
import { zipSync, type Zippable } from 'fflate';
import { filesFromZip } from './dropFiles';
import { ingestFiles, type PrepareImage } from './ingest';
import { extensionFor, hasExtensionFor } from './imageFormat';
import { type DataContext, type OwnDatasetRecord, createDataset, mergeClasses } from './ownDataset';

/**
 * The dataset as a zip: one folder per class (an empty class as an empty folder), each image
 * under its name made safe for Windows, macOS and Linux, with its format's ending, unique within
 * its folder ignoring case. Images are written byte for byte as stored.
 */
export function datasetToZip(ds: OwnDatasetRecord): Uint8Array {
  const entries: Zippable = {};
  const folders = new Set<string>();
  for (const cls of ds.classes) {
    const folder = uniqueName(safeName(cls.name, 'class'), folders);
    if (cls.images.length === 0) {
      entries[`${folder}/`] = new Uint8Array(0);
      continue;
    }
    const names = new Set<string>();
    for (const image of cls.images) {
      let name = safeName(image.name, 'image');
      if (!hasExtensionFor(name, image.type)) name += extensionFor(image.type);
      entries[`${folder}/${uniqueName(name, names)}`] = [image.bytes, { level: 0 }];
    }
  }
  return zipSync(entries);
}

/** A file name for the exported zip, e.g. "My photos.zip". */
export function datasetZipName(ds: OwnDatasetRecord): string {
  return `${safeName(ds.name, 'dataset')}.zip`;
}

/**
 * A new dataset from a zip, named after the zip file (without ".zip"). Unusable files are in
 * `problems`, images renamed or skipped as duplicates in `notes` (as mergeClasses says them);
 * throws an OwnDataError when the file is not a readable zip.
 */
export async function datasetFromZip(
  bytes: Uint8Array,
  fileName: string,
  prepare: PrepareImage,
  options: DataContext & { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ dataset: OwnDatasetRecord; problems: string[]; notes: string[] }> {
  const files = filesFromZip(bytes, fileName);
  const ingested = await ingestFiles(files, prepare, options);
  const name = fileName.replace(/\.zip$/i, '').trim() || 'Imported dataset';
  const merged = mergeClasses(createDataset(name, options), ingested.classes, options);
  return { dataset: merged.dataset, problems: [...ingested.problems, ...merged.problems], notes: merged.notes };
}

/** Characters Windows forbids in file names, control characters, and the path separators. */
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;
/** Names Windows reserves for devices, with or without an ending. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** The name with unsafe characters replaced by "_", no trailing dots or spaces, never empty or hidden. */
export function safeName(name: string, fallback: string): string {
  let safe = name.replace(UNSAFE, '_').trim().replace(/[. ]+$/, '');
  if (safe.startsWith('.')) safe = `_${safe.slice(1)}`;
  if (!safe || safe === '__MACOSX') safe = fallback;
  if (RESERVED.test(safe)) safe = `_${safe}`;
  return safe;
}

/** `name`, or "name (2).jpg", "name (3).jpg", ... until unused in `taken` (ignoring case); adds it there. */
function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ending] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ending}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
