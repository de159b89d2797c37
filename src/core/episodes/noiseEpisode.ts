// A seeded episode of random images, for benchmarks: the cost of a training step does not depend
// on what the images show, so no dataset needs loading to time one.
import type { Rng } from '../rng';
import type { Episode, LabeledImages } from './episode';

/** `count` images of `shape`, each pixel 1 with probability `ink` (else 0), labelled class-major. */
function noiseImages(count: number, shape: readonly [number, number, number], perClass: number, ink: number, rng: Rng): LabeledImages {
  const images = new Float32Array(count * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < images.length; i++) images[i] = rng.next() < ink ? 1 : 0;
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(i / perClass);
  return { images, labels, count, imageShape: [shape[0], shape[1], shape[2]] };
}

/** An N-way K-shot Q-query episode of glyph-like random binary images (20% ink by default). */
export function noiseEpisode(
  way: number,
  shot: number,
  query: number,
  shape: readonly [number, number, number],
  rng: Rng,
  ink = 0.2,
): Episode {
  return {
    way,
    shot,
    queryPerClass: query,
    classIndices: Array.from({ length: way }, (_, i) => i),
    supportImageIndices: Array.from({ length: way * shot }, (_, i) => i % shot),
    queryImageIndices: Array.from({ length: way * query }, (_, i) => i % query),
    support: noiseImages(way * shot, shape, shot, ink, rng),
    query: noiseImages(way * query, shape, query, ink, rng),
  };
}
