// Anti-aliased drawing of thick polylines onto a small grey canvas. A pixel's ink is how far its
// centre lies inside the pen (stroke half-width plus half a pixel, minus the distance to the
// nearest segment), so edges get fractional values instead of jagged steps. Each segment only
// visits the pixels in its own bounding box, which keeps a 28x28 glyph at a few microseconds.

import type { Point } from './curves';

/** One pen stroke in pixel coordinates (x right, y down, pixel (i, j) has its centre at (i + 0.5, j + 0.5)). */
export interface PixelStroke {
  readonly line: readonly Point[];
  /** Full pen width in pixels. */
  readonly width: number;
}

/**
 * Adds the strokes' ink to `canvas` (size x size floats in 0..1, row-major), keeping the maximum
 * where strokes overlap so that crossings and joints are not brighter than the stroke itself.
 */
export function drawStrokes(canvas: Float32Array, size: number, strokes: readonly PixelStroke[]): void {
  for (const stroke of strokes) {
    const radius = stroke.width / 2;
    const reach = radius + 0.5; // beyond this distance a pixel centre gets no ink
    const reach2 = reach * reach;
    const line = stroke.line;
    if (line.length === 1) {
      drawSegment(canvas, size, line[0], line[0], reach, reach2);
      continue;
    }
    for (let i = 1; i < line.length; i++) drawSegment(canvas, size, line[i - 1], line[i], reach, reach2);
  }
}

function drawSegment(canvas: Float32Array, size: number, a: Point, b: Point, reach: number, reach2: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
  const x1 = Math.min(size - 1, Math.ceil(Math.max(a.x, b.x) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
  const y1 = Math.min(size - 1, Math.ceil(Math.max(a.y, b.y) + reach));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  for (let py = y0; py <= y1; py++) {
    const cy = py + 0.5;
    const row = py * size;
    for (let px = x0; px <= x1; px++) {
      const cx = px + 0.5;
      // Distance from the pixel centre to the closest point of segment a-b.
      let t = len2 > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (a.x + t * dx);
      const ey = cy - (a.y + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 >= reach2) continue;
      let ink = reach - Math.sqrt(d2);
      if (ink > 1) ink = 1;
      if (ink > canvas[row + px]) canvas[row + px] = ink;
    }
  }
}

/** Writes a 0..1 canvas as bytes 0..255 (rounded) into `out` starting at `offset`. */
export function canvasToBytes(canvas: Float32Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < canvas.length; i++) out[offset + i] = (canvas[i] * 255 + 0.5) | 0; // round half up, 0..255
}
