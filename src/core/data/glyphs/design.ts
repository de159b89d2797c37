// The "scripts" of the glyphs dataset: each alphabet gets a drawing style (how many strokes, straight
// or curvy, angular directions, loops, dots, symmetry, pen width, slant, proportions) and a small
// set of stroke shapes it reuses, and each character is a fixed template of (mostly) 1-4 strokes in
// its alphabet's style. Characters of one alphabet share shapes and habits, as in real scripts,
// so telling them apart is harder than telling alphabets apart. Coordinates are in the unit box
// [-1, 1]^2 (y down); drawing an example (variation.ts) maps them to pixels.

import type { Rng } from '../../rng';
import type { Point } from './curves';

/** One stroke of a character template. */
export interface StrokeTemplate {
  readonly points: readonly Point[];
  /** Pass through the points on a smooth curve (true) or join them with straight lines. */
  readonly smooth: boolean;
  /** The stroke ends where it started (a loop). */
  readonly closed: boolean;
  /** Multiplies the alphabet's pen width (a dot or a heavier stroke). */
  readonly widthScale: number;
}

/** A character: the strokes a careful writer of its alphabet would draw. */
export interface CharacterTemplate {
  readonly strokes: readonly StrokeTemplate[];
}

/** How one alphabet writes. */
export interface AlphabetStyle {
  readonly minStrokes: number;
  readonly maxStrokes: number;
  /** Chance that a stroke is a smooth curve rather than straight pieces. */
  readonly smoothChance: number;
  /** Straight strokes turn only by multiples of this angle (radians); 0 = any angle. */
  readonly angleStep: number;
  /** Largest turn between consecutive pieces of a stroke (radians). */
  readonly maxTurn: number;
  /** Control points per open stroke: 2..maxPoints. */
  readonly maxPoints: number;
  /** Length of one piece of a stroke, as a fraction of the box side (2). */
  readonly stepMin: number;
  readonly stepMax: number;
  /** Chance that a stroke is an arc or a loop. */
  readonly arcChance: number;
  /** Chance that a character carries a dot (a diacritic). */
  readonly dotChance: number;
  /** Chance that a character is mirror-symmetric about the vertical axis. */
  readonly symmetryChance: number;
  /** Chance that a stroke after the first starts or ends on an earlier stroke. */
  readonly connectChance: number;
  /** Chance that a stroke is one of the alphabet's own shapes rather than a new one. */
  readonly shapeReuseChance: number;
  /** The alphabet's stroke shapes, placed at different positions and sizes in its characters. */
  readonly shapes: readonly StrokeTemplate[];
  /** Control points snap to a grid of this many steps across the box; 0 = no grid. */
  readonly grid: number;
  /** Pen width in pixels for a 28 x 28 glyph. */
  readonly penWidth: number;
  /** Horizontal stretch (width / height of the writing). */
  readonly aspect: number;
  /** Horizontal shear (italic slant), x += slant * y. */
  readonly slant: number;
  /** How loosely this alphabet's writers copy a character (scales the per-example jitter). */
  readonly looseness: number;
}

/** A new alphabet's style, from blocky and angular to flowing and looped, with its stroke shapes. */
export function designAlphabet(rng: Rng): AlphabetStyle {
  const curvy = rng.next(); // 0 = blocky, 1 = flowing
  const angular = curvy < 0.45 && rng.next() < 0.6;
  const minStrokes = 1 + rng.int(2);
  const maxStrokes = Math.min(4, minStrokes + 1 + rng.int(3));
  const stepMin = rng.uniform(0.45, 0.75);
  const partial = {
    minStrokes,
    maxStrokes,
    smoothChance: Math.min(1, Math.max(0, curvy * 1.3 - 0.15)),
    angleStep: angular ? rng.pick([Math.PI / 4, Math.PI / 2, Math.PI / 3]) : 0,
    maxTurn: rng.uniform(0.6, 2.4),
    maxPoints: 2 + rng.int(3) + (curvy > 0.5 ? 1 : 0),
    stepMin,
    stepMax: stepMin + rng.uniform(0.3, 0.7),
    arcChance: curvy * rng.uniform(0.1, 0.5),
    dotChance: rng.next() < 0.35 ? rng.uniform(0.2, 0.6) : 0,
    symmetryChance: rng.next() < 0.4 ? rng.uniform(0.3, 0.8) : 0,
    shapeReuseChance: rng.uniform(0.35, 0.75),
    connectChance: rng.uniform(0.5, 0.95),
    grid: !angular && curvy < 0.3 && rng.next() < 0.5 ? 3 + rng.int(3) : 0,
    penWidth: rng.uniform(1.5, 2.5),
    aspect: rng.uniform(0.8, 1.2),
    slant: rng.next() < 0.5 ? 0 : rng.uniform(-0.3, 0.3),
    looseness: rng.uniform(0.8, 1.25),
    shapes: [] as StrokeTemplate[],
  };
  const shapeCount = 3 + rng.int(4);
  for (let i = 0; i < shapeCount; i++) partial.shapes.push(designStroke(partial, rng));
  return partial;
}

