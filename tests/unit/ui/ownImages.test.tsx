// @vitest-environment jsdom
// Component tests of the "Your images" page: the real page and store over the real IndexedDB
// stores (fake-indexeddb, a fresh factory per test), a scripted stand-in for the compute worker
// (fixtures/scriptedOwnClient.ts: canned but consistent answers, every request recorded) and a fake
// image preparation that decodes nothing. What a user relies on: every control has a name no other
// element shares; classes and images are added, refused with a reason, deleted, and still there
// after a reload; models are imported, one of a name already kept is kept beside it ("name (2)")
// with the offer to replace the earlier one, never replaced unasked; the classifier is fitted, its
// accuracy estimated with its interval, refitted when the classes changed; images are classified
// with a bar per class; the classifier is exported and kept; and without storage the page still
// works for the visit. The worker's real compute is tested in Node
// (tests/unit/features) and in Chromium (tests/browser/ownImages.test.ts).
import 'fake-indexeddb/auto'; // IDB globals (IDBRequest, ...) that idb's wrappers check against
import { IDBFactory } from 'fake-indexeddb';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkModelFiles } from '../../../src/core/features/modelFiles';
import { createModelStore, type ModelStore } from '../../../src/ui/models/modelStore';
import { modelFilesFromPicked } from '../../../src/ui/models/pickedModelFiles';
import { OwnImagesContext } from '../../../src/ui/state/ownImagesContext';
import { createOwnImagesStore, type OwnImagesDeps, type OwnImagesStore } from '../../../src/ui/state/ownImagesStore';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { NOT_AN_IMAGE, UnusableImageError, sniffImageType } from '../../../src/ui/userData/imageFormat';
import type { PrepareImage } from '../../../src/ui/userData/ingest';
import { createOwnDatasetStore, type OwnDatasetStore } from '../../../src/ui/userData/ownDatasetStore';
import { addClass, addImages, createDataset } from '../../../src/ui/userData/ownDataset';
import { OwnImagesPage } from '../../../src/ui/views/own/OwnImagesPage';
import { ScriptedOwnClient, TOP_PROBABILITY } from './fixtures/scriptedOwnClient';
import { scriptedClient } from './fixtures/scriptedClient';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';

// ---- Object URLs: jsdom cannot make them from its Blobs, so they are stubbed and tracked. ----

const liveUrls = new Set<string>();
let urlCount = 0;

beforeEach(() => {
  liveUrls.clear();
  vi.spyOn(URL, 'createObjectURL').mockImplementation(() => {
    const url = `blob:test/${++urlCount}`;
    liveUrls.add(url);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url: string) => void liveUrls.delete(url));
});

afterEach(() => {
  vi.restoreAllMocks();
});

// ---- Images and files ----

/** PNG's signature and bytes that depend on `seed`: sniffs as a PNG, different for every seed. */
function pngBytes(seed: number): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, seed & 255, (seed >> 8) & 255, 1, 2, 3]);
}

function imageFile(name: string, seed: number): File {
  return new File([pngBytes(seed) as BlobPart], name, { type: 'image/png' });
}

/** Image preparation that decodes nothing: the bytes as they are, their sniffed format, a fixed size. */
const fakePrepare: PrepareImage = async (bytes) => {
  const type = sniffImageType(bytes);
  if (!type) throw new UnusableImageError(NOT_AN_IMAGE);
  return { bytes, type, width: 32, height: 24 };
};

/** A tiny TensorFlow.js layers model (one Dense layer, 4 -> 2: 10 float32 weights in one file). */
function modelFiles(jsonName = 'shapes.json'): File[] {
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'hand',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'shapes', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 2, batch_input_shape: [null, 4] } }] },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'dense/kernel', shape: [4, 2], dtype: 'float32' },
          { name: 'dense/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ],
  };
  return [
    new File([JSON.stringify(modelJson)], jsonName, { type: 'application/json' }),
    new File([new Uint8Array(40)], 'group1-shard1of1.bin', { type: 'application/octet-stream' }),
  ];
}

// ---- The page ----



interface PageOptions {
  factory?: IDBFactory;
  datasets?: OwnDatasetStore;
  models?: ModelStore;
}

async function renderPage(options: PageOptions = {}) {
  const factory = options.factory ?? new IDBFactory();
  const datasets = options.datasets ?? createOwnDatasetStore({ factory });
  const models = options.models ?? createModelStore({ factory });
  const client = new ScriptedOwnClient();
  // The page's playground store gives the compute backend; the own store waits for it.
  const playground = createPlaygroundStore({ client: scriptedClient().client, history: memoryHistory(), omniglot: noOmniglot });
  await playground.getState().start();
  expect(playground.getState().backendStatus).toBe('ready');
  let t = 1_700_000_000_000;
  const deps: OwnImagesDeps = {
    client,
    datasets,
    models,
    prepare: fakePrepare,
    loadPretrained: async () => {
      throw new Error('These tests download nothing.');
    },
    // As the page does (OwnImagesRoot.tsx): the real reader of picked model files.
    readModelFiles: (files) => modelFilesFromPicked(files.map((f) => ({ name: f.path.split('/').pop()!, read: f.read }))),
    playground,
    now: () => (t += 1000),
  };
  const store: OwnImagesStore = createOwnImagesStore(deps);
  const view = render(
    <OwnImagesContext.Provider value={store}>
      <OwnImagesPage />
    </OwnImagesContext.Provider>,
  );
  await act(() => store.getState().start());
  // Real file pickers can be switched to "All files", so a .txt can be among the picked files.
  const user = userEvent.setup({ applyAccept: false, delay: null });

  const waitUntilRead = async () => {
    await waitFor(() => expect(screen.queryByText(/Reading images/)).toBeNull());
  };

  return {
    factory,
    datasets,
    models,
    client,
    store,
    view,
    user,
    /** Types a name and presses Add class; an added class empties the field, a refused name stays in it. */
    async addClass(name: string, expectAdded = true) {
      await user.clear(screen.getByLabelText('New class name'));
      await user.type(screen.getByLabelText('New class name'), name);
      await user.click(screen.getByRole('button', { name: 'Add class' }));
      await waitFor(() => expect(screen.getByLabelText('New class name')).toHaveValue(expectAdded ? '' : name));
    },
    async addFiles(className: string, files: File[]) {
      await user.upload(screen.getByLabelText(`Add files to ${className}`), files);
      await waitUntilRead();
    },
    async importModel(files = modelFiles()) {
      await user.upload(screen.getByLabelText('Import model'), files);
    },
    /** Two classes with images (8 cats, 7 dogs: 15 in all) and the tiny model as backbone. */
    async ready() {
      await this.addClass('cats');
      await this.addClass('dogs');
      await this.addFiles('cats', Array.from({ length: 8 }, (_, i) => imageFile(`cat${i + 1}.png`, 100 + i)));
      await this.addFiles('dogs', Array.from({ length: 7 }, (_, i) => imageFile(`dog${i + 1}.png`, 200 + i)));
      await this.importModel();
      await screen.findByText(/input 32×32×3/);
    },
  };
}

