// Backbone models on the page (src/ui/models): the pretrained catalog, downloading model.json and
// its weight files with a fake fetch (progress to the manifest's exact total, weight paths
// relative to model.json, HTTP errors, offline, truncated and short files, cancel), the IndexedDB
// cache of the pretrained model (the second load uses no network), and model files picked from
// disk. Nothing here touches the network.
import 'fake-indexeddb/auto'; // IDB globals (IDBRequest, ...) that idb's wrappers check against
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ModelFilesError } from '../../../src/core/features/modelFiles';
import { loadPretrainedModel } from '../../../src/ui/models/loadPretrained';
import { ModelDownloadError, downloadModelFiles } from '../../../src/ui/models/modelDownload';
import { createModelStore } from '../../../src/ui/models/modelStore';
import { modelFilesFromPicked } from '../../../src/ui/models/pickedModelFiles';
import {
  MOBILENET_V1_025_224,
  MOBILENET_V2_100_224,
  MOBILENET_V3_LARGE_100_224,
  PRETRAINED_MODELS,
  approximateSize,
  pretrainedModel,
  type PretrainedModel,
} from '../../../src/ui/models/pretrainedModels';
import { modelNameOf } from '../../../src/ui/state/ownImagesStore';
import { batchCsv } from '../../../src/ui/userData/batchCsv';
import { chunked, fakeFetch, ok, text, tinyModelJson, tinyShards, type Route } from './helpers';

const BASE = 'https://models.example.test/tiny';
const MODEL_URL = `${BASE}/model.json`;