/** A new character of an alphabet, centred and scaled to fill most of the unit box. */
export function designCharacter(style: AlphabetStyle, rng: Rng): CharacterTemplate {
  const count = style.minStrokes + rng.int(style.maxStrokes - style.minStrokes + 1);
  const symmetric = rng.next() < style.symmetryChance;
  // A symmetric character draws about half its strokes and mirrors them.
  const drawn = symmetric ? Math.max(1, Math.ceil(count / 2)) : count;
  let strokes: StrokeTemplate[] = [];
  for (let i = 0; i < drawn || (i < 8 && isTooPlain(strokes)); i++) {
    let stroke = rng.next() < style.shapeReuseChance ? placeShape(rng.pick(style.shapes), rng) : designStroke(style, rng);
    // Strokes of real characters mostly touch: start (or end) this one on an earlier stroke.
    if (strokes.length > 0 && rng.next() < style.connectChance) stroke = attach(stroke, rng.pick(strokes), rng);
    strokes.push(stroke);
  }
  if (symmetric) {
    const half = shiftToRightHalf(strokes, rng);
    strokes = [...half, ...half.map(mirror)];
  }
  strokes = strokes.map((s) => snapToGrid(s, style.grid));
  if (rng.next() < style.dotChance) strokes.push(designDot(strokes, rng));
  return { strokes: fillBox(strokes, rng.uniform(1.45, 1.8)) };
}

type StrokeStyle = Pick<
  AlphabetStyle,
  'smoothChance' | 'angleStep' | 'maxTurn' | 'maxPoints' | 'stepMin' | 'stepMax' | 'arcChance'
>;

/** A new stroke in the alphabet's manner: an arc/loop, or a pen walk of straight or curved pieces. */
function designStroke(style: StrokeStyle, rng: Rng): StrokeTemplate {
  if (rng.next() < style.arcChance) return designArc(rng);
  const smooth = rng.next() < style.smoothChance;
  const pointCount = 2 + rng.int(style.maxPoints - 1);
  let direction = rng.uniform(0, 2 * Math.PI);
  if (style.angleStep > 0) direction = Math.round(direction / style.angleStep) * style.angleStep;
  const points: Point[] = [{ x: rng.uniform(-0.7, 0.7), y: rng.uniform(-0.7, 0.7) }];
  for (let i = 1; i < pointCount; i++) {
    if (i > 1) {
      let turn = rng.uniform(-style.maxTurn, style.maxTurn);
      if (style.angleStep > 0) {
        turn = Math.round(turn / style.angleStep) * style.angleStep;
        if (turn === 0) turn = (rng.next() < 0.5 ? -1 : 1) * style.angleStep; // a straight walk would be one line
      }
      direction += turn;
    }
    const step = rng.uniform(style.stepMin, style.stepMax);
    const last = points[points.length - 1];
    let x = last.x + step * Math.cos(direction);
    let y = last.y + step * Math.sin(direction);
    // Bounce off the box edges so the stroke stays inside the character cell.
    if (x > 0.9 || x < -0.9) {
      direction = Math.PI - direction;
      x = Math.max(-0.9, Math.min(0.9, x));
    }
    if (y > 0.9 || y < -0.9) {
      direction = -direction;
      y = Math.max(-0.9, Math.min(0.9, y));
    }
    points.push({ x, y });
  }
  return { points, smooth, closed: false, widthScale: 1 };
}

/** Part of an ellipse (a hook, a bowl) or the whole of one (a loop). */
function designArc(rng: Rng): StrokeTemplate {
  const cx = rng.uniform(-0.35, 0.35);
  const cy = rng.uniform(-0.35, 0.35);
  const rx = rng.uniform(0.3, 0.65);
  const ry = rx * rng.uniform(0.6, 1.5);
  const closed = rng.next() < 0.35;
  const sweep = closed ? 2 * Math.PI : rng.uniform(0.6, 1.6) * Math.PI;
  const start = rng.uniform(0, 2 * Math.PI);
  const direction = rng.next() < 0.5 ? 1 : -1;
  const pieces = closed ? 6 : Math.max(2, Math.round(sweep / (Math.PI / 3)));
  const points: Point[] = [];
  const pointCount = closed ? pieces : pieces + 1;
  for (let i = 0; i < pointCount; i++) {
    const angle = start + (direction * sweep * i) / pieces;
    points.push({ x: cx + rx * Math.cos(angle), y: cy + ry * Math.sin(angle) });
  }
  return { points, smooth: true, closed, widthScale: 1 };
}

/** An alphabet shape reused in a character: moved, resized and maybe flipped. */
function placeShape(shape: StrokeTemplate, rng: Rng): StrokeTemplate {
  const scale = rng.uniform(0.6, 1.05);
  const flipX = rng.next() < 0.25 ? -1 : 1;
  const flipY = rng.next() < 0.25 ? -1 : 1;
  const dx = rng.uniform(-0.35, 0.35);
  const dy = rng.uniform(-0.35, 0.35);
  const points = shape.points.map((p) => ({ x: clampUnit(p.x * scale * flipX + dx), y: clampUnit(p.y * scale * flipY + dy) }));
  return { ...shape, points };
}

