// `npm run bench:tta` as a user runs it, on the repository's Omniglot subset (one held-out alphabet):
// it trains with ProtoNet's recipe, validates on the held-out alphabet's characters as time passes
// and prints when the target is reached; bad flags get a message that says what to give.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SUBSET = 'tests/fixtures/omniglot/images_background_subset.zip';

function benchTta(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/benchTta.ts', ...args], { encoding: 'utf8', timeout: 240_000 });
}

describe('npm run bench:tta', () => {
  it('trains on the recipe, validates on the held-out alphabet every few seconds of training and says when the target is reached', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fsl-tta-')), 'tta.json');
    const r = benchTta(['--data', SUBSET, '--split', '2,1,1', '--threads', '1', '--target', '0.6', '--every', '2', '--budget', '90', '--eval-episodes', '100', '--out', out]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/Training episodes: \d+-way 1-shot 5-query, the recipe for Prototypical Networks/);
    expect(r.stderr).toMatch(/Validation: every 2 s of training, 100 episodes 5-way 1-shot 15 queries of the \d+ held-out test classes \(seed 2017\)/);
    expect(r.stdout).toMatch(/^reached 60% after \d+ s \(step \d+, \d+\.\d\d% ± \d+\.\d\d%; \d+ s wall with \d+ validations\)$/m);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.status).toBe('reached');
    expect(json.reached.summary.mean).toBeGreaterThanOrEqual(0.6);
    expect(json.reached.summary.episodes).toBe(100);
    expect(json.validations.at(-1)).toEqual(json.reached);
    // The k-th validation comes after at least 2k seconds of training, and only the last reached the target.
    json.validations.forEach((v: { trainingSeconds: number }, k: number) => expect(v.trainingSeconds).toBeGreaterThanOrEqual(2 * (k + 1)));
    for (const v of json.validations.slice(0, -1)) expect(v.summary.mean).toBeLessThan(0.6);
    expect(json.recipe.trainSettings).toMatchObject({ shot: 1, query: 5 });
  }, 240_000);

  it('explains a target given as a percentage', () => {
    const r = benchTta(['--data', SUBSET, '--target', '95']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--target must be an accuracy between 0 and 1 \(0\.95 for 95%\), got "95"/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
