// Where the whole Omniglot background archive is on this machine, if anywhere: what the tests that
// need all 30 alphabets (and the measuring scripts) read. The repository ships only a subset
// (tests/fixtures/omniglot); the whole archive is data beside the project, never part of it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDirectory } from './datasetCache';

const ROOT = join(import.meta.dirname, '..', '..');

/** Said by every test that skips for want of the whole archive. */
export const FULL_OMNIGLOT_MISSING =
  'skipped: full Omniglot archive not present (set OMNIGLOT_BACKGROUND_ZIP, or download it once with `npm run experiment -- --dataset omniglot`)';

/** The places looked at, in order: $OMNIGLOT_BACKGROUND_ZIP, the team's copy beside the repository
 * (../shared/data/omniglot), the CLI's download cache. */
export function fullOmniglotCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.OMNIGLOT_BACKGROUND_ZIP,
    join(ROOT, '..', 'shared', 'data', 'omniglot', 'images_background.zip'),
    join(cacheDirectory(env), 'images_background.zip'),
  ].filter((path): path is string => Boolean(path));
}

/** The first of fullOmniglotCandidates() that exists, or undefined. */
export function fullOmniglotBackground(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return fullOmniglotCandidates(env).find((path) => existsSync(path));
}

/** For tests that need the whole archive: its path, or undefined after saying (on stderr, where the
 * test log shows it) why the test is skipped; the caller then calls its context's skip(). */
export function fullOmniglotOrSkipNotice(testName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = fullOmniglotBackground(env);
  if (!path) console.warn(`${testName}: ${FULL_OMNIGLOT_MISSING}`);
  return path;
}
