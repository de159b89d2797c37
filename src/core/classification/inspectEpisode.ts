// The episode viewer's data: one test episode run through a method's current state, with its
// images as the page draws them, the predictions, and what the method's optional hooks add (an
// embedding projection, the accuracy after each adaptation step). Reads the model, trains
// nothing; the session runs it between two training steps (betweenSteps.ts).
import type { SamplerSettings } from '../episodes/episode';
import { episodeAt, type ClassPool } from '../episodes/sampler';
import type { Embeddings, FewShotMethod } from '../methods/method';
import { observeSteps } from '../methods/stepwise';
import { accuracyOf } from '../train/evaluate';
import { principalComponents2D } from '../train/pca';
import type { EpisodeInspection, InspectedImages } from '../experiment/results';

/**
 * The episode `seed` picks: episode 0 of the sequence evaluation draws with that seed, from the
 * same pool (the test split) with the same settings, so it is one of the episodes an evaluation
 * with this seed scores.
 */
export async function inspectEpisode(
  method: FewShotMethod,
  pool: ClassPool,
  settings: SamplerSettings,
  seed: number,
): Promise<EpisodeInspection> {
  const episode = episodeAt(pool, settings, seed, 0);
  const { way, support, query } = episode;
  // One adaptation, looked at after every step on the way (for methods that adapt in steps); its
  // last look is the adapted method's prediction, as evaluation makes it.
  const adaptation = await method.startAdaptation(support, way);
  let flat!: Float32Array;
  let accuracyByStep: number[] | undefined;
  try {
    const counts = Array.from({ length: adaptation.steps + 1 }, (_, s) => s);
    const looks = await observeSteps(adaptation, counts, async (a) => {
      flat = await a.predict(query);
      return accuracyOf(flat, query.labels, way);
    });
    if (adaptation.steps > 0) accuracyByStep = looks;
  } finally {
    adaptation.dispose();
  }
  const probabilities = Array.from({ length: query.count }, (_, i) => Array.from(flat.subarray(i * way, (i + 1) * way)));
  // The first largest, as evaluation's accuracyOf counts a tie.
  const predicted = probabilities.map((row) => row.reduce((best, p, c) => (p > row[best] ? c : best), 0));
  const hits = predicted.filter((p, i) => p === query.labels[i]).length;
  const inspection: EpisodeInspection = {
    seed,
    way,
    shot: episode.shot,
    query: episode.queryPerClass,
    imageShape: [support.imageShape[0], support.imageShape[1], support.imageShape[2]],
    classNames: episode.classIndices.map((c) => pool.dataset.classes[c].name),
    support: displayImages(support.images, support.labels, support.count),
    queries: { ...displayImages(query.images, query.labels, query.count), predicted, probabilities },
    accuracy: hits / query.count,
  };
  if (method.embed) {
    inspection.projection = projectEmbeddings(await method.embed(query), await method.embed(support), support.labels, way);
  }
  if (accuracyByStep) inspection.accuracyByStep = accuracyByStep;
  return inspection;
}

/** Episode images (floats in [0, 1]) as 0-255 bytes, one array per image. */
function displayImages(images: Float32Array, labels: Int32Array, count: number): InspectedImages {
  const size = images.length / count;
  const pixels = Array.from({ length: count }, (_, i) => {
    // Uint8ClampedArray rounds and clamps on assignment, so b / 255 * 255 comes back as b.
    const out = new Uint8ClampedArray(size);
    for (let j = 0; j < size; j++) out[j] = images[i * size + j] * 255;
    return out;
  });
  return { pixels, labels: Array.from(labels) };
}

/**
 * Prototypes as support-embedding means per class, then the queries and prototypes projected
 * together on their first two principal components (prototypes last).
 */
function projectEmbeddings(queries: Embeddings, support: Embeddings, supportLabels: Int32Array, way: number): NonNullable<EpisodeInspection['projection']> {
  const size = queries.size;
  const queryCount = queries.values.length / size;
  const points = new Float64Array((queryCount + way) * size);
  points.set(queries.values);
  const counts = new Array<number>(way).fill(0);
  const base = queryCount * size;
  supportLabels.forEach((label, i) => {
    counts[label]++;
    for (let j = 0; j < size; j++) points[base + label * size + j] += support.values[i * size + j];
  });
  for (let c = 0; c < way; c++) for (let j = 0; j < size; j++) points[base + c * size + j] /= Math.max(counts[c], 1);
  const pca = principalComponents2D(points, queryCount + way, size);
  return {
    queries: pca.coordinates.slice(0, queryCount),
    prototypes: pca.coordinates.slice(queryCount),
    explainedVariance: pca.explainedVariance,
  };
}
