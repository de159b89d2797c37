// Shared pieces of the "your own images" tests: images made at test time, a Node stand-in for the
// browser's prepareImage (real PNG and JPEG decoding, so a broken file really fails), files as
// ingestFiles takes them, deterministic ids, a tiny TensorFlow.js model, and a fake fetch that
// serves it (nothing here touches the network).
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import type { PrepareImage, UserFile } from '../../../src/ui/userData/ingest';
import { NOT_AN_IMAGE, UNDECODABLE, UnusableImageError, sniffImageType } from '../../../src/ui/userData/imageFormat';
import type { ModelFiles } from '../../../src/worker/ownImagesProtocol';
import { encodeGreyPng, encodeJpeg, greyPicture } from '../fixtures/images';

/** A small PNG whose picture depends on `seed`, so different images have different bytes. */
export function png(seed: number, width = 12, height = 10): Uint8Array {
  return encodeGreyPng(width, height, greyPicture(width, height, [{ top: seed % height, left: seed % width, bottom: height, right: width }]));
}

export function jpeg(seed: number, width = 16, height = 8): Uint8Array {
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7 + seed * 13) % 256);
  return encodeJpeg(width, height, rgb);
}

/** "RIFF....WEBP" and nothing decodable: enough for sniffing. */
export const WEBP_HEADER = new Uint8Array([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);

/** PNG's signature followed by junk: sniffs as a PNG, cannot be decoded. */
export const BROKEN_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

export const text = (s: string) => new TextEncoder().encode(s);

/** prepareImage as Node can do it: decodes PNG and JPEG for real, keeps the bytes (all test images are small). */
export const nodePrepare: PrepareImage = async (bytes) => {
  const type = sniffImageType(bytes);
  if (!type) throw new UnusableImageError(NOT_AN_IMAGE);
  try {
    if (type === 'image/png') {
      const image = PNG.sync.read(Buffer.from(bytes));
      return { bytes, type, width: image.width, height: image.height };
    }
    if (type === 'image/jpeg') {
      const image = decodeJpeg(bytes, { useTArray: true });
      return { bytes, type, width: image.width, height: image.height };
    }
  } catch (error) {
    throw new UnusableImageError(UNDECODABLE, { cause: error });
  }
  return { bytes, type, width: 1, height: 1 };
};

/** Files as ingestFiles takes them; a path ending in '/' is a folder. */
export function userFiles(entries: Record<string, Uint8Array | null>): UserFile[] {
  return Object.entries(entries).map(([path, bytes]) => ({
    path,
    read: async () => {
      if (!bytes) throw new Error('gone');
      return bytes;
    },
  }));
}

/** Ids "id-1", "id-2", ... and a clock at 1000, 2000, ... */
export function deterministic() {
  let id = 0;
  let time = 0;
  return { newId: () => `id-${++id}`, now: () => (time += 1000) };
}

// ---- A tiny TensorFlow.js layers model: one Dense layer, 4 -> 2, weights in two files. ----

export const KERNEL = new Float32Array([0.5, -1, 2, 0.25, -0.75, 1.5, 3, -2]);
export const BIAS = new Float32Array([0.1, -0.2]);

export function tinyModelJson(paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin']): Record<string, unknown> {
  return {
    format: 'layers-model',
    generatedBy: 'test',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'tiny',
        layers: [{ class_name: 'Dense', config: { name: 'dense_1', units: 2, batch_input_shape: [null, 4] } }],
      },
    },
    weightsManifest: [
      {
        paths,
        weights: [
          { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ],
  };
}

/** The 40 weight bytes, split 24 + 16 over the two shards. */
export function tinyShards(): [Uint8Array, Uint8Array] {
  const all = new Uint8Array(40);
  all.set(new Uint8Array(KERNEL.buffer), 0);
  all.set(new Uint8Array(BIAS.buffer), 32);
  return [all.slice(0, 24), all.slice(24)];
}

export function tinyModelFiles(): ModelFiles {
  const [a, b] = tinyShards();
  return { modelJson: tinyModelJson(), weights: [{ path: 'group1-shard1of2.bin', bytes: a }, { path: 'group1-shard2of2.bin', bytes: b }] };
}

/** A body sent in `pieces` chunks, so the reader sees several reads. */
export function chunked(bytes: Uint8Array, pieces = 3): ReadableStream<Uint8Array> {
  const step = Math.max(1, Math.ceil(bytes.length / pieces));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + step));
      at += step;
    },
  });
}

export type Route = (url: string) => Response | Promise<Response>;

/** A fetch that answers from `routes` by full URL (unknown ones 404) and records every request. */
export function fakeFetch(routes: Record<string, Route>): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const route = routes[url];
    return route ? route(url) : new Response('not found', { status: 404, statusText: 'Not Found' });
  };
  return Object.assign(impl as typeof fetch, { calls });
}

/** A 200 response with Content-Length, streamed in pieces. */
export function ok(bytes: Uint8Array, pieces = 3): Response {
  return new Response(chunked(bytes, pieces), { status: 200, headers: { 'Content-Length': String(bytes.length) } });
}