function routes(overrides: Record<string, Route> = {}): Record<string, Route> {
  const [a, b] = tinyShards();
  return {
    [MODEL_URL]: () => ok(text(JSON.stringify(tinyModelJson()))),
    [`${BASE}/group1-shard1of2.bin`]: () => ok(a),
    [`${BASE}/group1-shard2of2.bin`]: () => ok(b),
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('the pretrained catalog', () => {
  it('offers MobileNet v1 0.25 224 from its official TensorFlow.js address, with what to know before downloading', () => {
    expect(PRETRAINED_MODELS).toContain(MOBILENET_V1_025_224);
    expect(MOBILENET_V1_025_224).toMatchObject({
      url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
      format: 'layers',
      featureLayer: 'conv_pw_13_relu',
      inputRange: '-1,1',
      inputShape: [224, 224, 3],
      licence: 'Apache-2.0',
    });
    expect(MOBILENET_V1_025_224.paper.url).toBe('https://arxiv.org/abs/1704.04861');
    expect(approximateSize(MOBILENET_V1_025_224)).toBe('about 1.9 MB');
    expect(pretrainedModel(MOBILENET_V1_025_224.id)).toBe(MOBILENET_V1_025_224);
    expect(pretrainedModel('nope')).toBeUndefined();
  });

  it('offers MobileNet v2 and v3 large from their official TF Hub addresses (graph models, pixels 0 to 1), strongest first and recommended', () => {
    expect(PRETRAINED_MODELS.map((m) => m.id)).toEqual([MOBILENET_V3_LARGE_100_224.id, MOBILENET_V2_100_224.id, MOBILENET_V1_025_224.id]);
    expect(PRETRAINED_MODELS.filter((m) => m.recommended)).toEqual([MOBILENET_V3_LARGE_100_224]);
    expect([...PRETRAINED_MODELS].sort((a, b) => b.imagenetTop1 - a.imagenetTop1)).toEqual([...PRETRAINED_MODELS]);
    expect(MOBILENET_V2_100_224).toMatchObject({
      url: 'https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2/model.json?tfjs-format=file',
      format: 'graph',
      featureLayer: 'module_apply_default/MobilenetV2/Logits/AvgPool',
      inputRange: '0,1',
      inputShape: [224, 224, 3],
    });
    expect(MOBILENET_V3_LARGE_100_224).toMatchObject({
      url: 'https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v3_large_100_224/feature_vector/5/default/1/model.json?tfjs-format=file',
      format: 'graph',
      featureLayer: null,
      inputRange: '0,1',
    });
    expect(approximateSize(MOBILENET_V3_LARGE_100_224)).toBe('about 17.0 MB');
  });
});

describe('names and tables', () => {
  const file = (path: string) => ({ path, read: async () => new Uint8Array(0) });
  it('names a picked model after its file, its folder, its own name, or a telling weight file', () => {
    expect(modelNameOf([file('shapes.json'), file('shapes.weights.bin')])).toBe('shapes');
    expect(modelNameOf([file('mobilenet/model.json')])).toBe('mobilenet');
    const keras = { modelTopology: { model_config: { class_name: 'Functional', config: { name: 'mobilenetv2_1.00_224' } } } };
    expect(modelNameOf([file('model.json'), file('group1-shard1of3.bin')], keras)).toBe('mobilenetv2_1.00_224');
    expect(modelNameOf([file('model.json'), file('flowers.weights.bin')], {})).toBe('flowers');
    expect(modelNameOf([file('model.json'), file('group1-shard1of1.bin')], {})).toBe('model');
  });

  it('writes a batch as RFC 4180 CSV, quoting what needs it and defusing formulas', () => {
    const rows = [
      { name: 'a, "b".jpg', probabilities: [0.25, 0.75], top: 1, runnerUp: 0, notSure: false },
      { name: '=cmd.png', probabilities: [0.6, 0.4], top: 0, runnerUp: 1, notSure: true },
    ];
    expect(batchCsv(rows, ['cats', 'dogs'])).toBe(
      'file,top_class,probability,not_sure,runner_up,runner_up_probability,p(cats),p(dogs)\r\n' +
        '"a, ""b"".jpg",dogs,0.7500,no,cats,0.2500,0.2500,0.7500\r\n' +
        "'=cmd.png,cats,0.6000,yes,dogs,0.4000,0.6000,0.4000\r\n",
    );
  });
});

describe('downloadModelFiles', () => {
  it('fetches model.json, then each weight file relative to it, with progress rising to the exact manifest total', async () => {
    const fetch = fakeFetch(routes());
    const progress: Array<[number, number]> = [];
    const files = await downloadModelFiles(MODEL_URL, { fetch, onProgress: (done, total) => progress.push([done, total]) });
    expect(fetch.calls).toEqual([MODEL_URL, `${BASE}/group1-shard1of2.bin`, `${BASE}/group1-shard2of2.bin`]);
    expect(files.modelJson).toEqual(tinyModelJson());
    expect(files.weights.map((w) => w.path)).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect(files.weights.map((w) => Array.from(w.bytes))).toEqual(tinyShards().map((s) => Array.from(s)));
    expect(progress[0]).toEqual([0, 40]);
    expect(progress.length).toBeGreaterThan(4);
    expect(progress.every(([, total]) => total === 40)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    expect(progress.at(-1)).toEqual([40, 40]);
  });

  it("keeps model.json's query on every weight file, as TensorFlow.js does for TF Hub (?tfjs-format=file)", async () => {
    const [a, b] = tinyShards();
    const hub = 'https://tfhub.example.test/google/model/1';
    const fetch = fakeFetch({
      [`${hub}/model.json?tfjs-format=file`]: () => ok(text(JSON.stringify(tinyModelJson()))),
      [`${hub}/group1-shard1of2.bin?tfjs-format=file`]: () => ok(a),
      [`${hub}/group1-shard2of2.bin?tfjs-format=file`]: () => ok(b),
    });
    const files = await downloadModelFiles(`${hub}/model.json?tfjs-format=file`, { fetch });
    expect(fetch.calls).toEqual([`${hub}/model.json?tfjs-format=file`, `${hub}/group1-shard1of2.bin?tfjs-format=file`, `${hub}/group1-shard2of2.bin?tfjs-format=file`]);
    expect(files.weights.map((w) => w.path)).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  });

  it('resolves weight paths in sub-folders and works without a body stream or Content-Length', async () => {
    const [a, b] = tinyShards();
    const json = tinyModelJson(['weights/a.bin', '../shared/b.bin']);
    const fetch = fakeFetch({
      [MODEL_URL]: () => new Response(JSON.stringify(json)),
      [`${BASE}/weights/a.bin`]: () => new Response(a as BodyInit),
      'https://models.example.test/shared/b.bin': () => new Response(chunked(b)),
    });
    const files = await downloadModelFiles(MODEL_URL, { fetch });
    expect(files.weights.map((w) => w.path)).toEqual(['weights/a.bin', '../shared/b.bin']);
  });

  it('reports an HTTP error with its status, for model.json and for a weight file', async () => {
    const missing = await rejection(downloadModelFiles(MODEL_URL, { fetch: fakeFetch({}) }));
    expect(missing).toBeInstanceOf(ModelDownloadError);
    expect(missing).toMatchObject({ kind: 'http', status: 404 });
    expect(missing.message).toBe(
      'The model could not be downloaded: models.example.test answered HTTP 404 Not Found for model.json. The file is not at that address (any more); check the address.',
    );
    const busy = await rejection(
      downloadModelFiles(MODEL_URL, {
        fetch: fakeFetch(routes({ [`${BASE}/group1-shard2of2.bin`]: () => new Response('', { status: 503, statusText: 'Service Unavailable' }) })),
      }),
    );
    expect(busy.message).toBe(
      'The model could not be downloaded: models.example.test answered HTTP 503 Service Unavailable for group1-shard2of2.bin. The server is busy or failing; try again later.',
    );
  });

  it('says "network error" when the server cannot be reached', async () => {
    const error = await rejection(
      downloadModelFiles(MODEL_URL, {
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      }),
    );
    expect(error).toMatchObject({ kind: 'network' });
    expect(error.message).toBe('The model could not be downloaded from models.example.test (network error, fetching model.json). Check your connection and try again.');
  });

  it('rejects a weight file cut short (fewer bytes than its Content-Length)', async () => {
    const [a] = tinyShards();
    const cut = () =>
      new Response(chunked(a.slice(0, 10)), { status: 200, headers: { 'Content-Length': String(a.length) } });
    const error = await rejection(downloadModelFiles(MODEL_URL, { fetch: fakeFetch(routes({ [`${BASE}/group1-shard1of2.bin`]: cut })) }));
    expect(error).toMatchObject({ kind: 'truncated' });
    expect(error.message).toBe(
      'The download of group1-shard1of2.bin from models.example.test was cut short (10 of 24 bytes). Check your connection and try again.',
    );
  });

  it('rejects weight files that do not add up to the manifest, even when each is whole by HTTP', async () => {
    const [, b] = tinyShards();
    const short = b.slice(0, 12);
    const error = await rejection(
      downloadModelFiles(MODEL_URL, { fetch: fakeFetch(routes({ [`${BASE}/group1-shard2of2.bin`]: () => ok(short) })) }),
    );
    expect(error).toMatchObject({ kind: 'truncated' });
    expect(error.message).toBe(
      'The weight files from models.example.test hold 36 bytes but model.json lists 40; the download was cut short or the files changed on the server. Try again.',
    );
  });

  it('rejects something that is not a model.json, saying what to check', async () => {
    const page = await rejection(
      downloadModelFiles(MODEL_URL, { fetch: fakeFetch(routes({ [MODEL_URL]: () => ok(text('<!doctype html><p>Sign in')) })) }),
    );
    expect(page).toMatchObject({ kind: 'invalid' });
    expect(page.message).toBe(
      'What models.example.test sent for model.json is not JSON (a sign-in or error page?); check the address, or your connection, and try again.',
    );
    const notModel = await rejection(downloadModelFiles(MODEL_URL, { fetch: fakeFetch(routes({ [MODEL_URL]: () => ok(text('{"hello":1}')) })) }));
    expect(notModel).toMatchObject({ kind: 'invalid' });
    expect(notModel.message).toMatch(/^The model from models\.example\.test cannot be used: model\.json has no "weightsManifest" list/);
  });

  it('rejects with "Download cancelled." when aborted before or during the download', async () => {
    const early = await rejection(downloadModelFiles(MODEL_URL, { fetch: fakeFetch(routes()), signal: AbortSignal.abort() }));
    expect(early).toMatchObject({ kind: 'cancelled', message: 'Download cancelled.' });
    const controller = new AbortController();
    const during = await rejection(
      downloadModelFiles(MODEL_URL, {
        fetch: fakeFetch(routes()),
        signal: controller.signal,
        onProgress: (done) => {
          if (done > 0) controller.abort();
        },
      }),
    );
    expect(during).toMatchObject({ kind: 'cancelled', message: 'Download cancelled.' });
  });
});

describe('loadPretrainedModel', () => {
  const tiny: PretrainedModel = { ...MOBILENET_V1_025_224, id: 'pretrained:tiny', name: 'Tiny', url: MODEL_URL, featureLayer: 'dense_1' };

  it('downloads and keeps the model under its catalog id; the second load (offline) comes from IndexedDB', async () => {
    const store = createModelStore({ factory: new IDBFactory() });
    const online = fakeFetch(routes());
    const first = await loadPretrainedModel(tiny, { fetch: online, store });
    expect(online.calls).toHaveLength(3);
    expect(first).toMatchObject({ id: 'pretrained:tiny', name: 'Tiny', origin: 'pretrained', layer: 'dense_1', inputRange: '-1,1' });
    expect(await store.get('pretrained:tiny')).toEqual(first);

    const offline = Object.assign(
      async () => {
        throw new TypeError('fetch failed');
      },
      { calls: [] },
    ) as unknown as typeof fetch;
    const progress: Array<[number, number]> = [];
    const second = await loadPretrainedModel(tiny, { fetch: offline, store, onProgress: (d, t) => progress.push([d, t]) });
    expect(second).toEqual(first);
    expect(progress).toEqual([[40, 40]]);
  });

  it('downloads again when the kept copy is damaged, and still returns the model when it cannot be kept', async () => {
    const store = createModelStore({ factory: new IDBFactory() });
    const first = await loadPretrainedModel(tiny, { fetch: fakeFetch(routes()), store });
    await store.put({ ...first, files: { ...first.files, weights: first.files.weights.slice(0, 1) } });
    const fetch = fakeFetch(routes());
    expect((await loadPretrainedModel(tiny, { fetch, store })).files.weights).toHaveLength(2);
    expect(fetch.calls).toHaveLength(3);

    const cacheErrors: unknown[] = [];
    const broken = createModelStore({
      factory: {
        open: () => {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      } as unknown as IDBFactory,
    });
    const model = await loadPretrainedModel(tiny, { fetch: fakeFetch(routes()), store: broken, onCacheError: (e) => cacheErrors.push(e) });
    expect(model.files.weights).toHaveLength(2);
    expect(cacheErrors).toHaveLength(2); // the read and the write
  });
});

describe('modelFilesFromPicked', () => {
  const picked = (name: string, bytes: Uint8Array) => ({ name, read: async () => bytes });
  const [a, b] = tinyShards();
  const json = text(JSON.stringify(tinyModelJson()));

  it('takes model.json and the weight files it lists, ignoring other files', async () => {
    const files = await modelFilesFromPicked([
      picked('README.md', text('hi')),
      picked('group1-shard2of2.bin', b),
      picked('model.json', json),
      picked('group1-shard1of2.bin', a),
      picked('other.bin', a),
    ]);
    expect(files.modelJson).toEqual(tinyModelJson());
    expect(files.weights.map((w) => [w.path, w.bytes.length])).toEqual([
      ['group1-shard1of2.bin', 24],
      ['group1-shard2of2.bin', 16],
    ]);
  });

  it('accepts browser Files and a single .json of another name', async () => {
    const files = await modelFilesFromPicked([
      new File([json as BlobPart], 'tiny.json'),
      new File([a as BlobPart], 'group1-shard1of2.bin'),
      new File([b as BlobPart], 'group1-shard2of2.bin'),
    ]);
    expect(files.weights).toHaveLength(2);
  });

  it('says what is missing or wrong', async () => {
    const message = async (files: Array<{ name: string; read(): Promise<Uint8Array> }>) => {
      const error = await rejection(modelFilesFromPicked(files));
      expect(error).toBeInstanceOf(ModelFilesError);
      return error.message;
    };
    expect(await message([picked('group1-shard1of2.bin', a)])).toBe(
      'No model.json among the chosen files; choose the model.json of a TensorFlow.js model together with its weight files (.bin), all at once.',
    );
    expect(await message([picked('a.json', json), picked('b.json', json)])).toBe(
      "Several .json files were chosen (a.json, b.json); choose one model's model.json with its weight files (.bin).",
    );
    expect(await message([picked('model.json', json)])).toBe(
      'The weight files "group1-shard1of2.bin", "group1-shard2of2.bin" listed in model.json are missing; choose model.json together with every weight file it lists, all at once.',
    );
    expect(await message([picked('model.json', json), picked('group1-shard1of2.bin', a)])).toBe(
      'The weight file "group1-shard2of2.bin" listed in model.json is missing; choose model.json together with every weight file it lists, all at once.',
    );
    expect(await message([picked('model.json', text('{oops'))])).toBe(
      'model.json is not valid JSON; choose the model.json file TensorFlow.js saved (it may be damaged).',
    );
    // A shard of the wrong size: checkModelFiles says so.
    expect(await message([picked('model.json', json), picked('group1-shard1of2.bin', a), picked('group1-shard2of2.bin', a)])).toMatch(
      /weights take 40 bytes but the weight files hold 48/,
    );
    // With several .json files, the one named model.json is chosen.
    const files = await modelFilesFromPicked([picked('labels.json', text('[]')), picked('model.json', json), picked('group1-shard1of2.bin', a), picked('group1-shard2of2.bin', b)]);
    expect(files.weights).toHaveLength(2);
  });
});
