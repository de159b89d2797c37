// One handwritten example of a character: the template's strokes as a particular writer would draw
// them. Control points wobble, strokes start and stop a little off, the pen is thicker or thinner,
// and the whole character is slightly rotated, resized, sheared and moved. The result is then
// fitted into the image so that no stroke is cut off at the border.

import type { Rng } from '../../rng';
import { strokePolyline, trimPolyline, type Point } from './curves';
import type { AlphabetStyle, CharacterTemplate } from './design';
import type { PixelStroke } from './raster';

/** How much writers vary; tuned so raw-pixel nearest neighbour is far from perfect (see tests). */
const VARIATION = {
  /** Per control point, in unit-box coordinates (the box is 2 wide). */
  pointJitter: 0.07,
  /** Per stroke, the whole stroke moves by this much. */
  strokeShift: 0.06,
  /** Rotation, radians (standard deviation), and its cap. */
  rotation: 0.09,
  maxRotation: 0.22,
  /** Overall scale range and extra per-axis stretch. */
  scaleMin: 0.82,
  scaleMax: 1.08,
  stretch: 0.07,
  /** Shear (standard deviation). */
  shear: 0.1,
  /** Translation in pixels at size 28 (standard deviation). */
  shift: 1.3,
  /** Pen width multiplier range. */
  penMin: 0.8,
  penMax: 1.25,
  /** Fraction of a stroke's length that may be left off (or added) at either end. */
  endTrim: 0.08,
};

/** Fraction of the image half-width a character template spans at scale 1. */
const CHARACTER_EXTENT = 0.78;

export function drawExample(template: CharacterTemplate, style: AlphabetStyle, rng: Rng, size: number): PixelStroke[] {
  const loose = style.looseness;
  const rotation = clamp(rng.normal() * VARIATION.rotation * loose, -VARIATION.maxRotation, VARIATION.maxRotation);
  const scale = rng.uniform(VARIATION.scaleMin, VARIATION.scaleMax);
  const stretch = 1 + clamp(rng.normal() * VARIATION.stretch, -0.15, 0.15);
  const shear = clamp(rng.normal() * VARIATION.shear * loose, -0.25, 0.25) + style.slant;
  const pen = rng.uniform(VARIATION.penMin, VARIATION.penMax);
  const pixelScale = (size / 2) * CHARACTER_EXTENT * scale;
  const sx = pixelScale * style.aspect * stretch;
  const sy = (pixelScale / style.aspect) / stretch;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const toPixels = (p: Point): Point => {
    // Shear and stretch in the character's frame, then rotate, then scale to pixels.
    const x = (p.x + shear * p.y) * sx;
    const y = p.y * sy;
    return { x: cos * x - sin * y, y: sin * x + cos * y };
  };

  const strokes: PixelStroke[] = [];
  for (const stroke of template.strokes) {
    const shiftX = rng.normal() * VARIATION.strokeShift * loose;
    const shiftY = rng.normal() * VARIATION.strokeShift * loose;
    const wobbled = stroke.points.map((p) => ({
      x: p.x + shiftX + rng.normal() * VARIATION.pointJitter * loose,
      y: p.y + shiftY + rng.normal() * VARIATION.pointJitter * loose,
    }));
    let line = strokePolyline(wobbled.map(toPixels), stroke.smooth, stroke.closed);
    if (!stroke.closed && stroke.points.length >= 2 && stroke.widthScale === 1) {
      line = trimPolyline(line, rng.uniform(0, VARIATION.endTrim), 1 - rng.uniform(0, VARIATION.endTrim));
    }
    const width = style.penWidth * (size / 28) * pen * stroke.widthScale * rng.uniform(0.92, 1.08);
    strokes.push({ line, width });
  }
  const shift = VARIATION.shift * (size / 28);
  return fitIntoImage(strokes, size, rng.normal() * shift, rng.normal() * shift);
}

/**
 * Moves the strokes (centred on 0) into the image, offset by (dx, dy), shrinking them about their
 * centre if they would otherwise reach closer than one pixel to the border.
 */
function fitIntoImage(strokes: readonly PixelStroke[], size: number, dx: number, dy: number): PixelStroke[] {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let maxRadius = 0;
  for (const s of strokes) {
    maxRadius = Math.max(maxRadius, s.width / 2);
    for (const p of s.line) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
  }
  const margin = 1 + maxRadius + 0.5;
  const room = size - 2 * margin;
  const shrink = Math.min(1, room / Math.max(maxX - minX, 1e-6), room / Math.max(maxY - minY, 1e-6));
  const half = size / 2;
  // Where the (shrunk) bounding box may sit: keep the drawing where it is relative to the centre
  // plus the writer's offset, but never past the margin.
  const place = (min: number, max: number, offset: number) => {
    const lo = min * shrink + half + offset;
    const hi = max * shrink + half + offset;
    if (lo < margin) return offset + (margin - lo);
    if (hi > size - margin) return offset - (hi - (size - margin));
    return offset;
  };
  const ox = half + place(minX, maxX, dx);
  const oy = half + place(minY, maxY, dy);
  return strokes.map((s) => ({
    width: s.width,
    line: s.line.map((p) => ({ x: p.x * shrink + ox, y: p.y * shrink + oy })),
  }));
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
