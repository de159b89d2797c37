// How well a few-shot classifier does on the user's own labelled images, without a separate test
// set: leave-one-out (each image classified by a classifier built from all the others) or repeated
// random episodes (K support images per class, the rest as queries). Works over any way of
// building a classifier from a subset of the images (features cached by the caller, so a
// prototype or head costs arithmetic only; a run's adaptation per subset costs forward passes).
import type { AccuracyEstimate, AccuracyProtocol, ClassifierKind } from './types';
import { Rng } from '../rng';
import { summarise, wilsonInterval } from '../train/stats';
import { argMax } from './featureClassifiers';

/** Classifies `query` images (indices) with a classifier built from `support` images (indices). */
export type SubsetClassifier = (support: number[], query: number[]) => Promise<ArrayLike<number>[]>;

export interface EstimateInput {
  kind: ClassifierKind;
  classes: string[];
  /** Class index of every image. */
  labels: number[];
  /** Every image's key (for perImage). */
  keys: string[];
  classify: SubsetClassifier;
  /** Called after each trial (image or episode). */
  onTrial?: (done: number, total: number) => void | Promise<void>;
  /** Wording of the classifier for `settings`, e.g. "nearest prototype on 256 features". */
  describe: string;
}

export const MAX_EPISODES = 1000;

const now = () => performance.now() / 1000;

function countsOf(labels: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

/** Throws a message naming the class and what to do when the protocol cannot run on these images. */
export function checkProtocol(protocol: AccuracyProtocol, classes: string[], labels: number[]): void {
  const counts = countsOf(labels, classes.length);
  if (protocol.kind === 'leaveOneOut') {
    const single = classes.filter((_, c) => counts[c] < 2);
    if (single.length > 0) {
      throw new Error(
        `Leave-one-out needs at least 2 images in every class (a left-out image's class must keep one); ${single.map((c) => `"${c}"`).join(', ')} ${single.length === 1 ? 'has' : 'have'} fewer. Add images to ${single.length === 1 ? 'it' : 'them'}.`,
      );
    }
    return;
  }
  const { shot, episodes, seed } = protocol;
  if (!Number.isInteger(shot) || shot < 1) throw new Error(`Support images per class (shot) must be a whole number of at least 1, got ${shot}.`);
  if (!Number.isInteger(episodes) || episodes < 1 || episodes > MAX_EPISODES) throw new Error(`Episodes must be a whole number from 1 to ${MAX_EPISODES}, got ${episodes}.`);
  if (!Number.isInteger(seed)) throw new Error(`The seed that draws the episodes must be a whole number, got ${seed}.`);
  const short = classes.findIndex((_, c) => counts[c] <= shot);
  if (short >= 0) {
    throw new Error(
      `Class "${classes[short]}" has ${counts[short]} image${counts[short] === 1 ? '' : 's'}; ${shot}-shot episodes need more than ${shot} per class (${shot} to learn from and at least 1 to test). Add images to "${classes[short]}" or lower the shot.`,
    );
  }
}

/** Runs the protocol; the result carries its settings in words and the time it took. */
export async function estimateAccuracy(protocol: AccuracyProtocol, input: EstimateInput): Promise<AccuracyEstimate> {
  const { classes, labels } = input;
  checkProtocol(protocol, classes, labels);
  const started = now();
  const n = labels.length;
  const way = classes.length;
  if (protocol.kind === 'leaveOneOut') {
    const perImage: NonNullable<AccuracyEstimate['perImage']> = [];
    const hits: number[] = [];
    for (let i = 0; i < n; i++) {
      const support = [...Array(n).keys()].filter((j) => j !== i);
      const [probabilities] = await input.classify(support, [i]);
      const predicted = argMax(probabilities);
      perImage.push({ key: input.keys[i], label: labels[i], predicted });
      hits.push(predicted === labels[i] ? 1 : 0);
      await input.onTrial?.(i + 1, n);
    }
    return {
      protocol,
      kind: input.kind,
      summary: summarise(hits),
      interval: { ...wilsonInterval(hits.reduce((a, b) => a + b, 0), n), method: 'wilson' },
      classes: [...classes],
      chance: 1 / way,
      perImage,
      settings: `leave-one-out over ${n} images of ${way} classes (each classified from the other ${n - 1}); ${input.describe}`,
      seconds: now() - started,
    };
  }
  const { shot, episodes, seed } = protocol;
  const byClass: number[][] = classes.map(() => []);
  labels.forEach((l, i) => byClass[l].push(i));
  const rng = new Rng(seed).derive('own-images-episodes');
  const accuracies: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const support: number[] = [];
    const query: number[] = [];
    for (const members of byClass) {
      const picked = new Set(rng.sampleIndices(members.length, shot));
      members.forEach((index, k) => (picked.has(k) ? support : query).push(index));
    }
    const probabilities = await input.classify(support, query);
    let correct = 0;
    query.forEach((index, q) => (correct += argMax(probabilities[q]) === labels[index] ? 1 : 0));
    accuracies.push(correct / query.length);
    await input.onTrial?.(e + 1, episodes);
  }
  const queries = n - shot * way;
  const summary = summarise(accuracies);
  return {
    protocol,
    kind: input.kind,
    summary,
    interval: { low: Math.max(0, summary.mean - summary.ci95), high: Math.min(1, summary.mean + summary.ci95), method: 'normal' },
    classes: [...classes],
    chance: 1 / way,
    settings: `${episodes} episode${episodes === 1 ? '' : 's'} of ${way} classes over ${n} images: ${shot} support image${shot === 1 ? '' : 's'} per class drawn at random (seed ${seed}), the other ${queries} as queries (episodes reuse the same images, so the interval understates how much a new set of images could differ); ${input.describe}`,
    seconds: now() - started,
  };
}
