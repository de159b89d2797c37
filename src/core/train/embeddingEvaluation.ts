// The field's evaluation (mean accuracy and 95% CI over seeded episodes, the same episodes as
// evaluate.ts) for a method whose prediction is the nearest class mean of per-image embeddings
// that do not depend on the other images (ProtoNet with running batch-norm statistics): every
// image of the pool is embedded once, then each episode is scored from those embeddings. 600
// episodes of 5-way 1-shot with 15 queries embed 48,000 images one episode at a time; the 178
// characters of Omniglot's held-out alphabets hold 3,560. That is what makes validating every 30
// seconds affordable in the time-to-accuracy benchmark.
import type { SamplerSettings } from '../episodes/episode';
import { gatherImages } from '../episodes/episode';
import { checkSampler, type ClassPool } from '../episodes/sampler';
import type { FewShotMethod } from '../methods/method';
import { evaluateEpisodes, type EvaluationOptions, type EvaluationResult } from './evaluate';

/** Images embedded per call: large enough to keep the convolutions efficient, small enough for memory. */
const CHUNK = 256;

/** A method that can be evaluated by embedding each image once. */
export type IndependentEmbeddingMethod = FewShotMethod & Required<Pick<FewShotMethod, 'embed'>>;

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
  checkSampler(pool, settings); // before the embedding's time is spent
  const { rows, size } = await embedPool(method, pool);
  const row = (classIndex: number, imageIndex: number) => rows.get(classIndex)!.subarray(imageIndex * size, (imageIndex + 1) * size);
  const prototypes = new Float64Array(settings.way * size);
  return evaluateEpisodes(pool, settings, method.labels(), options, async (episode) => {
    prototypes.fill(0);
    const counts = new Float64Array(episode.way);
    episode.support.labels.forEach((label, i) => {
      const v = row(episode.classIndices[label], episode.supportImageIndices[i]);
      for (let d = 0; d < size; d++) prototypes[label * size + d] += v[d];
      counts[label]++;
    });
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
    return hits / episode.query.count;
  });
}
