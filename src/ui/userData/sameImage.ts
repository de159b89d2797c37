// Telling images apart as they are added to a class: a content hash computed once per image (kept
// with its record), the check "is this very image already here" that also works for records saved
// before hashes existed, the free file name ("IMG_0001 (2).jpg") for an image whose name is taken,
// and the one-line notes that say what happened to a batch. No DOM, no storage; SubtleCrypto is
// the browser's (and Node's, for the tests).

/**
 * SHA-256 of the bytes, as hex. Undefined where SubtleCrypto is missing (it exists only in secure
 * contexts: a page served over plain http from a LAN address has none) or fails; such images are
 * then compared byte by byte, which gives the same answers, only slower.
 */
export async function contentHash(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (typeof subtle?.digest !== 'function') return undefined;
  try {
    const digest = await subtle.digest('SHA-256', bytes as BufferSource);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return undefined;
  }
}

/** What identifies an image's content: its bytes, and their hash when one was computed. */
export interface ImageContent {
  bytes: Uint8Array;
  hash?: string;
}

/**
 * Images looked up by content. Two images are the same when their bytes are: compared by hash
 * when both have one, byte by byte otherwise (records saved before hashes were kept have none).
 * Grouped by length first, so bytes are compared only for the rare images of equal length.
 */
export class ContentIndex {
  private readonly byLength = new Map<number, ImageContent[]>();

  constructor(images: Iterable<ImageContent> = []) {
    for (const image of images) this.add(image);
  }

  add(image: ImageContent): void {
    const same = this.byLength.get(image.bytes.length);
    if (same) same.push(image);
    else this.byLength.set(image.bytes.length, [image]);
  }

  has(image: ImageContent): boolean {
    const candidates = this.byLength.get(image.bytes.length) ?? [];
    return candidates.some((other) =>
      image.hash !== undefined && other.hash !== undefined ? image.hash === other.hash : equalBytes(image.bytes, other.bytes),
    );
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The first of "IMG_0001 (2).jpg", "IMG_0001 (3).jpg", ... that `isTaken` does not refuse. The
 * number goes before the extension (after the last dot: "a.b.jpg" -> "a.b (2).jpg"; "notes" ->
 * "notes (2)"), and a name already numbered goes on counting ("x (2).jpg" -> "x (3).jpg"), as
 * "Keep both" names saved records (savedRecords.ts nextFreeName).
 */
export function freeFileName(name: string, isTaken: (candidate: string) => boolean): string {
  const dot = name.lastIndexOf('.');
  // A leading dot is a hidden file's name, not an extension.
  const [stem, ending] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const base = stem.replace(/ \(\d+\)$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})${ending}`;
    if (!isTaken(candidate)) return candidate;
  }
}

/** "2 images were already in “cats” (same content) and were skipped." */
export function skippedDuplicatesNote(className: string, count: number): string {
  return count === 1
    ? `1 image was already in “${className}” (same content) and was skipped.`
    : `${count} images were already in “${className}” (same content) and were skipped.`;
}

/** One sentence for every image of a batch kept under a new name in a class, with an example. */
export function renamedNote(className: string, renamed: ReadonlyArray<{ from: string; to: string }>): string {
  const [first] = renamed;
  return renamed.length === 1
    ? `“${className}” already had an image named “${first.from}”, so the new one was kept as “${first.to}”; nothing was replaced.`
    : `${renamed.length} images had names already in “${className}”, so they were kept under new names (e.g. “${first.from}” as “${first.to}”); nothing was replaced.`;
}
