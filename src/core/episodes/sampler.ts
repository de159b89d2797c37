// The N-way K-shot Q-query episode sampler over a pool of classes (one side of a class split).
// Requests that cannot be met fail up front with a message that names the numbers and says what
// to change, instead of failing halfway through a run.
import type { ClassListing, ImageDataset } from '../data/dataset';
import { Rng } from '../rng';
import { SettingsError, type SettingProblem } from '../settingProblems';
import { gatherImages, type Episode, type SamplerSettings } from './episode';

/** Classes of one dataset that episodes are drawn from, e.g. the meta-test classes. */
export interface ClassPool {
  /** Shown in messages: "train", "val", "test". */
  readonly name: string;
  readonly dataset: ImageDataset;
  readonly classIndices: readonly number[];
}

/** The classes a pool holds, as its checks read them (a ClassPool is one; so is the page's summary of a split). */
export interface PoolClasses {
  readonly name: string;
  readonly dataset: ClassListing;
  readonly classIndices: readonly number[];
}

/**
 * How a pool's problems are worded: which setting sets its ways and how to give it more classes,
 * so a message says what to do ("... choose at most 160, or give the test split a bigger share.").
 */
export interface PoolWords {
  /** The pool in a sentence: "the test split". */
  where: string;
  /** The setting that sets this pool's ways: "Ways (N)", "Training ways". */
  wayLabel: string;
  /** How to give the pool more classes: "give the test split a bigger share". */
  grow: string;
}

const wordsOf = (pool: PoolClasses): PoolWords => ({ where: `the ${pool.name} split`, wayLabel: 'Ways (N)', grow: `give the ${pool.name} split a bigger share` });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Returns a list of problems with these settings on this pool; empty when episodes can be drawn. */
export function samplerProblems(pool: PoolClasses, settings: SamplerSettings, words: PoolWords = wordsOf(pool)): SettingProblem[] {
  const { way, shot, query } = settings;
  const problems: SettingProblem[] = [];
  const { where, wayLabel, grow } = words;
  if (!Number.isInteger(way) || way < 2) {
    problems.push({ code: 'out-of-range', field: 'way', message: `${wayLabel} must be a whole number of at least 2, got ${way}.` });
  }
  if (!Number.isInteger(shot) || shot < 1) {
    problems.push({ code: 'out-of-range', field: 'shot', message: `Shots (K) must be a whole number of at least 1 (a class needs at least one labelled example), got ${shot}.` });
  }
  if (!Number.isInteger(query) || query < 1) {
    problems.push({ code: 'out-of-range', field: 'query', message: `Queries per class (Q) must be a whole number of at least 1, got ${query}.` });
  }
  if (problems.length > 0) return problems;
  const classes = pool.classIndices.length;
  if (classes === 0) {
    problems.push({ code: 'too-few-classes', field: 'split', message: `${capitalise(where)} has no classes: ${grow}.` });
    return problems;
  }
  if (way > classes) {
    problems.push({
      code: 'too-few-classes',
      field: 'way',
      message: `${wayLabel} is ${way} but ${where} has ${plural(classes, 'class', 'classes')}: choose at most ${classes}, or ${grow}.`,
    });
  }
  const needed = shot + query;
  const small = pool.classIndices
    .map((i) => pool.dataset.classes[i])
    .filter((c) => c.count < needed);
  if (small.length > 0) {
    const fewest = Math.min(...small.map((c) => c.count));
    const names = small.slice(0, 3).map((c) => `"${c.name}" (${c.count})`).join(', ');
    const more = small.length > 3 ? ` and ${small.length - 3} more` : '';
    problems.push({
      code: 'too-few-images',
      field: 'shot',
      message:
        `Each class needs K+Q = ${shot}+${query} = ${needed} images, but ${small.length} class${small.length > 1 ? 'es' : ''} of ${where} ha${small.length > 1 ? 've' : 's'} fewer: ${names}${more}. ` +
        `Lower Shots (K) or Queries per class so that K+Q is at most ${fewest}, or add images to ${small.length > 1 ? 'those classes' : 'that class'}.`,
    });
  }
  return problems;
}

/** Throws a SettingsError listing every problem, or returns quietly. */
export function checkSampler(pool: ClassPool, settings: SamplerSettings): void {
  const problems = samplerProblems(pool, settings);
  if (problems.length > 0) throw new SettingsError(problems);
}

/**
 * Draws one episode: N distinct classes from the pool, and for each class K+Q distinct images,
 * the first K as support and the rest as queries. Deterministic given the rng state.
 */
export function sampleEpisode(pool: ClassPool, settings: SamplerSettings, rng: Rng): Episode {
  checkSampler(pool, settings);
  const { way, shot, query } = settings;
  const chosen = rng.sampleIndices(pool.classIndices.length, way).map((i) => pool.classIndices[i]);
  const supportPicks: Array<{ classIndex: number; imageIndex: number; label: number }> = [];
  const queryPicks: typeof supportPicks = [];
  chosen.forEach((classIndex, label) => {
    const images = rng.sampleIndices(pool.dataset.classes[classIndex].count, shot + query);
    images.forEach((imageIndex, j) => {
      (j < shot ? supportPicks : queryPicks).push({ classIndex, imageIndex, label });
    });
  });
  // Queries are stored label-major too (label 0's Q queries, then label 1's, ...).
  return {
    way,
    shot,
    queryPerClass: query,
    classIndices: chosen,
    supportImageIndices: supportPicks.map((p) => p.imageIndex),
    queryImageIndices: queryPicks.map((p) => p.imageIndex),
    support: gatherImages(pool.dataset, supportPicks),
    query: gatherImages(pool.dataset, queryPicks),
  };
}

/**
 * The i-th episode of a fixed, seeded sequence. Episode i depends only on (seed, i), so two methods
 * evaluated with the same seed see identical episodes, whatever else they draw at random.
 */
export function episodeAt(pool: ClassPool, settings: SamplerSettings, seed: number, index: number): Episode {
  return sampleEpisode(pool, settings, new Rng(seed).derive(`episode:${index}`));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
