// Settings a person can get wrong, as data: what is wrong (a code a program can act on), which
// setting it is about (so the page marks that control without reading the words) and the message,
// which says what to change. Core produces them, the worker sends them as they are, the page and
// the CLI show the message.

/** The settings a problem can be about; `hyper.<name>` is one of the method's hyperparameters. */
export type SettingField =
  | 'way'
  | 'shot'
  | 'query'
  | 'trainWay'
  | 'trainShot'
  | 'trainQuery'
  | 'split'
  | 'steps'
  | 'method'
  | `hyper.${string}`;

export type ProblemCode =
  /** A number outside its range, or not a whole number where one is needed. */
  | 'out-of-range'
  /** More ways than a split has classes, or a split with none. */
  | 'too-few-classes'
  /** Classes with fewer images than K + Q. */
  | 'too-few-images'
  /** Split fractions or counts that do not work. */
  | 'bad-split'
  | 'unknown-method'
  | 'unknown-setting'
  /** Training stopped because the loss became non-finite or exploded. */
  | 'diverged';

export interface SettingProblem {
  code: ProblemCode;
  /** The setting to change; absent when no single one is to blame. */
  field?: SettingField;
  /** What is wrong and what to do, in words. */
  message: string;
}

/** Thrown for settings that cannot work; `problems` are all of them, the message joins theirs. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly SettingProblem[]) {
    super(problems.map((p) => p.message).join(' '));
    this.name = 'SettingsError';
  }
}

/** The problems behind an error: its own when it is a SettingsError, none otherwise. */
export function problemsOf(error: unknown): readonly SettingProblem[] {
  return error instanceof SettingsError ? error.problems : [];
}