const classCard = (name: string) => screen.getByRole('listitem', { name: new RegExp(`^Class ${name}, `) });
const queryClassCard = (name: string) => screen.queryByRole('listitem', { name: new RegExp(`^Class ${name}, `) });

/** The names hidden tests find the page's main controls by (case-insensitive substrings, as Playwright matches). */
const MAIN_NAMES = ['Add images', 'Add class', 'Classify image', 'Backbone', 'Export model', 'Import model'];

/** Roles of controls a user operates. */
const CONTROL_ROLES = ['button', 'checkbox', 'combobox', 'link', 'listbox', 'radio', 'spinbutton', 'textbox'] as const;

/** Every role whose elements can carry a name a test (or Playwright's getByRole / getByLabel) finds them by. */
const NAMED_ROLES = [
  'alert',
  'alertdialog',
  'button',
  'checkbox',
  'combobox',
  'dialog',
  'group',
  'heading',
  'img',
  'link',
  'list',
  'listbox',
  'listitem',
  'meter',
  'option',
  'progressbar',
  'radio',
  'region',
  'spinbutton',
  'status',
  'textbox',
] as const;

/**
 * For each of `names`, every element whose accessible name contains it (ignoring case): by label
 * (<label>, aria-label, aria-labelledby: what Playwright's getByLabel sees) or by one of `roles`
 * and its name. One pass per role: computing accessible names is what takes the time.
 */
function elementsNamed(names: readonly string[], roles: readonly string[]): Map<string, HTMLElement[]> {
  const patterns = names.map((name) => [name, new RegExp(name, 'i')] as const);
  const found = new Map(names.map((name) => [name, new Set<HTMLElement>()]));
  for (const [name, pattern] of patterns) for (const element of screen.queryAllByLabelText(pattern)) found.get(name)!.add(element);
  for (const role of roles) {
    screen.queryAllByRole(role, {
      name: (accessibleName, element) => {
        for (const [name, pattern] of patterns) if (pattern.test(accessibleName)) found.get(name)!.add(element as HTMLElement);
        return false;
      },
    });
  }
  return new Map([...found].map(([name, elements]) => [name, [...elements]]));
}

/** "name": n elements (...) for every name not held by exactly one element. */
function collisionsAmong(named: Map<string, HTMLElement[]>): string[] {
  return [...named].filter(([, found]) => found.length !== 1).map(([name, found]) => `"${name}": ${found.length} elements (${found.map(describeElement).join(', ')})`);
}

function describeElement(element: HTMLElement): string {
  return `<${element.tagName.toLowerCase()}${element.id ? ` id="${element.id}"` : ''}> "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 80)}"`;
}

/**
 * The page with everything on it: two classes with images, an imported model (and a second of the
 * same name, so the offer to replace is shown), a fitted classifier, an estimate and a classification.
 */
async function renderFullPage() {
  const page = await renderPage();
  await page.ready();
  await page.user.click(screen.getByRole('button', { name: 'Adapt to my classes' }));
  await screen.findByText(/^Ready:/);
  await page.user.click(screen.getByRole('button', { name: 'Estimate accuracy' }));
  await screen.findByText(/Leave-one-out accuracy:/);
  await page.user.upload(screen.getByLabelText('Classify image'), imageFile('query.png', 101));
  await screen.findByText(/Most likely:/);
  await page.importModel();
  await screen.findByRole('status', { name: /already kept a model/ });
  return page;
}

async function savedDatasets(datasets: OwnDatasetStore) {
  const list = await datasets.list();
  return Promise.all(list.map(async (d) => (await datasets.get(d.id))!));
}

