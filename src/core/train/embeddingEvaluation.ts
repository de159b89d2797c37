// The field's evaluation (mean accuracy and 95% CI over seeded episodes, the same episodes as
// evaluate.ts) for a method whose prediction is the nearest class mean of per-image embeddings
// that do not depend on the other images (ProtoNet with running batch-norm statistics): every
// image of the pool is embedded once, then each episode is scored from those embeddings. 600
// episodes of 5-way 1-shot with 15 queries embed 48,000 images one episode at a time; the 178
// characters of Omniglot's held-out alphabets hold 3,560. That is what makes validating every 30
// seconds affordable in the time-to-accuracy benchmark.
import type { SamplerSettings } from '../episodes/episode';
import { gatherImages } from '../episodes/episode';
import { checkSampler, episodeAt, type ClassPool } from '../episodes/sampler';
import type { Embeddings, FewShotMethod } from '../methods/method';
import { DEFAULT_EVAL_EPISODES, DEFAULT_EVAL_SEED, type EvaluationOptions, type EvaluationResult } from './evaluate';
import { summarise } from './stats';

/** Images embedded per call: large enough to keep the convolutions efficient, small enough for memory. */
const CHUNK = 256;

/** A method that can be evaluated by embedding each image once. */
export type IndependentEmbeddingMethod = FewShotMethod & { embed(images: Parameters<NonNullable<FewShotMethod['embed']>>[0]): Promise<Embeddings> };

/** True when `method` predicts by the nearest prototype of embeddings independent of the other images. */
export function evaluatesByEmbeddings(method: FewShotMethod): method is IndependentEmbeddingMethod {
  return typeof method.embed === 'function' && method.predictsByIndependentPrototypes?.() === true;
}

/** Embeddings of every image of the pool's classes: per class, its images' rows. */
async function embedPool(method: IndependentEmbeddingMethod, pool: ClassPool): Promise<{ rows: Map<number, Float32Array>; size: number }> {
  const picks: Array<{ classIndex: number; imageIndex: number; label: number }> = [];
  for (const classIndex of pool.classIndices) {
    for (let imageIndex = 0; imageIndex < pool.dataset.classes[classIndex].count; imageIndex++) picks.push({ classIndex, imageIndex, label: 0 });
  }
  const rows = new Map<number, Float32Array>();
  let size = 0;
  for (let start = 0; start < picks.length; start += CHUNK) {
    const chunk = picks.slice(start, start + CHUNK);
    const embedded = await method.embed(gatherImages(pool.dataset, chunk));
    size = embedded.size;
    chunk.forEach((p, i) => {
      let classRows = rows.get(p.classIndex);
      if (!classRows) {
        classRows = new Float32Array(pool.dataset.classes[p.classIndex].count * size);
        rows.set(p.classIndex, classRows);
      }
      classRows.set(embedded.values.subarray(i * size, (i + 1) * size), p.imageIndex * size);
    });
  }
  return { rows, size };
}

/**
 * evaluate() for a method that evaluatesByEmbeddings: the same episodes (episodeAt with the same
 * seed) and the same rule (nearest class mean in squared Euclidean distance, first class on a tie).
 */
export async function evaluateByEmbeddings(
  method: IndependentEmbeddingMethod,
  pool: ClassPool,
  settings: SamplerSettings,
  options: EvaluationOptions = {},
): Promise<EvaluationResult> {
  const episodes = options.episodes ?? DEFAULT_EVAL_EPISODES;
  const seed = options.seed ?? DEFAULT_EVAL_SEED;
  if (!Number.isInteger(episodes) || episodes < 1) {
    throw new Error(`The number of test episodes must be a whole number of at least 1, got ${episodes}.`);
  }
  checkSampler(pool, settings);
  const { rows, size } = await embedPool(method, pool);
  const row = (classIndex: number, imageIndex: number) => rows.get(classIndex)!.subarray(imageIndex * size, (imageIndex + 1) * size);
  const accuracies: number[] = [];
  let stoppedEarly = false;
  const prototypes = new Float64Array(settings.way * size);
  for (let e = 0; e < episodes; e++) {
    if (options.shouldStop?.()) {
      stoppedEarly = true;
      break;
    }
    const episode = episodeAt(pool, settings, seed, e);
    prototypes.fill(0);
    episode.support.labels.forEach((label, i) => {
      const v = row(episode.classIndices[label], episode.supportImageIndices[i]);
      for (let d = 0; d < size; d++) prototypes[label * size + d] += v[d];
    });
    const counts = new Float64Array(episode.way);
    for (const label of episode.support.labels) counts[label]++;
    for (let c = 0; c < episode.way; c++) for (let d = 0; d < size; d++) prototypes[c * size + d] /= counts[c];
    let hits = 0;
    episode.query.labels.forEach((label, i) => {
      const q = row(episode.classIndices[label], episode.queryImageIndices[i]);
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < episode.way; c++) {
        let distance = 0;
        for (let d = 0; d < size; d++) distance += (q[d] - prototypes[c * size + d]) ** 2;
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (best === label) hits++;
    });
    accuracies.push(hits / episode.query.count);
    await options.onProgress?.(e + 1, episodes);
  }
  return {
    summary: summarise(accuracies),
    accuracies,
    settings: { ...settings },
    split: pool.name,
    splitClasses: pool.classIndices.length,
    seed,
    labels: method.labels(),
    stoppedEarly,
  };
}
