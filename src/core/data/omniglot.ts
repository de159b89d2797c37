// Reading the official Omniglot archives (images_background.zip, images_evaluation.zip from
// github.com/brendenlake/omniglot) unchanged: `<set>/<Alphabet>/characterNN/<imageid>_<drawer>.png`,
// 105x105 PNGs with 0 = stroke and 255 = paper. Each character becomes one class in the group of
// its alphabet; images are area-resized (105 -> 28 by default) and inverted so that strokes are
// bright, as the rest of the project expects.

import type { ImageDecoder } from './dataset';
import { buildClasses, compareNatural, type LoadedDataset, type PendingClass, type PendingImage } from './imageFolder';
import { invert, resizeArea, toChannels } from './resize';
import { openZip } from './zip';

export interface OmniglotOptions {
  /** Side of the stored square images in pixels (default 28, the usual few-shot setting). */
  readonly size?: number;
  /** Called as images are processed: (images done, PNG files in the archive). */
  readonly onProgress?: (done: number, total: number) => void;
}

const EXPECTED_LAYOUT =
  'Expected the official Omniglot layout <set>/<Alphabet>/<characterNN>/<imageid>_<drawer>.png, ' +
  'e.g. images_background/Latin/character01/0001_01.png (the top <set> folder may be absent), ' +
  'as in images_background.zip or images_evaluation.zip from github.com/brendenlake/omniglot.';

/** "0709_03.png" -> drawer 3, image id 709; null for any other file name. */
function parseImageName(fileName: string): { id: number; drawer: number } | null {
  const match = /^(\d+)_(\d+)\.png$/i.exec(fileName);
  return match ? { id: Number(match[1]), drawer: Number(match[2]) } : null;
}

/** Images by drawer, then image id; names that do not follow the pattern come last, by name. */
function compareImages(a: PendingImage, b: PendingImage): number {
  const fileA = a.source.slice(a.source.lastIndexOf('/') + 1);
  const fileB = b.source.slice(b.source.lastIndexOf('/') + 1);
  const parsedA = parseImageName(fileA);
  const parsedB = parseImageName(fileB);
  if (parsedA && parsedB) {
    if (parsedA.drawer !== parsedB.drawer) return parsedA.drawer - parsedB.drawer;
    if (parsedA.id !== parsedB.id) return parsedA.id - parsedB.id;
  } else if (parsedA || parsedB) {
    return parsedA ? -1 : 1;
  }
  return compareNatural(a.source, b.source);
}

/** "images_background.zip" or "C:\\dl\\images_background.zip" -> "images_background". */
function archiveBaseName(archiveName: string): string {
  const file = archiveName.slice(Math.max(archiveName.lastIndexOf('/'), archiveName.lastIndexOf('\\')) + 1);
  return file.replace(/\.zip$/i, '') || 'omniglot';
}

/**
 * Loads an Omniglot archive into a dataset of `size` x `size` x 1 images, one class per
 * character named "<Alphabet>/<characterNN>" with group "<Alphabet>", classes sorted by alphabet
 * then character, images by drawer then id. A PNG that cannot be read is skipped and named in
 * `warnings`, as are files that are not in the layout. Throws when the archive is not a zip or
 * holds no `<Alphabet>/<character>/<image>.png` files.
 */
export async function loadOmniglotArchive(
  bytes: Uint8Array,
  archiveName: string,
  decode: ImageDecoder,
  options: OmniglotOptions = {},
): Promise<LoadedDataset> {
  const size = options.size ?? 28;
  if (!Number.isInteger(size) || size < 1 || size > 1024) {
    throw new Error(`Omniglot image size must be a whole number of pixels from 1 to 1024, got ${size}.`);
  }
  const archive = openZip(bytes, archiveName);
  const warnings: string[] = [];

  // Class = the last two folders above each PNG, whatever (if anything) lies above them, so
  // both the official archives and a re-zip without the <set> folder read the same.
  const byCharacter = new Map<string, { alphabet: string; character: string; images: PendingImage[] }>();
  let pngCount = 0;
  for (const entry of archive.entries) {
    if (!/\.png$/i.test(entry.path)) {
      warnings.push(`${entry.path}: not a PNG file (skipped)`);
      continue;
    }
    pngCount++;
    const parts = entry.path.split('/');
    if (parts.length < 3) {
      warnings.push(`${entry.path}: not inside an <Alphabet>/<character>/ folder (skipped)`);
      continue;
    }
    const alphabet = parts[parts.length - 3];
    const character = parts[parts.length - 2];
    const key = `${alphabet}/${character}`;
    let cls = byCharacter.get(key);
    if (!cls) {
      cls = { alphabet, character, images: [] };
      byCharacter.set(key, cls);
    }
    cls.images.push({ source: entry.path, read: () => archive.read(entry) });
  }
  if (byCharacter.size === 0) {
    throw new Error(
      `${archiveName} does not look like an Omniglot archive: it holds ${archive.entries.length} files, ` +
        `${pngCount} of them PNG, none at <Alphabet>/<character>/<image>.png. ${EXPECTED_LAYOUT}`,
    );
  }

  const pending: PendingClass[] = [...byCharacter.values()]
    .sort((a, b) => compareNatural(a.alphabet, b.alphabet) || compareNatural(a.character, b.character))
    .map((cls) => ({
      name: `${cls.alphabet}/${cls.character}`,
      group: cls.alphabet,
      images: [...cls.images].sort(compareImages),
    }));

  const classes = await buildClasses(
    pending,
    decode,
    size * size,
    (image, out) => {
      // Omniglot is drawn black on white; the project's convention is bright = ink.
      invert(resizeArea(toChannels(image, 1), size, size, out));
    },
    warnings,
    options.onProgress,
  );
  if (classes.length === 0) {
    throw new Error(
      `${archiveName}: none of its ${pngCount} PNG files could be read. First problems:\n  ` +
        warnings.slice(0, 5).join('\n  '),
    );
  }
  const alphabets = new Set(classes.map((cls) => cls.group)).size;
  const imageCount = classes.reduce((sum, cls) => sum + cls.count, 0);
  const base = archiveBaseName(archiveName);
  return {
    name: `omniglot:${base}`,
    brightStrokes: true,
    height: size,
    width: size,
    channels: 1,
    classes,
    description:
      `Omniglot (Lake, Salakhutdinov & Tenenbaum 2015, MIT licence) from ${base}: ${alphabets} alphabets, ` +
      `${classes.length} characters, ${imageCount} images, area-resized to ${size}x${size} and inverted ` +
      `(strokes bright).`,
    warnings,
  };
}
