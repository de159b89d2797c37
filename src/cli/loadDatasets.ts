// Loads the datasets an experiment asks for, in Node: generated glyphs, Omniglot archives, or image
// folders / zips, and splits their classes into meta-train / meta-val / meta-test pools.
import { basename } from 'node:path';
import type { ImageDataset } from '../core/data/dataset';
import { generateGlyphs } from '../core/data/glyphs';
import { imageFolderFromZip, loadImageFolder } from '../core/data/imageFolder';
import { formatBytes } from '../core/data/archiveDownload';
import { loadOmniglotArchive } from '../core/data/omniglot';
import { OMNIGLOT_ARCHIVES, type OmniglotArchiveName } from '../core/data/omniglotSources';
import { withRotations } from '../core/data/rotate';
import type { ClassPool } from '../core/episodes/sampler';
import { allClasses, DEFAULT_SPLIT, splitByGroup, type SplitProportions } from '../core/episodes/split';
import { cachedOrDownloaded } from '../node/datasetCache';
import { decodeImage } from '../node/decodeImage';
import { readImageSource } from '../node/readSource';
import { OMNIGLOT_PREFIX, type ExperimentArgs } from './experimentArgs';
import { progressBar, type ProgressBar } from './progress';

export interface LoadedPools {
  train: ClassPool;
  val: ClassPool;
  test: ClassPool;
  /** The datasets behind the pools (one, or two when --eval-data gives the test set). */
  datasets: ImageDataset[];
  split: SplitProportions;
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

export async function loadPools(args: ExperimentArgs, log: (line: string) => void): Promise<LoadedPools> {
  const main = await loadOne(args, args.data, log);
  const warnings: string[] = [...main.warnings];
  if (args.evalData) {
    const evaluation = await loadOne(args, args.evalData, log);
    warnings.push(...evaluation.warnings);
    const split = args.split ?? { train: 0.8, val: 0.2, test: 0 };
    const splits = splitByGroup(main.dataset, split, args.seed);
    return {
      train: { name: 'train', dataset: main.dataset, classIndices: splits.train },
      val: { name: 'val', dataset: main.dataset, classIndices: splits.val.concat(splits.test) },
      test: { name: 'test', dataset: evaluation.dataset, classIndices: allClasses(evaluation.dataset) },
      datasets: [main.dataset, evaluation.dataset],
      split,
      warnings,
    };
  }
  const split = args.split ?? DEFAULT_SPLIT;
  const splits = splitByGroup(main.dataset, split, args.seed);
  return {
    train: { name: 'train', dataset: main.dataset, classIndices: splits.train },
    val: { name: 'val', dataset: main.dataset, classIndices: splits.val },
    test: { name: 'test', dataset: main.dataset, classIndices: splits.test },
    datasets: [main.dataset],
    split,
    warnings,
  };
}
