// How well a few-shot classifier does on the user's own labelled images, without a separate test
// set: leave-one-out (each image classified by a classifier built from all the others) or repeated
// random episodes (K support images per class, the rest as queries). Works over any way of
// building a classifier from a subset of the images (features cached by the caller, so a
// prototype or head costs arithmetic only; a run's adaptation per subset costs forward passes).
// Every held-out prediction's logits are kept: they calibrate the probabilities (calibrate.ts),
// and each image's calibrated prediction feeds the confusion matrix and the list of mistakes.
import type { AccuracyEstimate, AccuracyProtocol, ClassifierKind, EstimatedImage } from './types';
import { Rng } from '../rng';
import { summarise, wilsonInterval } from '../train/stats';
import { argMax } from './featureClassifiers';
import { calibrate } from './calibrate';

/** Scores `query` images (indices) with a classifier built from `support` images (indices): one row of logits each. */
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
    const logits: ArrayLike<number>[] = [];
    const hits: number[] = [];
    for (let i = 0; i < n; i++) {
      const support = [...Array(n).keys()].filter((j) => j !== i);
      const [row] = await input.classify(support, [i]);
      logits.push(row);
      hits.push(argMax(row) === labels[i] ? 1 : 0);
      await input.onTrial?.(i + 1, n);
    }
    const { summary: calibration, probabilities } = calibrate({
      logits,
      labels,
      imageOf: labels.map((_, i) => i),
      imagesPerClass: countsOf(labels, way),
      heldOutBy: 'leave-one-out',
    });
    // Calibration never changes a row's top class, so these agree with `hits`.
    const perImage: EstimatedImage[] = probabilities.map((p, i) => ({ key: input.keys[i], label: labels[i], predicted: argMax(p), probabilities: Array.from(p) }));
    return {
      protocol,
      kind: input.kind,
      summary: summarise(hits),
      interval: { ...wilsonInterval(hits.reduce((a, b) => a + b, 0), n), method: 'wilson' },
      classes: [...classes],
      chance: 1 / way,
      perImage,
      calibration,
      settings: `leave-one-out over ${n} images of ${way} classes (each classified from the other ${n - 1}); ${input.describe}`,
      seconds: now() - started,
    };
  }
  const { shot, episodes, seed } = protocol;
  const byClass: number[][] = classes.map(() => []);
  labels.forEach((l, i) => byClass[l].push(i));
  const rng = new Rng(seed).derive('own-images-episodes');
  const accuracies: number[] = [];
  const logits: ArrayLike<number>[] = [];
  const imageOf: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const support: number[] = [];
    const query: number[] = [];
    for (const members of byClass) {
      const picked = new Set(rng.sampleIndices(members.length, shot));
      members.forEach((index, k) => (picked.has(k) ? support : query).push(index));
    }
    const rows = await input.classify(support, query);
    let correct = 0;
    query.forEach((index, q) => {
      correct += argMax(rows[q]) === labels[index] ? 1 : 0;
      logits.push(rows[q]);
      imageOf.push(index);
    });
    accuracies.push(correct / query.length);
    await input.onTrial?.(e + 1, episodes);
  }
  const queries = n - shot * way;
  const summary = summarise(accuracies);
  const { summary: calibration, probabilities } = calibrate({
    logits,
    labels: imageOf.map((i) => labels[i]),
    imageOf,
    imagesPerClass: countsOf(labels, way),
    heldOutBy: `${episodes} episode${episodes === 1 ? '' : 's'}`,
  });
  // Each image's mean calibrated prediction over the episodes it was a query in.
  const sums = new Map<number, { p: Float64Array; times: number }>();
  probabilities.forEach((p, r) => {
    const at = sums.get(imageOf[r]) ?? { p: new Float64Array(way), times: 0 };
    for (let c = 0; c < way; c++) at.p[c] += p[c];
    at.times++;
    sums.set(imageOf[r], at);
  });
  const perImage: EstimatedImage[] = [...sums.keys()]
    .sort((a, b) => a - b)
    .map((i) => {
      const { p, times } = sums.get(i)!;
      const mean = Array.from(p, (v) => v / times);
      return { key: input.keys[i], label: labels[i], predicted: argMax(mean), probabilities: mean, times };
    });
  return {
    protocol,
    kind: input.kind,
    summary,
    interval: { low: Math.max(0, summary.mean - summary.ci95), high: Math.min(1, summary.mean + summary.ci95), method: 'normal' },
    classes: [...classes],
    chance: 1 / way,
    perImage,
    calibration,
    settings: `${episodes} episode${episodes === 1 ? '' : 's'} of ${way} classes over ${n} images: ${shot} support image${shot === 1 ? '' : 's'} per class drawn at random (seed ${seed}), the other ${queries} as queries (episodes reuse the same images, so the interval understates how much a new set of images could differ); ${input.describe}`,
    seconds: now() - started,
  };
}
