// "Your images" as a new user meets it, in Debian's Chromium on the production build: add a folder
// of class folders through the real file input (a planted text file and a truncated PNG reported one
// by one, the rest loaded), import a MobileNet-shaped TensorFlow.js model from disk as the backbone,
// adapt, read the leave-one-out accuracy, classify a new photo, export the classifier and import it
// back with the same predictions, reload and find the images. Also: MobileNet downloaded on request
// (its official URL answered locally by the test), cached and used again offline; a run trained in
// the playground as the backbone, with its own adaptation; webcam capture (Chromium's fake camera).
// Calibrated probabilities, the confusion matrix with its images on click, a batch of unlabelled
// photos from a zip as a table saved as CSV; MobileNet v3 large (the recommended backbone) downloaded
// on request from its official address, answered locally by a graph model of the same form.
// Every request is recorded: the user's images never leave the page. Screenshots: artifacts/screenshots.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../../src/node/browser';
import { appInChromium } from './appInChromium';
import { seriousViolations } from '../../src/node/screens';
import { zipSync } from 'fflate';
import { MOBILENET_V1_025_224, MOBILENET_V3_LARGE_100_224 } from '../../src/ui/models/pretrainedModels';
import { photoBytes, writePhotoFolder, writeNewPhoto } from '../fixtures/photoFolder';
import { buildTinyGraphModel } from '../fixtures/tinyGraphModel';
import { buildTinyMobilenet, writeModelFiles } from '../fixtures/tinyMobilenet';

const app = appInChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
let work: string;
let model: { dir: string; json: string; weights: string[] };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fsl-own-'));
  const files = await buildTinyMobilenet();
  const dir = join(work, 'tiny-mobilenet');
  writeModelFiles(dir, files);
  model = { dir, json: join(dir, 'model.json'), weights: files.weights.map((w) => join(dir, w.path)) };
});

async function open(context?: BrowserContext): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const ctx = context ?? (await app.browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const requests: string[] = [];
  ctx.on('request', (r) => requests.push(r.url()));
  const opened = await openPage(ctx, `${app.server.url}#your-images`);
  return { ...opened, requests };
}

const foreign = (requests: string[]) => requests.filter((url) => !url.startsWith(app.server.url) && !url.startsWith('blob:') && !url.startsWith('data:'));
const classCard = (page: Page, name: string) => page.getByRole('listitem', { name: new RegExp(`^Class ${name}, \\d+ images`) });
const region = (page: Page, name: string) => page.getByRole('region', { name });

/** The class probabilities shown for the last classified image, by class name (percent). */
async function probabilities(page: Page): Promise<Record<string, number>> {
  const meters = page.getByRole('meter');
  const out: Record<string, number> = {};
  for (let i = 0; i < (await meters.count()); i++) {
    const name = (await meters.nth(i).getAttribute('aria-label'))!.replace(/ probability$/, '');
    out[name] = Number(await meters.nth(i).getAttribute('aria-valuenow'));
  }
  return out;
}

