// Held-out predictions of the user's own images for calibration when a classifier is fitted: each
// image scored by a classifier built without it. Leave-one-out when building is cheap (a nearest
// prototype is arithmetic), k-fold cross-validation otherwise (a fitted head or a run's adaptation
// costs a fit per fold). Folds are stratified, so every fold's training part keeps every class that
// has 2 or more images. Deterministic: no random draws.

/** Scores `query` images (indices) with a classifier built from `support` images: one logit row each. */
export type LogitClassifier = (support: number[], query: number[]) => Promise<ArrayLike<number>[]>;

/**
 * The fold of each image: with k >= n each image is its own fold (leave-one-out); otherwise images
 * are dealt round-robin class by class, continuing where the previous class stopped, so folds have
 * sizes within one and a class of m >= 2 images is spread over min(m, k) folds.
 */
export function foldsOf(labels: number[], classes: number, k: number): number[] {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2) throw new Error(`Cross-validation needs at least 2 folds, got ${k}.`);
  if (k >= n) return labels.map((_, i) => i);
  const folds = new Array<number>(n);
  let next = 0;
  for (let c = 0; c < classes; c++) {
    labels.forEach((l, i) => {
      if (l !== c) return;
      folds[i] = next % k;
      next++;
    });
  }
  return folds;
}

/** Every image's held-out logits, fold by fold, in input order. */
export async function heldOutLogits(folds: number[], classify: LogitClassifier, onFold?: (done: number, total: number) => void | Promise<void>): Promise<ArrayLike<number>[]> {
  const out: ArrayLike<number>[] = new Array(folds.length);
  const ids = [...new Set(folds)].sort((a, b) => a - b);
  for (let f = 0; f < ids.length; f++) {
    const query: number[] = [];
    const support: number[] = [];
    folds.forEach((fold, i) => (fold === ids[f] ? query : support).push(i));
    const rows = await classify(support, query);
    query.forEach((i, q) => (out[i] = rows[q]));
    await onFold?.(f + 1, ids.length);
  }
  return out;
}

/** "leave-one-out" or "10-fold cross-validation". */
export function describeFolds(folds: number[]): string {
  const k = new Set(folds).size;
  return k === folds.length ? 'leave-one-out' : `${k}-fold cross-validation`;
}
