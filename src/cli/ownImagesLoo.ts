// Measures what the "Your images" page reports on a small real image set, end to end in Chromium on
// the production build: the playground downloads Omniglot (its official URL answered from the local
// archive), trains Prototypical Networks on it, then a small image set of characters from alphabets
// that run never trained on (N folders of K drawings, made from the same archive) is imported as the
// user's own images, the trained run is chosen as the backbone, and leave-one-out accuracy is read
// from the page for each classifier, with its calibration (expected calibration error of the raw
// scores and after temperature scaling, cross-fitted) and the time per image, feature extraction
// included. Prints the page's own lines.
//
//   npm run measure:own -- [--data path/to/images_background.zip] [--classes 5]
// Without --data it reads the whole archive where the tests find it (src/node/fullOmniglot.ts).
//                          [--per-class 5] [--steps 300] [--seed 1]
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { loadOmniglotArchive } from '../core/data/omniglot';
import { DEFAULT_SPLIT, splitByGroup } from '../core/episodes/split';
import { openZip } from '../core/data/zip';
import { launchChromium, openPage, screenshot, startPreview } from '../node/browser';
import { decodeImage } from '../node/decodeImage';
import { fullOmniglotBackground, fullOmniglotCandidates } from '../node/fullOmniglot';
import { OMNIGLOT_BACKGROUND_URL } from '../core/data/omniglotSources';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const dataPath = option('data', fullOmniglotBackground() ?? '');
const classCount = Number(option('classes', '5'));
const perClass = Number(option('per-class', '5'));
const steps = Number(option('steps', '300'));
const seed = Number(option('seed', '1'));

/** N characters of held-out (test-split) alphabets, K drawings each, as a <class>/<image> zip. */
async function heldOutImageSet(archive: Uint8Array): Promise<{ zip: Uint8Array; classes: string[] }> {
  const dataset = await loadOmniglotArchive(archive, 'images_background.zip', decodeImage, { size: 28 });
  // The split the playground's run uses (same proportions and seed): its test classes were never trained on.
  const test = splitByGroup(dataset, DEFAULT_SPLIT, seed).test.map((i) => dataset.classes[i]);
  // One character from each of several alphabets first, so the set is not one alphabet's look-alikes.
  const byAlphabet = new Map<string, typeof test>();
  for (const cls of test) byAlphabet.set(cls.group, [...(byAlphabet.get(cls.group) ?? []), cls]);
  const chosen: typeof test = [];
  for (let round = 0; chosen.length < classCount; round++) {
    for (const classes of byAlphabet.values()) if (classes[round] && chosen.length < classCount) chosen.push(classes[round]);
  }
  const entries = openZip(archive, 'images_background.zip');
  const files: Record<string, Uint8Array> = {};
  for (const cls of chosen) {
    for (const source of (cls.sources ?? []).slice(0, perClass)) {
      const entry = entries.entries.find((e) => e.path === source)!;
      files[`${cls.name.replace(/\//g, ' - ')}/${source.split('/').pop()}`] = entries.read(entry);
    }
  }
  return { zip: zipSync(files), classes: chosen.map((c) => c.name) };
}

async function main(): Promise<void> {
  if (!dataPath || !existsSync(dataPath)) {
    throw new Error(
      `${dataPath ? `${dataPath} does not exist` : 'No whole Omniglot background archive on this machine'}: pass --data path/to/images_background.zip, ` +
        `or download it once with \`npm run experiment -- --dataset omniglot\` (looked in ${fullOmniglotCandidates().join(', ')}).`,
    );
  }
  const archive = new Uint8Array(readFileSync(dataPath));
  const set = await heldOutImageSet(archive);
  const zipPath = join(mkdtempSync(join(tmpdir(), 'fsl-loo-')), 'omniglot-held-out.zip');
  writeFileSync(zipPath, set.zip);
  console.log(`image set: ${set.classes.length} held-out characters x ${perClass} drawings: ${set.classes.join(', ')}`);

  const server = await startPreview();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route(OMNIGLOT_BACKGROUND_URL, (route) => route.fulfill({ status: 200, body: Buffer.from(archive), headers: { 'content-type': 'application/zip', 'access-control-allow-origin': '*' } }));
    const { page, errors } = await openPage(context, `${server.url}?dataset=omniglot&steps=${steps}&seed=${seed}`);
    await page.getByRole('button', { name: /^Download Omniglot/ }).click({ timeout: 120_000 });
    await page.getByText(/classes in \d+ groups/).first().waitFor({ timeout: 300_000 });
    await page.getByRole('button', { name: 'Train' }).click();
    const started = Date.now();
    await page.waitForFunction(() => {
      const store = (window as unknown as { fewShotLab: { store: { getState(): { runs: Array<{ status: string }> } } } }).fewShotLab.store;
      return store.getState().runs[0]?.status === 'done';
    }, undefined, { timeout: 3_600_000 });
    console.log(`trained Prototypical Networks on Omniglot for ${steps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    await page.getByRole('link', { name: 'Your images' }).click();
    await page.getByLabel('Import image set (zip)').setInputFiles(zipPath);
    await page.getByRole('listitem', { name: /^Class / }).first().waitFor({ timeout: 120_000 });
    const option = page.getByLabel('Backbone').locator('option', { hasText: /Prototypical Networks/ });
    await page.getByLabel('Backbone').selectOption({ label: (await option.first().textContent())! });
    await page.getByText(/features per image/).waitFor({ timeout: 120_000 });
    const region = page.getByRole('region', { name: '3. Adapt and check' });
    for (const kind of ['Nearest prototype', 'Fine-tuned head', 'The run’s own adaptation']) {
      await page.getByLabel(kind, { exact: true }).check();
      await page.getByRole('button', { name: 'Estimate accuracy' }).click();
      await region.getByText(/Leave-one-out accuracy: /).waitFor({ timeout: 600_000 });
      const headline = await region.locator('.own-estimate__headline').textContent();
      const setup = await region.locator('.own-estimate__setup').textContent();
      const details = (await region.locator('.own-estimate__setup + p').textContent()) ?? '';
      const calibration = (await region.locator('.own-calibration__line').textContent()) ?? '';
      const seconds = Number(/Took (\d+\.\d) s/.exec(details)?.[1]);
      const images = classCount * perClass;
      // The first estimate computes the features (its line says how long); later ones reuse them.
      console.log(`${kind}: ${headline}\n  ${setup}\n  ${details}\n  ${calibration}\n  time per image of this estimate (${images} leave-one-out fits, plus features when its line says so): ${((1000 * seconds) / images).toFixed(0)} ms`);
    }
    console.log(`screenshot: ${await screenshot(page, 'own-measure-omniglot-loo')}`);
    if (errors.length) console.log(`console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main().catch((error: unknown) => {
  process.stderr.write(`Error: ${(error as Error).message}\n`);
  process.exit(1);
});
