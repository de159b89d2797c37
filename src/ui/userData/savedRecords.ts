// What the stores of the user's datasets and models share: opening the database with failures
// turned into messages that say what to do, and the rule that saving something new never
// overwrites a saved thing of the same name without the user saying so (a NameConflictError the
// caller answers with "replace" or "keep both", the new one then named "name (2)").
import {
  DEFAULT_TIMEOUT_MS,
  StorageUnavailableError,
  describeError,
  formatDuration,
  isQuotaError,
  openDatabase,
  withTimeout,
  type DatabaseOptions,
  type FewShotLabDatabase,
} from '../history/database';
import { sameName } from './ownDataset';

/** What to do when a saved record already has the new one's name. */
export type OnConflict = 'ask' | 'replace' | 'keepBoth';

/** Saving would replace a saved record of the same name; ask the user, then save again with their answer. */
export class NameConflictError extends Error {
  constructor(
    /** "dataset" or "model". */
    readonly what: string,
    /** The saved record's name (Error's own `name` stays the class name). */
    readonly takenName: string,
    /** The saved record that has that name. */
    readonly existingId: string,
    /** The name "keep both" would give the new one, e.g. "cats (2)". */
    readonly suggestedName: string,
  ) {
    super(`A ${what} named "${takenName}" is already saved; replace it, or keep both (the new one named "${suggestedName}").`);
    this.name = 'NameConflictError';
  }
}

/** "name (2)", "name (3)", ...: the first not in `taken` (ignoring case); "cats (2)" continues as "cats (3)". */
export function nextFreeName(name: string, taken: readonly string[]): string {
  const base = name.replace(/ \(\d+\)$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!taken.some((t) => sameName(t, candidate))) return candidate;
  }
}

/**
 * Where a new record named `name` goes, given the saved records' ids and names: its own id and
 * name when nothing clashes; with a name clash, per `onConflict`: throw NameConflictError ('ask'),
 * take the clashing record's id ('replace'), or a free name ('keepBoth'). A new record whose id
 * happens to be taken by another record gets a fresh id rather than overwriting it.
 */
export function placeNewRecord(
  what: string,
  record: { id: string; name: string },
  saved: ReadonlyArray<{ id: string; name: string }>,
  onConflict: OnConflict,
  newId: () => string,
): { id: string; name: string; replacedId?: string } {
  const clash = saved.find((other) => sameName(other.name, record.name));
  let id = record.id;
  let name = record.name;
  let replacedId: string | undefined;
  if (clash) {
    if (onConflict === 'ask') throw new NameConflictError(what, clash.name, clash.id, nextFreeName(record.name, saved.map((s) => s.name)));
    if (onConflict === 'replace') {
      id = clash.id;
      replacedId = clash.id;
    } else {
      name = nextFreeName(record.name, saved.map((s) => s.name));
    }
  }
  if (replacedId === undefined && saved.some((other) => other.id === id)) id = newId();
  return { id, name, replacedId };
}

export type StoreAction = 'list' | 'read' | 'save' | 'delete';

/**
 * Opens the database and runs `work`, turning every failure into an Error whose message says what
 * happened and what to do; NameConflictError passes through unchanged, for the caller to ask.
 */
export async function useDatabase<T>(
  options: DatabaseOptions,
  things: string,
  action: StoreAction,
  work: (db: FewShotLabDatabase) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let db: FewShotLabDatabase;
  try {
    db = await openDatabase({ ...options, timeoutMs });
  } catch (error) {
    const reason = error instanceof StorageUnavailableError ? error.reason : describeError(error);
    throw new Error(`Your ${things} cannot be kept in this browser (${reason}); they last until the page is closed.`, { cause: error });
  }
  try {
    return await withTimeout(work(db), timeoutMs, () => new Error(`it took longer than ${formatDuration(timeoutMs)}`));
  } catch (error) {
    if (error instanceof NameConflictError) throw error;
    const reason = describeError(error);
    if (isQuotaError(error)) {
      throw new Error(`The browser's storage for this site is full (${reason}); delete datasets or models you no longer need, then save again.`, {
        cause: error,
      });
    }
    const message =
      action === 'save'
        ? `Your ${things} could not be saved (${reason}); try again, or export to keep a copy.`
        : action === 'delete'
          ? `Your ${things} could not be deleted (${reason}); reload the page and try again.`
          : `Your saved ${things} could not be read (${reason}); reload the page and try again.`;
    throw new Error(message, { cause: error });
  }
}

/** A copy holding exactly the viewed bytes: a view into a larger buffer would be stored with all of it. */
export function exactBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
