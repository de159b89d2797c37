// Turns a dataset source sent by the page into a loaded dataset inside the worker: the built-in
// glyphs and sine waves are generated, Omniglot archives and <class>/<image> zips are read with the
// decoder the environment provides (the browser's in the worker, pngjs/jpeg-js in Node tests).
import type { ImageDataset, ImageDecoder } from '../core/data/dataset';
import { generateGlyphs } from '../core/data/glyphs';
import { imageFolderFromZip } from '../core/data/imageFolder';
import { loadOmniglotArchive } from '../core/data/omniglot';
import { withRotations } from '../core/data/rotate';
import { datasetGroups } from '../core/episodes/split';
import type { ExperimentData } from '../core/experiment/experimentPlan';
import type { DatasetSource, DatasetSummary } from './protocol';

/** A loaded dataset: what an experiment plan runs on, and what the page is told about it. */
export interface LoadedSource {
  data: ExperimentData;
  summary: DatasetSummary;
}

export async function loadSource(datasetId: string, source: DatasetSource, decode: ImageDecoder): Promise<LoadedSource> {
  if (source.kind === 'sinusoid') {
    return {
      data: { family: 'regression' },
      summary: { id: datasetId, name: 'Sine waves (MAML regression tasks)', task: 'regression', classes: 0, groups: 0, images: 0, shape: null, warnings: [] },
    };
  }
  let dataset: ImageDataset;
  let warnings: readonly string[] = [];
  if (source.kind === 'glyphs') {
    dataset = generateGlyphs({ seed: 1 });
  } else if (source.kind === 'omniglot') {
    const loaded = await loadOmniglotArchive(source.bytes, source.name, decode, { size: 28 });
    warnings = loaded.warnings;
    dataset = source.rotations ? withRotations(loaded, [90, 180, 270]) : loaded;
  } else {
    const size = source.imageSize ?? 84;
    const loaded = await imageFolderFromZip(source.bytes, source.name, decode, { height: size, width: size, channels: source.channels ?? 3 });
    warnings = loaded.warnings;
    dataset = loaded;
  }
  return {
    data: { family: 'classification', dataset },
    summary: {
      id: datasetId,
      name: dataset.name,
      task: 'classification',
      classes: dataset.classes.length,
      groups: datasetGroups(dataset).length,
      images: dataset.classes.reduce((n, c) => n + c.count, 0),
      shape: [dataset.height, dataset.width, dataset.channels],
      warnings: [...warnings],
      classList: dataset.classes.map(({ name, group, count }) => ({ name, group, count })),
    },
  };
}
