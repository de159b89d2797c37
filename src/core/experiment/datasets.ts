// The datasets a person can pick, each with its task family: the one list the page, the URL, saved
// runs and the CLI read, so nothing else needs to know which dataset is which kind of task.
// tfjs-free; loading them is the worker's and the CLI's job.
import { CLASSIFICATION } from '../classification/family';
import { REGRESSION } from '../regression/family';
import type { FamilyId, FamilyMetric, MetricName, TaskFamily } from './taskFamily';

export interface DatasetEntry {
  id: string;
  family: TaskFamily;
  /** For the dataset menu. */
  label: string;
  /** One or two sentences on what it is. */
  hint: string;
}

export const DATASETS = [
  {
    id: 'glyphs',
    family: CLASSIFICATION,
    label: 'Glyphs (built in, offline)',
    hint: 'Procedurally drawn characters in alphabets, generated in your browser: nothing to download.',
  },
  {
    id: 'omniglot',
    family: CLASSIFICATION,
    label: 'Omniglot (download once)',
    hint: '1,623 handwritten characters of 50 alphabets (Lake et al. 2015); this is its background set of 964 characters in 30 alphabets.',
  },
  {
    id: 'sinusoid',
    family: REGRESSION,
    label: 'Sine waves (regression)',
    hint: 'Each task is a sine wave of random amplitude and phase; K points are given, the rest predicted (Finn et al. 2017).',
  },
] as const satisfies readonly DatasetEntry[];

/** A built-in dataset's id: 'glyphs', 'omniglot', ... */
export type DatasetId = (typeof DATASETS)[number]['id'];

export const DATASET_IDS: readonly DatasetId[] = DATASETS.map((d) => d.id);

export const FAMILIES: Readonly<Record<FamilyId, TaskFamily>> = { classification: CLASSIFICATION, regression: REGRESSION };

export function isDatasetId(id: string): id is DatasetId {
  return (DATASET_IDS as readonly string[]).includes(id);
}

/**
 * The task family of a dataset. Datasets not in the list (a user's image folder, a zip) are
 * image classification.
 */
export function familyOf(datasetId: string): TaskFamily {
  return DATASETS.find((d) => d.id === datasetId)?.family ?? CLASSIFICATION;
}

/** The metric of this name, for results that carry only the name (evaluations, saved runs). */
export function metricNamed(name: MetricName): FamilyMetric {
  return Object.values(FAMILIES).find((f) => f.metric.name === name)!.metric;
}