/**
 * A character of one or two straight pieces (a bare line, two parallel bars) would be shared by
 * every alphabet and turn into another character under a small rotation: such a character gets
 * another stroke. Pieces are counted over all strokes (a loop counts as enough on its own). So
 * does a character whose strokes all lie along one line.
 */
function isTooPlain(strokes: readonly StrokeTemplate[]): boolean {
  if (strokes.length === 0) return true;
  const box = boundingBox(strokes);
  const width = box.maxX - box.minX;
  const height = box.maxY - box.minY;
  if (Math.min(width, height) < 0.25 * Math.max(width, height)) return true;
  let pieces = 0;
  let turning = 0;
  for (const { points, closed } of strokes) {
    if (closed) return false;
    pieces += points.length - 1;
    for (let i = 2; i < points.length; i++) {
      const a = Math.atan2(points[i - 1].y - points[i - 2].y, points[i - 1].x - points[i - 2].x);
      const b = Math.atan2(points[i].y - points[i - 1].y, points[i].x - points[i - 1].x);
      let turn = Math.abs(b - a);
      if (turn > Math.PI) turn = 2 * Math.PI - turn;
      turning += turn;
    }
  }
  return pieces < 3 && turning < 0.8;
}

/** Moves a group of strokes to the right half (touching or nearly touching the middle) for mirroring. */
function shiftToRightHalf(strokes: readonly StrokeTemplate[], rng: Rng): StrokeTemplate[] {
  const box = boundingBox(strokes);
  const width = box.maxX - box.minX;
  const scale = width > 0.9 ? 0.9 / width : 1;
  const left = rng.uniform(-0.1, 0.15);
  return strokes.map((s) => ({
    ...s,
    points: s.points.map((p) => ({ x: left + (p.x - box.minX) * scale, y: p.y })),
  }));
}

/** Moves `stroke` so that one of its ends lies on a control point of `target`. */
function attach(stroke: StrokeTemplate, target: StrokeTemplate, rng: Rng): StrokeTemplate {
  if (stroke.closed) return stroke;
  const anchor = rng.pick(target.points);
  const end = rng.next() < 0.6 ? stroke.points[0] : stroke.points[stroke.points.length - 1];
  const dx = anchor.x - end.x;
  const dy = anchor.y - end.y;
  return { ...stroke, points: stroke.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
}

/**
 * Scales and centres the character so that its larger side spans `extent` of the box (2), the way
 * a writer fills the space given; a small character is enlarged at most 3 times, and a very flat
 * one is made up to twice as tall (or wide) so that it does not end up as a bare line.
 */
function fillBox(strokes: readonly StrokeTemplate[], extent: number): StrokeTemplate[] {
  const box = boundingBox(strokes);
  const width = Math.max(box.maxX - box.minX, 1e-6);
  const height = Math.max(box.maxY - box.minY, 1e-6);
  const scale = Math.min(3, extent / Math.max(width, height));
  const minorBoost = (side: number, other: number) => Math.min(2, Math.max(1, (0.5 * other) / side));
  const scaleX = scale * minorBoost(width, height);
  const scaleY = scale * minorBoost(height, width);
  const cx = (box.minX + box.maxX) / 2;
  const cy = (box.minY + box.maxY) / 2;
  return strokes.map((s) => ({
    ...s,
    points: s.points.map((p) => ({ x: (p.x - cx) * scaleX, y: (p.y - cy) * scaleY })),
  }));
}

function boundingBox(strokes: readonly StrokeTemplate[]) {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (const p of s.points) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
  }
  return { minX, maxX, minY, maxY };
}

function mirror(stroke: StrokeTemplate): StrokeTemplate {
  return { ...stroke, points: stroke.points.map((p) => ({ x: -p.x, y: p.y })) };
}

/** A dot placed above, below or beside the rest of the character. */
function designDot(strokes: readonly StrokeTemplate[], rng: Rng): StrokeTemplate {
  const box = boundingBox(strokes);
  const above = rng.next() < 0.6;
  const y = above ? box.minY - rng.uniform(0.25, 0.4) : box.maxY + rng.uniform(0.25, 0.4);
  const x = rng.uniform(box.minX, box.maxX);
  // A very short stroke: a round pen mark a little wider than the lines.
  return { points: [{ x, y }, { x: x + 0.04, y: y + 0.02 }], smooth: false, closed: false, widthScale: 1.3 };
}

function snapToGrid(stroke: StrokeTemplate, grid: number): StrokeTemplate {
  if (grid <= 0 || stroke.smooth) return stroke;
  const snap = (v: number) => (Math.round(((v + 0.9) / 1.8) * grid) / grid) * 1.8 - 0.9;
  const points: Point[] = [];
  for (const p of stroke.points) {
    const q = { x: snap(p.x), y: snap(p.y) };
    const last = points[points.length - 1];
    if (!last || last.x !== q.x || last.y !== q.y) points.push(q);
  }
  // A stroke that collapsed onto one grid point keeps its original shape instead.
  return points.length >= 2 ? { ...stroke, points } : stroke;
}

function clampUnit(v: number): number {
  return Math.max(-0.95, Math.min(0.95, v));
}