describe('your own images in Chromium (production build)', () => {
  it('adds a folder of photos, imports a backbone from disk, adapts, estimates, classifies, exports and re-imports, and keeps the set after a reload', async () => {
    const folder = writePhotoFolder(join(work, 'photos'));
    const newPhoto = writeNewPhoto(join(work, 'new'), 'green squares');
    const { page, errors, requests } = await open();
    await expect.poll(() => page.getByRole('heading', { name: '1. Your classes' }).count(), { timeout: 60_000 }).toBe(1);
    await screenshot(page, 'own-1-empty');

    await page.getByLabel('Add images').setInputFiles(folder.root);
    for (const name of ['red discs', 'green squares', 'blue stripes']) {
      await expect.poll(() => classCard(page, name).count(), { timeout: 60_000 }).toBe(1);
      expect(await classCard(page, name).getByRole('img').count()).toBe(5);
    }
    const problems = page.getByRole('alert').filter({ hasText: 'skipped' });
    expect(await problems.textContent()).toMatch(/notes\.txt: not a PNG, JPEG or WebP image/);
    expect(await problems.textContent()).toMatch(/broken\.png: .*(could not|cannot) .*decode/);
    // The 1600x1200 photo was scaled down as it was read: kept at most 512 pixels on its longest side.
    const stored = await page.evaluate(() => {
      const own = (window as unknown as { fewShotLab: { ownImages: { getState(): { datasets: Array<{ classes: Array<{ name: string; images: Array<{ name: string; width: number; height: number; bytes: Uint8Array }> }> }> } } } }).fewShotLab.ownImages;
      const image = own.getState().datasets[0].classes.find((c) => c.name === 'blue stripes')!.images.find((i) => i.name === 'photo-5.jpg')!;
      return { width: image.width, height: image.height, bytes: image.bytes.length };
    });
    expect(stored).toMatchObject({ width: 512, height: 384 });
    expect(stored.bytes).toBeLessThan(readFileSync(join(folder.root, folder.big)).length);
    await screenshot(page, 'own-2-folder-added');

    await page.getByLabel('Import model').setInputFiles([model.json, ...model.weights]);
    const backbone = region(page, '2. Feature network');
    // model.json picked without its folder: named after the model's own name, not "model".
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/mobilenet_1\.00_224: input 224×224×3/);
    expect(await page.getByLabel('Feature layer').inputValue()).toBe('conv_pw_13_relu');
    // The recommended layer comes first in the list, marked.
    expect(await page.getByLabel('Feature layer').locator('option').first().textContent()).toMatch(/^★ recommended: conv_pw_13_relu/);
    await screenshot(page, 'own-3-backbone');

    await page.getByRole('button', { name: 'Adapt to my classes' }).click();
    const adapt = region(page, '3. Adapt and check');
    await expect.poll(() => adapt.textContent(), { timeout: 120_000 }).toMatch(/Ready: nearest prototype/i);
    await page.getByRole('button', { name: 'Estimate accuracy' }).click();
    await expect.poll(() => adapt.textContent(), { timeout: 120_000 }).toMatch(/Leave-one-out accuracy: \d+\.\d% \(95% CI \d+\.\d% to \d+\.\d%; \d+ of \d+ right\)/);
    const loo = Number(/Leave-one-out accuracy: (\d+\.\d)%/.exec((await adapt.textContent())!)![1]);
    // Three classes of distinct colours and shapes: far above chance (33%) even on random features.
    expect(loo).toBeGreaterThan(60);
    expect(await adapt.textContent()).toMatch(/15 images of 3 classes/);
    // The model does not state its scaling: both were tried on the 15 photos, the better kept and said.
    expect(await adapt.textContent()).toMatch(/Input scaling: .*both were tried on your 15 images .*: (0 to 1|-1 to 1) got \d+ right, (0 to 1|-1 to 1) \d+; using (0 to 1|-1 to 1)/);
    expect(await adapt.textContent()).toMatch(/Probabilities calibrated on 15 of your images \(leave-one-out/);
    // The estimate names what produced it, counts feature extraction in its time, and reports calibration.
    expect(await adapt.locator('.own-estimate__setup').textContent()).toMatch(/^Backbone: mobilenet_1\.00_224 · feature layer conv_pw_13_relu · pixels scaled (0 to 1|-1 to 1) · classifier: nearest prototype\.$/);
    expect(await adapt.textContent()).toMatch(/Took \d+\.\d s(, of which \d+\.\d s computing features of 15 images| \(features were already computed\))/);
    expect(await adapt.textContent()).toMatch(/Calibration: expected calibration error \d+\.\d% raw → \d+\.\d% calibrated/);
    expect(await adapt.getByRole('img', { name: /^Reliability diagram: / }).count()).toBe(1);
    // The confusion matrix: each row's count adds up to its class; a diagonal cell lists its photos.
    const matrix = adapt.getByRole('table', { name: /Confusion matrix/ });
    const right = matrix.getByRole('button', { name: /^\d+ images? of green squares predicted as green squares$/ });
    const inCell = Number(await right.textContent());
    expect(inCell).toBeGreaterThan(0);
    await right.click();
    const cell = adapt.getByRole('region', { name: 'Images of green squares predicted as green squares' });
    expect(await cell.getByRole('listitem').count()).toBe(inCell);
    expect(await cell.textContent()).toMatch(/green squares, right at \d+%/);
    await screenshot(page, 'own-4-adapted');

    await page.getByLabel('Classify image').setInputFiles(newPhoto);
    const classify = region(page, '4. Classify a new image');
    await expect.poll(() => classify.textContent(), { timeout: 60_000 }).toMatch(/(Most likely|Not sure): green squares/);
    // The result names its file, and the bars say they are calibrated.
    expect(await classify.locator('.own-classify__file').textContent()).toBe('new-green-squares.jpg');
    expect(await classify.getByRole('list', { name: 'Calibrated class probabilities' }).count()).toBe(1);
    const before = await probabilities(page);
    expect(Object.keys(before).sort()).toEqual(['blue stripes', 'green squares', 'red discs']);
    expect(Object.values(before).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    await screenshot(page, 'own-5-classified');

    // A zip of unlabelled photos (and a stray text file): a table of file, class, probability, sure or
    // not, sorted by a header button and saved as CSV.
    const batchZip = join(work, 'unlabelled.zip');
    writeFileSync(
      batchZip,
      zipSync({
        'u/one.jpg': photoBytes('red discs', 901, 'jpeg'),
        'u/two.jpg': photoBytes('green squares', 902, 'jpeg'),
        'u/three.jpg': photoBytes('blue stripes', 903, 'jpeg'),
        'u/readme.txt': new TextEncoder().encode('not an image'),
      }),
    );
    await classify.getByLabel('Classify a zip or images').setInputFiles(batchZip);
    const table = classify.getByRole('table', { name: /Classified images/ });
    await expect.poll(() => table.getByRole('row').count(), { timeout: 60_000 }).toBe(4);
    expect(await classify.textContent()).toMatch(/1 file skipped/);
    await table.getByRole('button', { name: 'Probability' }).click();
    expect(await table.getByRole('columnheader', { name: /Probability/ }).getAttribute('aria-sort')).toBe('descending');
    const shown = await table.locator('tbody th').allTextContents();
    expect([...shown].sort()).toEqual(['unlabelled/u/one.jpg', 'unlabelled/u/three.jpg', 'unlabelled/u/two.jpg']);
    const csvDownload = page.waitForEvent('download');
    await classify.getByRole('button', { name: 'Save table as CSV' }).click();
    const csvPath = join(work, 'classified.csv');
    await (await csvDownload).saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('file,top_class,probability,not_sure,runner_up,runner_up_probability,p(blue stripes),p(green squares),p(red discs)');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual(shown);
    // Sorted by probability, descending, as the table shows it.
    const ps = csv.slice(1).map((line) => Number(line.split(',')[2]));
    expect([...ps].sort((a, b) => b - a)).toEqual(ps);
    await screenshot(page, 'own-5b-batch');
    // With the calibration, the matrix, a cell's images, the bars and the batch table on the page: no serious or critical axe violation.
    expect(await seriousViolations(page)).toEqual([]);

    // A pasted image (Ctrl+V on the page) is classified the same way.
    const redPhoto = [...readFileSync(writeNewPhoto(join(work, 'new'), 'red discs'))];
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'pasted.jpg', { type: 'image/jpeg' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    }, redPhoto);
    await expect.poll(() => classify.textContent(), { timeout: 60_000 }).toMatch(/(Most likely|Not sure): red discs/);
    await page.getByLabel('Classify image').setInputFiles(newPhoto);
    await expect.poll(() => classify.textContent(), { timeout: 60_000 }).toMatch(/(Most likely|Not sure): green squares/);

    const downloads: Array<{ name: string; path: string }> = [];
    const exportDir = mkdtempSync(join(work, 'export-'));
    page.on('download', (download) => {
      const path = join(exportDir, download.suggestedFilename());
      void download.saveAs(path).then(() => downloads.push({ name: download.suggestedFilename(), path }));
    });
    await page.getByLabel('Model name').fill('shapes');
    await page.getByRole('button', { name: 'Export model' }).click();
    await expect.poll(() => downloads.length, { timeout: 60_000 }).toBe(2);
    const exportedJson = downloads.find((d) => d.name.endsWith('.json'))!;
    expect(JSON.parse(readFileSync(exportedJson.path, 'utf8')).userDefinedMetadata.fewShotLab.classes).toEqual(['blue stripes', 'green squares', 'red discs']);

    // Importing it back: the browser already keeps "shapes" (the export saved it), so the import is
    // kept beside it as "shapes (2)", nothing replaced, and the page offers to replace the earlier one.
    await page.getByLabel('Import model').setInputFiles(downloads.map((d) => d.path));
    const offer = page.getByRole('status').filter({ hasText: 'Nothing was replaced' });
    await expect.poll(() => offer.count(), { timeout: 30_000 }).toBe(1);
    expect(await offer.textContent()).toContain('kept beside it as “shapes (2)”');
    await screenshot(page, 'own-6-import-kept-both');
    await offer.getByRole('button', { name: 'Keep both' }).click();
    expect(await page.getByLabel('Backbone').locator('option', { hasText: /^shapes/ }).count()).toBe(2);
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/classifier exported from Few-Shot Lab for blue stripes, green squares, red discs/);
    await page.getByLabel('Classify image').setInputFiles(newPhoto);
    await expect.poll(() => classify.textContent(), { timeout: 60_000 }).toMatch(/(Most likely|Not sure): green squares/);
    const after = await probabilities(page);
    for (const name of Object.keys(before)) expect(Math.abs(after[name] - before[name])).toBeLessThanOrEqual(0.1);
    await screenshot(page, 'own-7-reimported');

    // The compute worker crashes: the page restarts it, reloads the model, and classifies as before.
    await page.evaluate(() => {
      const { client } = (window as unknown as { fewShotLab: { client: { injectFault(f: string): Promise<void> } } }).fewShotLab;
      void client.injectFault('crash').catch(() => undefined);
    });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /compute worker crashed .* restarted/ }).count(), { timeout: 60_000 }).toBe(1);
    await page.getByLabel('Classify image').setInputFiles(join(work, 'new', 'new-red-discs.jpg'));
    await expect.poll(() => classify.textContent(), { timeout: 60_000 }).toMatch(/(Most likely|Not sure): red discs/);
    expect(await classify.getByRole('alert').count()).toBe(0);

    await page.reload();
    for (const name of ['red discs', 'green squares', 'blue stripes']) {
      await expect.poll(() => classCard(page, name).count(), { timeout: 60_000 }).toBe(1);
    }
    expect(await page.getByRole('img', { name: /^(red discs|green squares|blue stripes): / }).count()).toBe(15);
    await screenshot(page, 'own-8-reloaded');

    // The image set as a zip (<class>/<image>), and back: kept beside the original as "My images (2)".
    const zipDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export image set (zip)' }).click();
    const zipPath = join(exportDir, (await zipDownload).suggestedFilename());
    await (await zipDownload).saveAs(zipPath);
    await page.getByLabel('Import image set (zip)').setInputFiles(zipPath);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'kept beside it as “My images (2)”' }).count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByLabel('Image set', { exact: true }).locator('option').allTextContents()).toEqual(['My images (2)', 'My images']);
    for (const name of ['red discs', 'green squares', 'blue stripes']) expect(await classCard(page, name).getByRole('img').count()).toBe(5);

    expect(foreign(requests)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('downloads MobileNet only when asked, with its size and progress, keeps it, and loads it again offline', async () => {
    const mobilenet = MOBILENET_V1_025_224;
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const served: string[] = [];
    // The weights are held back until the test has seen the progress bar (as over a slow network),
    // however long the page takes to show it.
    let releaseWeights!: () => void;
    const weightsMayGo = new Promise<void>((resolve) => (releaseWeights = resolve));
    // The official URL, answered by the test with the tiny MobileNet-shaped model (never the network).
    const base = mobilenet.url.slice(0, mobilenet.url.lastIndexOf('/') + 1);
    await context.route(`${base}**`, async (route) => {
      const url = route.request().url();
      served.push(url);
      const file = url.slice(base.length);
      const path = join(model.dir, file);
      if (!file.endsWith('.json')) await weightsMayGo;
      try {
        const body = readFileSync(path);
        void route.fulfill({ status: 200, body, headers: { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'access-control-allow-origin': '*', 'content-length': String(body.length) } });
      } catch {
        void route.fulfill({ status: 404, body: 'not found' });
      }
    });
    const { page, errors, requests } = await open(context);
    await expect.poll(() => page.getByLabel('Backbone').count(), { timeout: 60_000 }).toBe(1);
    const option = page.getByLabel('Backbone').locator('option', { hasText: mobilenet.name });
    expect(await option.textContent()).toMatch(/download, about \d+(\.\d)? MB/);
    // Nothing was fetched before the user asked.
    expect(served).toEqual([]);
    await page.getByLabel('Backbone').selectOption({ label: (await option.textContent())! });
    const backbone = region(page, '2. Feature network');
    // While the weights come: the exact size from model.json's manifest, and a progress bar.
    await expect.poll(() => backbone.textContent(), { timeout: 30_000 }).toMatch(/Downloading [\d.]+ [kM]?B of [\d.]+ [kM]?B/);
    expect(await backbone.getByRole('progressbar').count()).toBe(1);
    await screenshot(page, 'own-9a-mobilenet-downloading');
    releaseWeights();
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/input 224×224×3/);
    expect(served.some((u) => u.endsWith('model.json'))).toBe(true);
    expect(await page.getByLabel('Feature layer').inputValue()).toBe('conv_pw_13_relu');
    await screenshot(page, 'own-9-mobilenet-downloaded');

    // After a reload, with the test's answer gone and the browser offline: the model comes from the browser's store.
    // Offline use needs the app saved first (the service worker's precache): the page says when.
    await expect.poll(() => page.getByTestId('offline-indicator').textContent(), { timeout: 120_000 }).toMatch(/^Offline ready: /);
    served.length = 0;
    await context.unroute(`${base}**`);
    await page.reload();
    const keptOption = page.getByLabel('Backbone').locator('option', { hasText: mobilenet.name }).filter({ hasText: '(in this browser)' });
    await expect.poll(() => keptOption.count(), { timeout: 60_000 }).toBe(1);
    await context.setOffline(true);
    await page.getByLabel('Backbone').selectOption({ label: (await keptOption.textContent())! });
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/input 224×224×3/);
    expect(served).toEqual([]);
    await screenshot(page, 'own-10-mobilenet-offline');

    // MobileNet v3 large, the recommended one, from its official TF Hub address (with the query TF Hub
    // needs on every file), answered by a graph model of the same form: 224×224 input, the feature
    // vector as its output, pixels 0 to 1 as its publisher documents.
    await context.setOffline(false);
    const v3 = MOBILENET_V3_LARGE_100_224;
    const v3Files = buildTinyGraphModel({ inputSize: 224, featureVectorOutput: true });
    const v3Base = v3.url.slice(0, v3.url.lastIndexOf('/') + 1);
    const v3Served: string[] = [];
    await context.route(`${v3Base}**`, (route) => {
      const url = route.request().url();
      v3Served.push(url);
      const file = url.slice(v3Base.length).replace(/\?tfjs-format=file$/, '');
      const body = file === 'model.json' ? Buffer.from(JSON.stringify(v3Files.modelJson)) : file === v3Files.weights[0].path ? Buffer.from(v3Files.weights[0].bytes) : null;
      if (!body) return void route.fulfill({ status: 404, body: 'not found' });
      void route.fulfill({ status: 200, body, headers: { 'content-type': file === 'model.json' ? 'application/json' : 'application/octet-stream', 'access-control-allow-origin': '*', 'content-length': String(body.length) } });
    });
    const v3Option = page.getByLabel('Backbone').locator('option', { hasText: v3.name });
    expect(await v3Option.textContent()).toMatch(/MobileNet v3 large 1\.0 \(224×224\), recommended — ImageNet 75\.2% \(download, about 17\.0 MB\)/);
    await page.getByLabel('Backbone').selectOption({ label: (await v3Option.textContent())! });
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/MobileNet v3 large 1\.0 \(224×224\): input 224×224×3/);
    expect(v3Served.every((u) => u.endsWith('?tfjs-format=file'))).toBe(true);
    expect(v3Served.length).toBe(2);
    expect(await page.getByLabel('Feature layer').inputValue()).toBe('Identity');
    expect(await page.getByLabel('Feature layer').locator('option').first().textContent()).toMatch(/^★ recommended: Identity/);
    expect(await backbone.textContent()).toMatch(/Pixels scaled 0 to 1, as its publisher documents\./);
    await screenshot(page, 'own-10b-mobilenet-v3');
    expect(foreign(requests).filter((u) => !u.startsWith(base) && !u.startsWith(v3Base))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('uses a run trained in the playground as the backbone with its own adaptation, and captures photos with the webcam', async () => {
    const folder = writePhotoFolder(join(work, 'photos-run'), 3);
    const { page, errors, requests } = await open();
    await page.getByRole('link', { name: 'Playground' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 60_000 }).toMatch(/Backend: /);
    await page.getByLabel('Training steps').fill('5');
    await page.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => page.locator('.run-progress__label > span').first().textContent(), { timeout: 120_000 }).toMatch(/done|stopped|finished|step 5 of 5/);
    await page.getByRole('link', { name: 'Your images' }).click();
    await page.getByLabel('Add images').setInputFiles(folder.root);
    await expect.poll(() => classCard(page, 'blue stripes').count(), { timeout: 60_000 }).toBe(1);

    // Webcam: Chromium's fake camera gives frames; one capture after the countdown joins the class.
    const card = classCard(page, 'blue stripes');
    await card.getByRole('button', { name: 'Camera…' }).click();
    await card.getByRole('button', { name: 'Start camera for blue stripes' }).click();
    await card.getByRole('button', { name: 'Capture for blue stripes' }).click();
    await expect.poll(() => card.getByRole('img').count(), { timeout: 30_000 }).toBe(4);
    await screenshot(page, 'own-11-webcam');
    await card.getByRole('button', { name: 'Stop camera' }).click();

    const option = page.getByLabel('Backbone').locator('option', { hasText: /Prototypical Networks/ });
    await page.getByLabel('Backbone').selectOption({ label: (await option.first().textContent())! });
    const backbone = region(page, '2. Feature network');
    await expect.poll(() => backbone.textContent(), { timeout: 60_000 }).toMatch(/input 28×28×1/);
    await page.getByLabel(/The run’s own adaptation/).check();
    await page.getByRole('button', { name: 'Estimate accuracy' }).click();
    const adapt = region(page, '3. Adapt and check');
    await expect.poll(() => adapt.textContent(), { timeout: 120_000 }).toMatch(/Leave-one-out accuracy: \d+\.\d% \(95% CI \d+\.\d% to \d+\.\d%; \d+ of \d+ right\)/);
    expect(await adapt.textContent()).toMatch(/10 images of 3 classes/);
    await screenshot(page, 'own-12-run-backbone');
    const looLine = (await adapt.locator('.own-estimate__headline').textContent())!;

    // A webcam frame is classified by the run's adaptation: bars for the three classes.
    await page.getByRole('button', { name: 'Classify a webcam frame…' }).click();
    await page.getByRole('button', { name: 'Start camera for classifying' }).click();
    await page.getByRole('button', { name: 'Capture for classifying' }).click();
    await expect.poll(() => page.getByRole('meter').count(), { timeout: 60_000 }).toBe(3);
    // A fake-camera frame looks like none of the classes: "not sure" with the runner-up is a fair answer.
    expect(await region(page, '4. Classify a new image').textContent()).toMatch(/(Most likely|Not sure): (red discs|green squares|blue stripes) \(\d+\.\d%\)/);
    expect(await region(page, '4. Classify a new image').textContent()).toMatch(/webcam frame at \d\d:\d\d:\d\d/);
    await screenshot(page, 'own-13-webcam-classified');
    await page.getByRole('button', { name: 'Stop camera' }).click();

    // A later visit: the run's trained state was kept, so it is a backbone still, rebuilt in the
    // worker, and it gives the same leave-one-out result on the same images.
    await page.reload();
    const kept = page.getByLabel('Backbone').locator('option', { hasText: /kept from an earlier visit/ });
    await expect.poll(() => kept.count(), { timeout: 60_000 }).toBe(1);
    await page.getByLabel('Backbone').selectOption({ label: (await kept.textContent())! });
    await expect.poll(() => backbone.textContent(), { timeout: 120_000 }).toMatch(/input 28×28×1/);
    await page.getByLabel(/The run’s own adaptation/).check();
    await page.getByRole('button', { name: 'Estimate accuracy' }).click();
    await expect.poll(() => adapt.locator('.own-estimate__headline').textContent(), { timeout: 120_000 }).toBe(looLine);
    await screenshot(page, 'own-14-run-kept');
    expect(foreign(requests)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