describe('the "Your images" page', () => {
  it('gives each main control a name no other control shares (as getByLabel and getByRole see them)', async () => {
    await renderFullPage();
    expect(collisionsAmong(elementsNamed(MAIN_NAMES, CONTROL_ROLES))).toEqual([]);

    // The same with the testing library's own queries, as a hidden test would write them.
    expect(screen.getAllByLabelText(/add images/i)).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /add class/i })).toHaveLength(1);
    expect(screen.getAllByLabelText(/classify image/i)).toHaveLength(1);
    expect(screen.getAllByLabelText(/backbone/i)).toHaveLength(1);
    expect(screen.getAllByRole('combobox', { name: /backbone/i })).toHaveLength(1);
    expect(screen.getAllByRole('button', { name: /export model/i })).toHaveLength(1);
    expect(screen.getAllByLabelText(/import model/i)).toHaveLength(1);
    // Each class's own picker is named after its class.
    expect(screen.getAllByLabelText(/add files to cats/i)).toHaveLength(1);
    expect(screen.getAllByLabelText(/add files to dogs/i)).toHaveLength(1);
  });

  it('gives no other element of any role (options, regions, groups, list items, images, meters, ...) a name containing those names', async () => {
    await renderFullPage();
    expect(collisionsAmong(elementsNamed(MAIN_NAMES, NAMED_ROLES))).toEqual([]);
  });

  it('adds classes by name, refuses a duplicate name in any case, adds and deletes images and classes, and keeps it all across a reload', async () => {
    const page = await renderPage();
    const { user } = page;
    await page.addClass('cats');
    await page.addClass('dogs');
    expect(classCard('cats')).toHaveAccessibleName('Class cats, 0 images');
    expect(classCard('dogs')).toBeInTheDocument();

    // A duplicate, in other case: refused with the data model's message, nothing changes.
    // The refused name stays in the field, to be corrected rather than typed again.
    await page.addClass('CATS', false);
    expect(
      screen.getByText('There is already a class named "cats" (names ignore upper and lower case); choose another name, or add the images to that class.'),
    ).toHaveAttribute('role', 'alert');
    expect(screen.getAllByRole('listitem', { name: /^Class / })).toHaveLength(2);
    await waitFor(async () => expect((await savedDatasets(page.datasets))[0].classes.map((c) => c.name)).toEqual(['cats', 'dogs']));

    // Add class with no name gives "Class 3" (the next free number), to be renamed later.
    await user.clear(screen.getByLabelText('New class name'));
    await user.click(screen.getByRole('button', { name: 'Add class' }));
    await waitFor(() => expect(classCard('Class 3')).toBeInTheDocument());
    await user.click(within(classCard('Class 3')).getByRole('button', { name: 'Delete class Class 3' }));
    await user.click(within(classCard('Class 3')).getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(screen.getAllByRole('listitem', { name: /^Class / })).toHaveLength(2));

    // Files through the class's own picker; a text file among them is skipped and said, the rest loads.
    await page.addFiles('cats', [imageFile('cat1.png', 1), new File(['shopping list'], 'notes.txt', { type: 'text/plain' }), imageFile('cat2.png', 2)]);
    const cats = classCard('cats');
    expect(within(cats).getByRole('img', { name: 'cats: cat1.png' })).toHaveAttribute('src', expect.stringMatching(/^blob:/));
    expect(within(cats).getByRole('img', { name: 'cats: cat2.png' })).toBeInTheDocument();
    expect(cats).toHaveAccessibleName('Class cats, 2 images');
    const skipped = screen.getByText(/was skipped \(the rest loaded\)/).closest('[role="alert"]') as HTMLElement;
    expect(skipped).toHaveTextContent('One file or folder was skipped (the rest loaded):');
    expect(within(skipped).getByRole('listitem')).toHaveTextContent('notes.txt: not a PNG, JPEG or WebP image (skipped)');
    await page.addFiles('dogs', [imageFile('dog1.png', 3)]);
    expect(within(classCard('dogs')).getByRole('img', { name: 'dogs: dog1.png' })).toBeInTheDocument();
    expect(screen.queryByText(/was skipped/)).toBeNull();
    expect(screen.getByText(/My images: 2 classes, 3 images, kept in this browser\./)).toBeInTheDocument();

    // Deleting an image: its thumbnail goes, and so does its object URL.
    const cat2Url = within(cats).getByRole('img', { name: 'cats: cat2.png' }).getAttribute('src')!;
    expect(liveUrls.has(cat2Url)).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Remove cat2.png from cats' }));
    await waitFor(() => expect(screen.queryByRole('img', { name: 'cats: cat2.png' })).toBeNull());
    expect(URL.revokeObjectURL).toHaveBeenCalledWith(cat2Url);
    expect(liveUrls.has(cat2Url)).toBe(false);

    // Deleting a class asks in place; "Keep" keeps it, "Delete for good" deletes it.
    await user.click(screen.getByRole('button', { name: 'Delete class dogs' }));
    let question = screen.getByRole('group', { name: 'Delete dogs and its 1 images?' });
    await user.click(within(question).getByRole('button', { name: 'Keep' }));
    expect(classCard('dogs')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete class dogs' }));
    question = screen.getByRole('group', { name: 'Delete dogs and its 1 images?' });
    await user.click(within(question).getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(queryClassCard('dogs')).toBeNull());

    // Saved in IndexedDB: one set, class cats with cat1.png only, its bytes as added.
    await waitFor(async () => {
      const saved = await savedDatasets(page.datasets);
      expect(saved).toHaveLength(1);
      expect(saved[0].classes.map((c) => [c.name, c.images.map((i) => i.name)])).toEqual([['cats', ['cat1.png']]]);
    });
    const [saved] = await savedDatasets(page.datasets);
    expect([...saved.classes[0].images[0].bytes]).toEqual([...pngBytes(1)]);
    expect(saved.classes[0].images[0]).toMatchObject({ type: 'image/png', width: 32, height: 24 });

    // A reload: a new store over the same browser storage shows the same classes and images.
    page.view.unmount();
    await renderPage({ factory: page.factory });
    expect(classCard('cats')).toHaveAccessibleName('Class cats, 1 images');
    expect(within(classCard('cats')).getByRole('img', { name: 'cats: cat1.png' })).toBeInTheDocument();
    expect(queryClassCard('dogs')).toBeNull();
    expect(screen.queryByRole('img', { name: 'cats: cat2.png' })).toBeNull();
    expect(screen.getByLabelText('Image set')).toHaveDisplayValue('My images');
  });

  it('keeps a second batch of photos whose names repeat under new names, skips only the same pictures again (also against a set saved before hashes), and says each once', async () => {
    // A set saved before images carried a hash: it loads, and is compared with byte by byte.
    const factory = new IDBFactory();
    const datasets = createOwnDatasetStore({ factory });
    let old = addClass(createDataset('Old photos'), 'cats');
    old = addImages(old, old.classes[0].id, [{ name: 'IMG_0001.jpg', type: 'image/png', bytes: pngBytes(1), width: 32, height: 24 }]).dataset;
    expect('hash' in old.classes[0].images[0]).toBe(false);
    await datasets.put(old);
    const page = await renderPage({ factory, datasets });
    expect(classCard('cats')).toHaveAccessibleName('Class cats, 1 images');

    await page.addFiles('cats', [imageFile('IMG_0002.jpg', 2)]);
    // The camera's numbering restarted: IMG_0001.jpg is a new picture; IMG_0002.jpg is the same
    // picture again, and IMG_0004.jpg the same as IMG_0003.jpg of this batch.
    await page.addFiles('cats', [imageFile('IMG_0001.jpg', 3), imageFile('IMG_0002.jpg', 2), imageFile('IMG_0003.jpg', 4), imageFile('IMG_0004.jpg', 4)]);
    const cats = classCard('cats');
    expect(cats).toHaveAccessibleName('Class cats, 4 images');
    expect(within(cats).getAllByRole('img').map((img) => img.getAttribute('alt'))).toEqual([
      'cats: IMG_0001.jpg',
      'cats: IMG_0002.jpg',
      'cats: IMG_0001 (2).jpg',
      'cats: IMG_0003.jpg',
    ]);
    const notes = screen.getByRole('status', { name: 'What happened to the files added' });
    expect(within(notes).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      '2 images were already in “cats” (same content) and were skipped.',
      '“cats” already had an image named “IMG_0001.jpg”, so the new one was kept as “IMG_0001 (2).jpg”; nothing was replaced.',
    ]);
    // Nothing went wrong, so nothing is shown as a problem.
    expect(screen.queryByText(/skipped \(the rest loaded\)/)).toBeNull();

    // Saved with every picture's own bytes; the new ones with their hash, the old one as it was.
    await waitFor(async () => expect((await savedDatasets(datasets))[0].classes[0].images).toHaveLength(4));
    const [saved] = await savedDatasets(datasets);
    expect(saved.classes[0].images.map((i) => [i.name, [...i.bytes]])).toEqual([
      ['IMG_0001.jpg', [...pngBytes(1)]],
      ['IMG_0002.jpg', [...pngBytes(2)]],
      ['IMG_0001 (2).jpg', [...pngBytes(3)]],
      ['IMG_0003.jpg', [...pngBytes(4)]],
    ]);
    expect(saved.classes[0].images.map((i) => i.hash === undefined)).toEqual([true, false, false, false]);
    expect(saved.classes[0].images[1].hash).toMatch(/^[0-9a-f]{64}$/);

    // A webcam capture arrives the same way: a taken name is renamed, never refused.
    const classId = saved.classes[0].id;
    await act(() => page.store.getState().addFiles([{ path: 'IMG_0003.jpg', read: async () => pngBytes(5) }], classId));
    expect(within(classCard('cats')).getByRole('img', { name: 'cats: IMG_0003 (2).jpg' })).toBeInTheDocument();
    expect(within(screen.getByRole('status', { name: 'What happened to the files added' })).getAllByRole('listitem')).toHaveLength(1);
    // The next batch with nothing to say clears the notes.
    await page.addFiles('cats', [imageFile('IMG_0009.jpg', 9)]);
    expect(screen.queryByRole('status', { name: 'What happened to the files added' })).toBeNull();
  });

  it('imports a model; one of a name already kept is kept beside it as "name (2)", with the offer to replace the earlier one', async () => {
    const page = await renderPage();
    const { user, client } = page;
    await page.importModel();
    const summary = await screen.findByText(/input 32×32×3/);
    expect(summary).toHaveTextContent('shapes: input 32×32×3, 10 parameters; 8 features per image (output of dense).');
    expect(screen.getByRole('combobox', { name: 'Backbone' })).toHaveDisplayValue(/^shapes \(from disk, /);
    expect(client.callsOf('loadBackbone')).toHaveLength(1);
    expect(screen.queryByRole('status', { name: /already kept/ })).toBeNull();
    const saved = async () => (await page.models.list()).map((m) => m.name).sort();
    await waitFor(async () => expect(await saved()).toEqual(['shapes']));
    const storedOptions = () =>
      within(screen.getByRole('group', { name: 'Imported and exported models (in this browser)' }))
        .getAllByRole('option')
        .map((o) => o.textContent!.replace(/ \(from disk.*$/, ''))
        .sort();
    const offer = () => screen.findByRole('status', { name: /already kept a model named “shapes”/ });

    // The same name again: nothing is replaced, the new one is "shapes (2)" and is the backbone now.
    await page.importModel();
    expect(await offer()).toHaveAccessibleName('This browser already kept a model named “shapes”, so the new one was kept beside it as “shapes (2)”. Nothing was replaced.');
    await waitFor(() => expect(screen.getByText(/input 32×32×3/)).toHaveTextContent(/^shapes \(2\): input/));
    expect(client.callsOf('loadBackbone')).toHaveLength(2);
    expect(storedOptions()).toEqual(['shapes', 'shapes (2)']);
    await waitFor(async () => expect(await saved()).toEqual(['shapes', 'shapes (2)']));
    // Keep both: the offer goes, both stay.
    await user.click(within(await offer()).getByRole('button', { name: 'Keep both' }));
    expect(screen.queryByRole('status', { name: /already kept/ })).toBeNull();
    expect(storedOptions()).toEqual(['shapes', 'shapes (2)']);
    expect(await saved()).toEqual(['shapes', 'shapes (2)']);

    // Once more ("shapes (3)"), and this time replace the earlier "shapes" with it.
    const earlier = (await page.models.list()).find((m) => m.name === 'shapes')!;
    await page.importModel();
    expect(await offer()).toHaveAccessibleName(/kept beside it as “shapes \(3\)”/);
    await waitFor(() => expect(client.callsOf('loadBackbone')).toHaveLength(3));
    await user.click(within(await offer()).getByRole('button', { name: 'Replace the earlier “shapes”' }));
    await waitFor(() => expect(screen.queryByRole('status', { name: /already kept/ })).toBeNull());
    await waitFor(async () => expect(await saved()).toEqual(['shapes', 'shapes (2)']));
    expect(storedOptions()).toEqual(['shapes', 'shapes (2)']);
    const replaced = (await page.models.list()).find((m) => m.name === 'shapes')!;
    expect(replaced.id).not.toBe(earlier.id);
    expect(await page.models.get(earlier.id)).toBeUndefined();
    // The backbone in use is the import, now under the earlier one's name.
    expect(screen.getByText(/input 32×32×3/)).toHaveTextContent(/^shapes: input/);
    expect(screen.getByRole('combobox', { name: 'Backbone' })).toHaveValue(`stored:${replaced.id}`);
    // The worker holds one backbone at a time: each earlier one was let go.
    expect(client.callsOf('disposeBackbone')).toHaveLength(2);
  });

  it('says why picked files are not a model, and keeps the backbone it had', async () => {
    const page = await renderPage();
    await page.importModel();
    await screen.findByText(/input 32×32×3/);
    // model.json without its weight file.
    await page.importModel([modelFiles('other.json')[0]]);
    expect(
      await screen.findByText('The weight file "group1-shard1of1.bin" listed in other.json is missing; choose other.json together with every weight file it lists, all at once.'),
    ).toHaveAttribute('role', 'alert');
    expect(screen.getByText(/input 32×32×3/)).toHaveTextContent(/^shapes: input/);
    expect(page.client.callsOf('loadBackbone')).toHaveLength(1);
    expect((await page.models.list()).map((m) => m.name)).toEqual(['shapes']);
  });

  it('refuses to adapt with one class and says why; fits, estimates accuracy with its interval, chance and backbone; marks both stale when the classes change and refits on classifying', async () => {
    const page = await renderPage();
    const { user, client } = page;
    await page.addClass('cats');
    await page.addFiles('cats', Array.from({ length: 8 }, (_, i) => imageFile(`cat${i + 1}.png`, 100 + i)));
    await page.importModel();
    await screen.findByText(/input 32×32×3/);
    const adapt = screen.getByRole('button', { name: 'Adapt to my classes' });
    expect(adapt).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Estimate accuracy' })).toBeDisabled();
    expect(screen.getByText('Add a second class: a classifier needs at least two classes to choose between (there is only "cats").')).toBeInTheDocument();

    await page.addClass('dogs');
    expect(adapt).toBeDisabled();
    expect(screen.getByText(/^Class "dogs" has no image yet/)).toBeInTheDocument();
    await page.addFiles('dogs', Array.from({ length: 7 }, (_, i) => imageFile(`dog${i + 1}.png`, 200 + i)));
    expect(adapt).toBeEnabled();
    expect(screen.queryByText(/Add a second class/)).toBeNull();

    await user.click(adapt);
    expect(await screen.findByText(/^Ready:/)).toHaveTextContent('Ready: nearest prototype on 8 features (output of dense), for cats (8), dogs (7).');
    const fits = client.callsOf('fitClassifier');
    expect(fits).toHaveLength(1);
    expect(fits[0]).toMatchObject({ kind: 'prototype', backboneId: client.callsOf('loadBackbone')[0].backboneId });
    expect(fits[0].classes.map((c) => [c.name, c.images.length])).toEqual([['cats', 8], ['dogs', 7]]);

    await user.click(screen.getByRole('button', { name: 'Estimate accuracy' }));
    // Right or wrong per image: Wilson's interval, with the count it comes from.
    expect(await screen.findByText('Leave-one-out accuracy: 93.3% (95% CI 70.2% to 98.8%; 14 of 15 right)')).toBeInTheDocument();
    expect(client.callsOf('estimateAccuracy')[0].protocol).toEqual({ kind: 'leaveOneOut' });
    const details = screen.getByText(/chance is/);
    // The time includes computing the features; the line above names backbone, layer, scaling and classifier.
    expect(details).toHaveTextContent(
      'leave-one-out over 15 images of 2 classes (each classified from the other 14); chance is 50.0%. Took 0.4 s, of which 0.3 s computing features of 15 images (0.020 s per image).',
    );
    expect(screen.getByText(/^Backbone: /)).toHaveTextContent('Backbone: shapes · feature layer dense · pixels scaled 0 to 1 · classifier: nearest prototype.');
    expect(details).toHaveTextContent('With this few images the interval is wide');
    // The model said nothing about its scaling: both were tried on the images before fitting.
    expect(client.callsOf('compareInputRanges')).toHaveLength(1);
    // The winner is saved with the model, so it is not asked again after a reload.
    await waitFor(async () => expect((await page.models.list()).find((m) => m.origin === 'file')?.inputRange).toBe('0,1'));
    expect(screen.getByText(/^Input scaling:/)).toHaveTextContent(
      'Input scaling: this model does not say how its pixels are scaled, so both were tried on your 15 images (leave-one-out, nearest prototype): 0 to 1 got 14 right, -1 to 1 10; using 0 to 1 (4 more right).',
    );
    // Calibration next to accuracy: ECE before and after, from the 15 images, and a reliability diagram.
    expect(screen.getByText(/^Calibration: expected calibration error/)).toHaveTextContent(/raw → \d+\.\d% calibrated \(temperature \d+\.\d\d, fitted on 15 of your images \(leave-one-out/);
    expect(screen.getByRole('img', { name: /^Reliability diagram: / })).toBeInTheDocument();
    // The confusion matrix: per-class accuracy, a cell's images on click, the mistakes by confidence.
    const matrix = screen.getByRole('table', { name: /Confusion matrix/ });
    expect(within(matrix).getByRole('row', { name: /^dogs/ })).toHaveTextContent('86% (6 of 7)');
    expect(within(matrix).getByRole('row', { name: /^cats/ })).toHaveTextContent('100% (8 of 8)');
    await user.click(within(matrix).getByRole('button', { name: '1 image of dogs predicted as cats' }));
    const cell = screen.getByRole('region', { name: 'Images of dogs predicted as cats' });
    expect(cell).toHaveTextContent(/dog1\.pngtrue: dogs; predicted: cats at \d+%/);
    expect(within(matrix).getByRole('button', { name: '1 image of dogs predicted as cats' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(matrix).getByRole('button', { name: '0 images of cats predicted as dogs' })).toBeDisabled();
    expect(screen.getByText('1 of 15 images classified wrong, the most confident mistakes first')).toBeInTheDocument();
    expect(screen.queryByText(/Your classes changed since/)).toBeNull();

    // The classes change: the classifier and the estimate are marked stale.
    await page.addFiles('cats', [imageFile('cat9.png', 109)]);
    expect(screen.getByText(/^Ready:/)).toHaveTextContent('Your classes changed since: classifying adapts again.');
    expect(details).toHaveTextContent('Your classes changed since this estimate.');

    // Classifying fits again on the classes as they are now.
    await user.upload(screen.getByLabelText('Classify image'), imageFile('query.png', 109));
    await screen.findByText(/Most likely:/);
    expect(client.callsOf('fitClassifier')).toHaveLength(2);
    expect(client.callsOf('fitClassifier')[1].classes.map((c) => c.images.length)).toEqual([9, 7]);
    expect(screen.getByText(/^Ready:/)).toHaveTextContent('Ready: nearest prototype on 8 features (output of dense), for cats (9), dogs (7).');
    expect(screen.queryByText(/classifying adapts again/)).toBeNull();
    expect(client.callsOf('classify')[0].classifierId).toBe(client.callsOf('fitClassifier')[1].classifierId);
  });

  it('classifies an image: the most likely class with its probability and a meter per class', async () => {
    const page = await renderPage();
    const { user, client } = page;
    expect(screen.getByLabelText('Classify image')).toBeDisabled();
    expect(screen.getByText('Pick a backbone and add your classes first.')).toBeInTheDocument();
    await page.ready();
    const picker = screen.getByLabelText('Classify image');
    expect(picker).toBeEnabled();

    // One of the dogs' own images: the scripted classifier recognises it.
    await user.upload(picker, imageFile('which.png', 203));
    const headline = await screen.findByText(/Most likely:/);
    expect(headline).toHaveTextContent(`Most likely: dogs (${(100 * TOP_PROBABILITY).toFixed(1)}%)`);
    expect(client.callsOf('fitClassifier')).toHaveLength(1); // fitted on the way, as none was
    expect([...client.callsOf('classify')[0].images[0]]).toEqual([...pngBytes(203)]);
    // The result names its file; the probabilities are calibrated on the 15 images and say so.
    expect(screen.getByText('which.png')).toBeInTheDocument();
    const bars = screen.getByRole('list', { name: 'Calibrated class probabilities' });
    expect(screen.getByText(/^Calibrated probabilities \(temperature \d+\.\d\d, fitted on your own images\)/)).toBeInTheDocument();
    const meters = within(bars).getAllByRole('meter');
    expect(meters.map((m) => m.getAttribute('aria-label'))).toEqual(['dogs probability', 'cats probability']);
    expect(screen.getByRole('meter', { name: 'dogs probability' })).toHaveAttribute('aria-valuenow', '87.5');
    expect(screen.getByRole('meter', { name: 'cats probability' })).toHaveAttribute('aria-valuenow', '12.5');
    expect(within(bars).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['dogs87.5%', 'cats12.5%']);
    const shown = screen.getByRole('img', { name: 'The image being classified: which.png' });
    const firstUrl = shown.getAttribute('src')!;
    expect(liveUrls.has(firstUrl)).toBe(true);

    // Another image: the classifier is reused (the classes did not change), the old picture let go.
    await user.upload(picker, imageFile('another.png', 104));
    await waitFor(() => expect(screen.getByText(/Most likely:/)).toHaveTextContent('Most likely: cats (87.5%)'));
    expect(client.callsOf('fitClassifier')).toHaveLength(1);
    expect(client.callsOf('classify')).toHaveLength(2);
    expect(liveUrls.has(firstUrl)).toBe(false);
    expect(screen.getByRole('img', { name: 'The image being classified: another.png' }).getAttribute('src')).not.toBe(firstUrl);
    expect(client.callsOf('classify')[1].names).toEqual(['another.png']);
  });

  it('says "not sure" with the runner-up below halfway between chance and certainty, and classifies a batch into a sortable table saved as CSV', async () => {
    const page = await renderPage();
    const { user, client } = page;
    await page.ready();
    // Three classes: "not sure" below (1 + 1/3) / 2 = 66.7%; the scripted 87.5% is sure, 60% is not.
    await page.addClass('birds');
    await page.addFiles('birds', [imageFile('bird1.png', 300), imageFile('bird2.png', 301)]);
    await user.upload(screen.getByLabelText('Classify image'), imageFile('which.png', 203));
    expect(await screen.findByText(/Most likely:/)).toHaveTextContent('Most likely: dogs (87.5%)');
    client.topProbability = 0.6;
    await user.upload(screen.getByLabelText('Classify image'), imageFile('unclear.png', 300));
    await waitFor(() => expect(screen.getByText(/^Not sure:/)).toHaveTextContent('Not sure: birds (60.0%) or cats (20.0%)'));
    expect(screen.getByText('unclear.png')).toBeInTheDocument();

    // A batch: a zip with two images and a text file, and a loose image; the text file is listed, the rest classified.
    const zip = zipSync({ 'a/dog.png': pngBytes(203), 'a/notes.txt': new TextEncoder().encode('hello') });
    client.topProbability = 0.875;
    await user.upload(screen.getByLabelText('Classify a zip or images'), [new File([zip], 'photos.zip', { type: 'application/zip' }), imageFile('cat.png', 100)]);
    const table = await screen.findByRole('table', { name: /Classified images/ });
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual(['cat.pngcats87.5%sure', 'photos/a/dog.pngdogs87.5%sure']);
    expect(screen.getByText('1 file skipped')).toBeInTheDocument();
    expect(screen.getByText(/photos\/a\/notes\.txt: /)).toBeInTheDocument();
    expect(client.callsOf('classify').at(-1)!.names).toEqual(['cat.png', 'photos/a/dog.png']);
    // Sorting by top class, descending on a second press.
    const sortTop = within(table).getByRole('button', { name: 'Top class' });
    await user.click(sortTop);
    expect(within(table).getByRole('columnheader', { name: 'Top class' })).toHaveAttribute('aria-sort', 'ascending');
    await user.click(sortTop);
    expect(within(table).getByRole('columnheader', { name: /Top class/ })).toHaveAttribute('aria-sort', 'descending');
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.querySelector('th')!.textContent)).toEqual(['photos/a/dog.png', 'cat.png']);
    const blobs = new Map<string, Blob>();
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob: Blob | MediaSource) => {
      const url = `blob:saved-${blobs.size}`;
      blobs.set(url, blob as Blob);
      return url;
    });
    const saved: Array<{ name: string; href: string }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
    await user.click(screen.getByRole('button', { name: 'Save table as CSV' }));
    expect(saved.map((d) => d.name)).toEqual(['classified-images.csv']);
    const csv = { text: await blobs.get(saved[0].href)!.text() };
    expect(csv.text.split('\r\n')[0]).toBe('file,top_class,probability,not_sure,runner_up,runner_up_probability,p(cats),p(dogs),p(birds)');
    expect(csv.text.split('\r\n')[1]).toMatch(/^photos\/a\/dog\.png,dogs,0\.8750,no,cats,0\.0625,0\.0625,0\.8750,0\.0625$/);
  });

  it('exports the classifier: downloads it, keeps it in the browser under Backbone, replaces one of the same name only when asked, and loads it back ready to classify', async () => {
    const page = await renderPage();
    const { user, client } = page;
    await page.ready();
    const exportButton = screen.getByRole('button', { name: 'Export model' });
    expect(exportButton).toBeDisabled();
    expect(screen.getByText(/Adapt to your classes first \(step 3\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Adapt to my classes' }));
    await screen.findByText(/^Ready:/);
    expect(exportButton).toBeEnabled();

    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    await user.type(screen.getByLabelText('Model name'), 'pets classifier');
    await user.click(exportButton);
    expect(await screen.findByText(/^Saved "pets classifier" in this browser/)).toHaveTextContent(
      'Saved "pets classifier" in this browser (pick it under Backbone to use it again) and downloaded its files.',
    );
    const exports = client.callsOf('exportClassifier');
    expect(exports).toHaveLength(1);
    expect(exports[0]).toEqual({ type: 'exportClassifier', classifierId: client.callsOf('fitClassifier')[0].classifierId, name: 'pets classifier' });
    expect(downloads).toEqual(['pets-classifier.json', 'group1-shard1of1.bin']);
    const exported = () => screen.queryAllByRole('option', { name: /\(exported classifier, / });
    expect(exported().map((o) => o.textContent)).toEqual([expect.stringMatching(/^pets classifier \(exported classifier, /)]);
    await waitFor(async () => expect((await page.models.list()).filter((m) => m.origin === 'exported').map((m) => m.name)).toEqual(['pets classifier']));
    const first = (await page.models.list()).find((m) => m.origin === 'exported')!;
    checkModelFiles((await page.models.get(first.id))!.files); // what is kept is a loadable model

    // The same name again: nothing is replaced without asking; the new one is kept as "pets
    // classifier (2)" and the page offers to replace the earlier one with it.
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    await user.click(exportButton);
    await screen.findByText(/^Saved "pets classifier \(2\)" in this browser/);
    const offer = screen.getByRole('status', { name: /already kept a model named “pets classifier”/ });
    expect(offer).toHaveAccessibleName('This browser already kept a model named “pets classifier”, so the new one was kept beside it as “pets classifier (2)”. Nothing was replaced.');
    expect(client.callsOf('exportClassifier')).toHaveLength(2);
    expect(exported().map((o) => o.textContent!.replace(/ \(exported.*$/, '')).sort()).toEqual(['pets classifier', 'pets classifier (2)']);
    const second = (await page.models.list()).find((m) => m.name === 'pets classifier (2)')!;
    await user.click(within(offer).getByRole('button', { name: 'Replace the earlier “pets classifier”' }));
    await waitFor(() => expect(exported()).toHaveLength(1));
    expect(exported()[0]).toHaveTextContent(/^pets classifier \(exported classifier, /);
    await waitFor(async () => expect((await page.models.list()).filter((m) => m.origin === 'exported').map((m) => [m.id, m.name])).toEqual([[second.id, 'pets classifier']]));
    expect(await page.models.get(first.id)).toBeUndefined();

    // Picked under Backbone, the exported classifier is ready at once: nothing to fit.
    await user.selectOptions(screen.getByRole('combobox', { name: 'Backbone' }), exported()[0]);
    expect(await screen.findByText(/This is a classifier exported from Few-Shot Lab for cats, dogs/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Adapt to my classes' })).toBeDisabled();
    await user.upload(screen.getByLabelText('Classify image'), imageFile('query.png', 1));
    await screen.findByText(/Most likely:/);
    expect(client.callsOf('fitClassifier')).toHaveLength(1);
    expect(client.callsOf('classify').at(-1)!.classifierId).toBe(client.callsOf('loadBackbone').at(-1)!.backboneId + '/exported');
  });

  it('exports a classifier of the classes as they are now: after the classes changed, exporting fits again first', async () => {
    const page = await renderPage();
    const { user, client } = page;
    await page.ready();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await user.click(screen.getByRole('button', { name: 'Adapt to my classes' }));
    await screen.findByText(/^Ready:/);
    // "dogs" goes, "birds" comes: the page says the classifier is out of date.
    await user.click(screen.getByRole('button', { name: 'Delete class dogs' }));
    await user.click(within(screen.getByRole('group', { name: /^Delete dogs/ })).getByRole('button', { name: 'Delete for good' }));
    await page.addClass('birds');
    await page.addFiles('birds', [imageFile('bird1.png', 300)]);
    expect(screen.getByText(/^Ready:/)).toHaveTextContent('Your classes changed since');
    await user.click(screen.getByRole('button', { name: 'Export model' }));
    await screen.findByText(/^Saved "My images classifier" in this browser/);
    // What is exported must be the classes the page shows (as classifying does), not the old ones.
    expect(client.callsOf('fitClassifier')).toHaveLength(2);
    expect(client.callsOf('exportClassifier')[0].classifierId).toBe(client.callsOf('fitClassifier')[1].classifierId);
    const [kept] = await page.models.list();
    const meta = ((await page.models.get(kept.id))!.files.modelJson as { userDefinedMetadata: { fewShotLab: { classes: string[] } } }).userDefinedMetadata.fewShotLab;
    expect(meta.classes).toEqual(['cats', 'birds']);
  });

  it('replacing the earlier model while it is the backbone in use switches to the import, so the Backbone control still shows a kept model', async () => {
    const page = await renderPage();
    const { user } = page;
    await page.importModel();
    await screen.findByText(/input 32×32×3/);
    await page.importModel();
    await screen.findByRole('status', { name: /already kept a model/ });
    await waitFor(() => expect(screen.getByText(/input 32×32×3/)).toHaveTextContent(/^shapes \(2\): input/));
    // The user goes back to the earlier one, then accepts the offer to replace it.
    const earlier = (await page.models.list()).find((m) => m.name === 'shapes')!;
    await user.selectOptions(screen.getByRole('combobox', { name: 'Backbone' }), `stored:${earlier.id}`);
    await waitFor(() => expect(screen.getByText(/input 32×32×3/)).toHaveTextContent(/^shapes: input/));
    await user.click(screen.getByRole('button', { name: 'Replace the earlier “shapes”' }));
    await waitFor(async () => expect((await page.models.list()).map((m) => m.name)).toEqual(['shapes']));
    const [kept] = await page.models.list();
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Backbone' })).toHaveValue(`stored:${kept.id}`));
    expect(screen.getByRole('button', { name: 'Delete model shapes' })).toBeInTheDocument();
  });

  it('without storage, says images last for this visit only, and adding classes and images still works in memory', async () => {
    // A browser that refuses IndexedDB outright (file://, some private windows).
    const refusing = {
      open() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const page = await renderPage({ factory: refusing });
    const warning = screen.getByText(/Your images work for this visit but are not kept after a reload\./);
    expect(warning).toHaveAttribute('role', 'alert');
    expect(warning).toHaveTextContent('cannot be kept in this browser (opening the database failed: SecurityError: The operation is insecure.)');

    await page.addClass('cats');
    await page.addClass('dogs');
    await page.addFiles('cats', [imageFile('cat1.png', 1), imageFile('cat2.png', 2)]);
    expect(within(classCard('cats')).getAllByRole('img').map((img) => img.getAttribute('alt'))).toEqual(['cats: cat1.png', 'cats: cat2.png']);
    expect(screen.getByText(/My images: 2 classes, 2 images, kept in this browser for this visit only\./)).toBeInTheDocument();
    // Nothing pretends to have saved, and nothing failed loudly.
    expect(screen.queryByText(/could not be saved/)).toBeNull();
    expect(page.store.getState().storage).toBe('unavailable');
  });

  it('when saving fails, keeps the images on the page and says they were not saved', async () => {
    const factory = new IDBFactory();
    const real = createOwnDatasetStore({ factory });
    const failing: OwnDatasetStore = { ...real, put: async () => Promise.reject(new Error("The browser's storage for this site is full (QuotaExceededError).")) };
    const page = await renderPage({ factory, datasets: failing });
    await page.addClass('cats');
    expect(classCard('cats')).toBeInTheDocument();
    expect(await screen.findByText(/^Your images are shown but could not be saved in the browser: The browser's storage for this site is full/)).toHaveAttribute(
      'role',
      'alert',
    );
    expect(await real.list()).toEqual([]);
  });
});
