// Loads the datasets an experiment asks for, in Node: generated glyphs, Omniglot archives, or image
// folders / zips (the experiment plan splits their classes).
import { basename } from 'node:path';
import type { ImageDataset } from '../core/data/dataset';
import { generateGlyphs } from '../core/data/glyphs';
import { imageFolderFromZip, loadImageFolder } from '../core/data/imageFolder';
import { formatBytes } from '../core/data/archiveDownload';
import { loadOmniglotArchive } from '../core/data/omniglot';
import { OMNIGLOT_ARCHIVES, type OmniglotArchiveName } from '../core/data/omniglotSources';
import { withRotations } from '../core/data/rotate';
import type { ExperimentData } from '../core/experiment/experimentPlan';
import { familyOf } from '../core/experiment/datasets';
import { cachedOrDownloaded } from '../node/datasetCache';
import { decodeImage } from '../node/decodeImage';
import { readImageSource } from '../node/readSource';
import { OMNIGLOT_PREFIX, type ExperimentArgs } from './experimentArgs';
import { progressBar, type ProgressBar } from './progress';

export interface LoadedData {
  data: ExperimentData;
  /** The image datasets loaded (one, or two when --eval-data gives the test set). */
  datasets: ImageDataset[];
  warnings: string[];
}

async function loadOne(
  args: ExperimentArgs,
  path: string | undefined,
  log: (line: string) => void,
): Promise<{ dataset: ImageDataset; warnings: readonly string[] }> {
  if (args.dataset === 'glyphs') return { dataset: generateGlyphs({ seed: 1 }), warnings: [] };
  if (path!.startsWith(OMNIGLOT_PREFIX)) return loadNamedOmniglot(args, path!.slice(OMNIGLOT_PREFIX.length) as OmniglotArchiveName, log);
  const source = await readImageSource(path!);
  const name = basename(path!).replace(/\.zip$/i, '');
  if (args.dataset === 'omniglot') {
    if (source.kind !== 'zip') {
      throw new Error(`--dataset omniglot reads the official archive (images_background.zip); ${path} is not a .zip file.`);
    }
    log(`Reading ${path} ...`);
    return readOmniglot(args, source.bytes, name);
  }
  const size = args.imageSize ?? 84;
  const options = { height: size, width: size, channels: args.channels ?? 3 };
  const loaded =
    source.kind === 'zip'
      ? await imageFolderFromZip(source.bytes, name, decodeImage, options)
      : await loadImageFolder(source.files, name, decodeImage, options);
  return { dataset: loaded, warnings: loaded.warnings };
}

async function readOmniglot(args: ExperimentArgs, bytes: Uint8Array, name: string): Promise<{ dataset: ImageDataset; warnings: readonly string[] }> {
  const loaded = await loadOmniglotArchive(bytes, name, decodeImage, { size: 28 });
  const dataset = args.rotations ? withRotations(loaded, [90, 180, 270]) : loaded;
  return { dataset, warnings: loaded.warnings };
}

/** An official Omniglot archive by name: from the cache, or downloaded into it with a progress bar. */
async function loadNamedOmniglot(args: ExperimentArgs, which: OmniglotArchiveName, log: (line: string) => void) {
  const source = OMNIGLOT_ARCHIVES[which];
  let bar: ProgressBar | undefined;
  const archive = await cachedOrDownloaded(source, {
    log,
    onProgress: (received, total) => {
      if (total <= 0) return;
      bar ??= progressBar(`Downloading ${source.name}`, total, process.stderr, formatBytes);
      bar.update(received);
    },
  });
  bar?.finish();
  return readOmniglot(args, archive.bytes, source.name.replace(/\.zip$/i, ''));
}

/**
 * The data the flags ask for, as an experiment plan takes it: images (with --eval-data, a second
 * dataset whose classes are all test classes), or nothing to load for a generated family.
 */
export async function loadExperimentData(args: ExperimentArgs, log: (line: string) => void): Promise<LoadedData> {
  if (familyOf(args.dataset).id === 'regression') return { data: { family: 'regression' }, datasets: [], warnings: [] };
  const main = await loadOne(args, args.data, log);
  const test = args.evalData ? await loadOne(args, args.evalData, log) : undefined;
  return {
    data: { family: 'classification', dataset: main.dataset, testDataset: test?.dataset },
    datasets: test ? [main.dataset, test.dataset] : [main.dataset],
    warnings: [...main.warnings, ...(test?.warnings ?? [])],
  };
}
