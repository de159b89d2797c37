// Rotation augmentation at the class level (Santoro et al. 2016; Vinyals et al. 2016 on
// Omniglot): every class gets rotated copies that count as NEW classes. A copy keeps its source's
// group, so a class split can never put a character in training and its rotation in testing.

import type { ImageClass, ImageDataset } from './dataset';

export type RightAngle = 90 | 180 | 270;

/**
 * Rotates one square image counter-clockwise by `angle` (as numpy.rot90 and torch.rot90 do),
 * HWC bytes, writing into `out`.
 */
export function rotateSquare(source: Uint8Array, side: number, channels: number, angle: RightAngle, out: Uint8Array): void {
  const last = side - 1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      // Output (y, x) takes the source pixel that the rotation carries onto it.
      let sy: number;
      let sx: number;
      if (angle === 90) {
        sy = x;
        sx = last - y;
      } else if (angle === 180) {
        sy = last - y;
        sx = last - x;
      } else {
        sy = last - x;
        sx = y;
      }
      const to = (y * side + x) * channels;
      const from = (sy * side + sx) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = source[from + c];
    }
  }
}

/**
 * A dataset with, after all original classes, one rotated copy of every class per angle, named
 * "<name>/rot90" etc., in the source class's group. Angles are 90, 180 or 270 (counter-clockwise).
 * Extra fields of the dataset (e.g. warnings) are kept. Only square images can be rotated in place.
 */
export function withRotations<T extends ImageDataset>(dataset: T, angles: readonly number[] = [90, 180, 270]): T {
  if (dataset.height !== dataset.width) {
    throw new Error(
      `Rotation augmentation needs square images; ${dataset.name} is ${dataset.height}x${dataset.width}. ` +
        `Load it at a square size (equal height and width) or turn rotations off.`,
    );
  }
  const seen = new Set<number>();
  for (const angle of angles) {
    if (angle !== 90 && angle !== 180 && angle !== 270) {
      throw new Error(`Rotation angles must be 90, 180 or 270 degrees, got ${angle}.`);
    }
    if (seen.has(angle)) throw new Error(`Rotation angle ${angle} is listed twice.`);
    seen.add(angle);
  }
  if (angles.length === 0) return dataset;

  const side = dataset.width;
  const channels = dataset.channels;
  const imageSize = side * side * channels;
  const names = new Set(dataset.classes.map((cls) => cls.name));
  const rotated: ImageClass[] = [];
  for (const angle of angles as readonly RightAngle[]) {
    for (const cls of dataset.classes) {
      const name = `${cls.name}/rot${angle}`;
      if (names.has(name)) {
        throw new Error(`${dataset.name} already has a class named "${name}"; was it rotated twice?`);
      }
      const pixels = new Uint8Array(cls.count * imageSize);
      for (let i = 0; i < cls.count; i++) {
        rotateSquare(
          cls.pixels.subarray(i * imageSize, (i + 1) * imageSize),
          side,
          channels,
          angle,
          pixels.subarray(i * imageSize, (i + 1) * imageSize),
        );
      }
      rotated.push({
        name,
        group: cls.group,
        count: cls.count,
        pixels,
        ...(cls.sources ? { sources: cls.sources.map((source) => `${source}#rot${angle}`) } : {}),
      });
    }
  }
  return {
    ...dataset,
    name: `${dataset.name}+rot${angles.join('/')}`,
    classes: [...dataset.classes, ...rotated],
    description: `${dataset.description ? `${dataset.description} ` : ''}With rotated copies (${angles.join(', ')} degrees counter-clockwise) as extra classes.`,
  };
}
