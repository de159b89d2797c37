// Class splits that share no class: meta-train / meta-validation / meta-test. Classes are split
// by group (an Omniglot alphabet; a rotated copy shares its source's group), so no alphabet,
// and no rotation of a test character, is ever seen in training.
import type { ClassListing } from '../data/dataset';
import { SettingsError } from '../settingProblems';
import { Rng } from '../rng';

export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** Dataset class indices per split. */
export type ClassSplits = Record<SplitName, number[]>;

/**
 * How many groups go to each split: either fractions that sum to 1 (e.g. 0.7/0.1/0.2) or whole
 * counts of groups (e.g. 24/6/0 for Omniglot's background alphabets when the evaluation archive
 * is the test set). A split may be empty (0).
 */
export interface SplitProportions {
  train: number;
  val: number;
  test: number;
}

function splitError(message: string): SettingsError {
  return new SettingsError([{ code: 'bad-split', field: 'split', message }]);
}

export const DEFAULT_SPLIT: SplitProportions = { train: 0.7, val: 0.1, test: 0.2 };

/** Parses "0.7,0.1,0.2" or "24,6,0". */
export function parseSplit(text: string): SplitProportions {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
    throw splitError(
      `--split takes three non-negative numbers "train,val,test" (fractions such as 0.7,0.1,0.2 or group counts such as 24,6,0), got "${text}".`,
    );
  }
  return { train: parts[0], val: parts[1], test: parts[2] };
}

/** Number of groups per split for a dataset with `groupCount` groups. */
export function groupCounts(groupCount: number, proportions: SplitProportions): Record<SplitName, number> {
  const { train, val, test } = proportions;
  const sum = train + val + test;
  const allWhole = [train, val, test].every((v) => Number.isInteger(v));
  if (allWhole && sum > 1) {
    if (sum !== groupCount) {
      throw splitError(
        `The split asks for ${train}+${val}+${test} = ${sum} groups but the dataset has ${groupCount}; make the counts add up to ${groupCount} or use fractions such as 0.7,0.1,0.2.`,
      );
    }
    return { train, val, test };
  }
  if (Math.abs(sum - 1) > 1e-6) {
    throw splitError(`Split fractions must add up to 1, got ${train}+${val}+${test} = ${sum}.`);
  }
  // Largest-remainder rounding; any non-zero fraction gets at least one group when possible.
  const raw = { train: train * groupCount, val: val * groupCount, test: test * groupCount };
  const counts = { train: Math.floor(raw.train), val: Math.floor(raw.val), test: Math.floor(raw.test) };
  let left = groupCount - counts.train - counts.val - counts.test;
  const order = SPLIT_NAMES.slice().sort((a, b) => raw[b] - Math.floor(raw[b]) - (raw[a] - Math.floor(raw[a])));
  for (const name of order) {
    if (left === 0) break;
    counts[name]++;
    left--;
  }
  for (const name of SPLIT_NAMES) {
    if (proportions[name] > 0 && counts[name] === 0) {
      const donor = SPLIT_NAMES.filter((n) => counts[n] > 1).sort((a, b) => counts[b] - counts[a])[0];
      if (donor) {
        counts[donor]--;
        counts[name]++;
      }
    }
  }
  return counts;
}

/** The sorted distinct groups of a dataset. */
export function datasetGroups(dataset: ClassListing): string[] {
  return Array.from(new Set(dataset.classes.map((c) => c.group))).sort();
}

/**
 * Splits a dataset's classes by group, with the groups shuffled by `seed` (the same seed gives the
 * same split). Returns class indices per split, each sorted ascending.
 */
export function splitByGroup(
  dataset: ClassListing,
  proportions: SplitProportions = DEFAULT_SPLIT,
  seed = 0,
): ClassSplits {
  const groups = datasetGroups(dataset);
  const counts = groupCounts(groups.length, proportions);
  new Rng(seed).derive('class-split').shuffle(groups);
  const groupSplit = new Map<string, SplitName>();
  let at = 0;
  for (const name of SPLIT_NAMES) {
    for (let i = 0; i < counts[name]; i++) groupSplit.set(groups[at++], name);
  }
  const splits: ClassSplits = { train: [], val: [], test: [] };
  dataset.classes.forEach((c, index) => splits[groupSplit.get(c.group)!].push(index));
  return splits;
}

/** All classes of a dataset in one split (e.g. a separate evaluation archive used as the test set). */
export function allClasses(dataset: ClassListing): number[] {
  return dataset.classes.map((_, i) => i);
}

/** One line per split: "train: 24 groups, 659 classes". */
export function describeSplits(dataset: ClassListing, splits: ClassSplits): string {
  return SPLIT_NAMES.map((name) => {
    const classes = splits[name];
    const groups = new Set(classes.map((i) => dataset.classes[i].group));
    return `${name}: ${groups.size} groups, ${classes.length} classes`;
  }).join('; ');
}
