// The built-in "glyphs" dataset: an Omniglot-like set of handwritten-looking characters that the
// project draws itself from a seed, so it works offline and without any download. Alphabets have
// their own writing styles, characters are stroke templates in their alphabet's style, and each
// example is one "writer's" rendition of a character. Images are one channel, bright strokes on a
// dark background (like Omniglot after the usual inversion), 28 x 28 by default.

import { Rng } from '../rng';
import type { ImageClass, ImageDataset } from './dataset';
import { designAlphabet, designCharacter } from './glyphs/design';
import { canvasToBytes, drawStrokes } from './glyphs/raster';
import { drawExample } from './glyphs/variation';

export interface GlyphsOptions {
  /** Seed of everything drawn; the same options give the same bytes on every run. */
  seed?: number;
  alphabets?: number;
  charactersPerAlphabet?: number;
  examplesPerCharacter?: number;
  /** Image side in pixels. */
  size?: number;
}

/**
 * The defaults: 40 alphabets x 20 characters = 800 classes of 20 examples (as many as Omniglot
 * has per character), 16,000 images of 28 x 28. Enough classes for an alphabet split with
 * hundreds of classes on each side, and quick to draw (about a second in Node).
 */
export const GLYPHS_DEFAULTS: Readonly<Required<GlyphsOptions>> = Object.freeze({
  seed: 1,
  alphabets: 40,
  charactersPerAlphabet: 20,
  examplesPerCharacter: 20,
  size: 28,
});

/** Limits that keep a request from asking for something unusable or enormous. */
const LIMITS = {
  alphabets: [1, 1000],
  charactersPerAlphabet: [1, 1000],
  examplesPerCharacter: [1, 1000],
  size: [8, 256],
} as const;

/** The options with defaults filled in, checked; throws a readable Error on a bad value. */
export function resolveGlyphsOptions(options: GlyphsOptions = {}): Required<GlyphsOptions> {
  const resolved = { ...GLYPHS_DEFAULTS, ...definedOnly(options) };
  if (!Number.isFinite(resolved.seed)) {
    throw new Error(`Glyphs seed must be a finite number, got ${resolved.seed}.`);
  }
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const value = resolved[key];
    const [lo, hi] = LIMITS[key];
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw new Error(`Glyphs option "${key}" must be a whole number from ${lo} to ${hi}, got ${value}.`);
    }
  }
  const images = resolved.alphabets * resolved.charactersPerAlphabet * resolved.examplesPerCharacter;
  const bytes = images * resolved.size * resolved.size;
  if (bytes > 512 * 1024 * 1024) {
    throw new Error(
      `Glyphs with these options would take ${Math.round(bytes / 1048576)} MB of pixels; ` +
        `use fewer alphabets, characters, examples or a smaller size (at most 512 MB).`,
    );
  }
  return resolved;
}

/** One line for the UI and CLI, e.g. "glyphs: 40 alphabets x 20 characters x 20 examples (800 classes, 16000 images), 28x28, seed 1". */
export function glyphsDescription(options: GlyphsOptions = {}): string {
  const o = resolveGlyphsOptions(options);
  const classes = o.alphabets * o.charactersPerAlphabet;
  return (
    `glyphs: ${o.alphabets} alphabets x ${o.charactersPerAlphabet} characters x ${o.examplesPerCharacter} examples ` +
    `(${classes} classes, ${classes * o.examplesPerCharacter} images), ${o.size}x${o.size}, seed ${o.seed}`
  );
}

/**
 * Draws the dataset. Classes are named "alphabet07/char12" (numbered from 1) with the alphabet as
 * their group. Each alphabet, character and example draws from its own random stream derived
 * from the seed and its name, so alphabet 7 looks the same whether 10 or 40 alphabets are asked
 * for, and the first examples of a class do not change when more are asked for.
 */
export function generateGlyphs(options: GlyphsOptions = {}): ImageDataset {
  const o = resolveGlyphsOptions(options);
  const root = new Rng(o.seed);
  const pixelsPerImage = o.size * o.size;
  const canvas = new Float32Array(pixelsPerImage);
  const alphabetDigits = Math.max(2, String(o.alphabets).length);
  const characterDigits = Math.max(2, String(o.charactersPerAlphabet).length);
  const classes: ImageClass[] = [];
  for (let a = 1; a <= o.alphabets; a++) {
    const alphabetName = `alphabet${String(a).padStart(alphabetDigits, '0')}`;
    const alphabetRng = root.derive(`alphabet${a}`);
    const style = designAlphabet(alphabetRng.derive('style'));
    for (let c = 1; c <= o.charactersPerAlphabet; c++) {
      const characterRng = alphabetRng.derive(`char${c}`);
      const template = designCharacter(style, characterRng.derive('template'));
      const pixels = new Uint8Array(o.examplesPerCharacter * pixelsPerImage);
      for (let e = 0; e < o.examplesPerCharacter; e++) {
        const strokes = drawExample(template, style, characterRng.derive(`example${e}`), o.size);
        canvas.fill(0);
        drawStrokes(canvas, o.size, strokes);
        canvasToBytes(canvas, pixels, e * pixelsPerImage);
      }
      classes.push({
        name: `${alphabetName}/char${String(c).padStart(characterDigits, '0')}`,
        group: alphabetName,
        count: o.examplesPerCharacter,
        pixels,
      });
    }
  }
  return {
    name: 'glyphs',
    brightStrokes: true,
    height: o.size,
    width: o.size,
    channels: 1,
    classes,
    description: `${glyphsDescription(o)}; drawn procedurally by Few-Shot Lab (no download).`,
  };
}

/** The options without keys set to undefined, so that they do not hide the defaults. */
function definedOnly(options: GlyphsOptions): GlyphsOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as GlyphsOptions;
}
