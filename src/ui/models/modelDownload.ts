// Downloading a TensorFlow.js model from its address: model.json first, checked, then each weight
// file the manifest lists (fetched relative to model.json's address, as TensorFlow.js does), one at
// a time, streamed with progress against the exact total the manifest gives. Every failure says
// what happened and what to do (offline, an HTTP status, a file cut short); the files are checked
// whole (checkModelFiles) before they are returned. No tfjs: the worker loads the files.
import { ModelFilesError, checkModelFiles, expectedWeightPaths, weightByteSize, type WeightSpec } from '../../core/features/modelFiles';
import type { ModelFiles } from '../../worker/ownImagesProtocol';

export type ModelDownloadErrorKind = 'network' | 'http' | 'truncated' | 'invalid' | 'cancelled';

export class ModelDownloadError extends Error {
  constructor(
    readonly kind: ModelDownloadErrorKind,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelDownloadError';
    this.status = options.status;
  }
  readonly status?: number;
}

export const DOWNLOAD_CANCELLED = 'Download cancelled.';

export interface ModelDownloadOptions {
  /** Stand-in for the browser's fetch (tests; never the network there). */
  fetch?: typeof fetch;
  /** After model.json and after every received chunk: weight bytes so far, weight bytes in total. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** Fetches model.json at `url` and every weight file it lists; rejects with a ModelDownloadError. */
export async function downloadModelFiles(url: string, options: ModelDownloadOptions = {}): Promise<ModelFiles> {
  const { signal, onProgress } = options;
  // A wrapper, not `fetch` itself: browsers reject a detached fetch called with another `this`.
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const host = hostOf(url);
  if (signal?.aborted) throw cancelled(signal.reason);

  const jsonBytes = await fetchFile(fetchImpl, url, 'model.json', host, signal);
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch (error) {
    throw new ModelDownloadError(
      'invalid',
      `What ${host} sent for model.json is not JSON (a sign-in or error page?); check the address, or your connection, and try again.`,
      { cause: error },
    );
  }
  let paths: string[];
  let total: number;
  try {
    paths = expectedWeightPaths(modelJson);
    total = manifestBytes(modelJson);
  } catch (error) {
    throw invalid(host, error);
  }
  onProgress?.(0, total);

  const weights: ModelFiles['weights'] = [];
  let done = 0;
  for (const path of paths) {
    let weightUrl: string;
    try {
      const base = new URL(url, globalThis.location?.href);
      const weight = new URL(path, base);
      // TF Hub serves files only with its query (model.json?tfjs-format=file): TensorFlow.js
      // appends model.json's query to every weight path (tfjs-core io/http.ts), and so does this.
      if (weight.search === '' && base.search !== '') weight.search = base.search;
      weightUrl = weight.href;
    } catch (error) {
      throw new ModelDownloadError('invalid', `model.json lists the weight file "${path}", which is not a usable address; the model cannot be downloaded.`, {
        cause: error,
      });
    }
    const bytes = await fetchFile(fetchImpl, weightUrl, path, host, signal, (received) =>
      onProgress?.(done + received, Math.max(total, done + received)),
    );
    done += bytes.length;
    weights.push({ path, bytes });
  }
  if (done !== total) {
    throw new ModelDownloadError(
      'truncated',
      `The weight files from ${host} hold ${done.toLocaleString('en-US')} bytes but model.json lists ${total.toLocaleString('en-US')}; the download was cut short or the files changed on the server. Try again.`,
    );
  }
  const files: ModelFiles = { modelJson, weights };
  try {
    checkModelFiles(files);
  } catch (error) {
    throw invalid(host, error);
  }
  return files;
}

/** Bytes of all weights the manifest lists (the manifest already checked by expectedWeightPaths). */
function manifestBytes(modelJson: unknown): number {
  const manifest = (modelJson as { weightsManifest: Array<{ weights: WeightSpec[] }> }).weightsManifest;
  return manifest.reduce((sum, group) => sum + group.weights.reduce((n, spec) => n + weightByteSize(spec), 0), 0);
}

/** One file, streamed; `onBytes` gets the bytes of this file received so far. */
async function fetchFile(
  fetchImpl: typeof fetch,
  url: string,
  what: string,
  host: string,
  signal: AbortSignal | undefined,
  onBytes?: (received: number) => void,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal });
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw cancelled(error);
    const offline = (globalThis as { navigator?: Navigator }).navigator?.onLine === false;
    throw new ModelDownloadError(
      'network',
      offline
        ? `The model cannot be downloaded: this browser is offline. Connect to the internet and try again (once downloaded, the model works offline).`
        : `The model could not be downloaded from ${host} (network error, fetching ${what}). Check your connection and try again.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => undefined);
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const advice =
      response.status === 404 || response.status === 410
        ? 'The file is not at that address (any more); check the address.'
        : response.status === 401 || response.status === 403
          ? 'The server does not let this page fetch it.'
          : response.status === 429 || response.status >= 500
            ? 'The server is busy or failing; try again later.'
            : 'Try again later.';
    throw new ModelDownloadError('http', `The model could not be downloaded: ${host} answered ${status} for ${what}. ${advice}`, {
      status: response.status,
    });
  }
  // With a content coding, Content-Length counts encoded bytes: no use as a completeness check.
  const coding = response.headers.get('content-encoding');
  const lengthHeader = response.headers.get('content-length');
  const expected = (!coding || coding.toLowerCase() === 'identity') && lengthHeader && /^\s*\d+\s*$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const cutShort = (received: number, cause?: unknown) =>
    new ModelDownloadError(
      'truncated',
      `The download of ${what} from ${host} was cut short (${received.toLocaleString('en-US')}${expected !== null ? ` of ${expected.toLocaleString('en-US')}` : ''} bytes). Check your connection and try again.`,
      { cause },
    );

  const chunks: Uint8Array[] = [];
  let received = 0;
  if (!response.body) {
    try {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      received = whole.length;
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw cancelled(error);
      throw cutShort(received, error);
    }
    onBytes?.(received);
  } else {
    const reader = response.body.getReader();
    // fetch aborts its own stream, but a stand-in fetch might ignore the signal: cancel the reader too.
    const onAbort = () => void reader.cancel().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (error) {
          if (signal?.aborted || isAbortError(error)) throw cancelled(error);
          throw cutShort(received, error);
        }
        if (signal?.aborted) throw cancelled(signal.reason);
        if (step.done) break;
        chunks.push(step.value);
        received += step.value.length;
        onBytes?.(received);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
  if (signal?.aborted) throw cancelled(signal.reason);
  if (expected !== null && received < expected) throw cutShort(received);
  if (expected !== null && received > expected) {
    throw new ModelDownloadError('truncated', `${host} sent more of ${what} than it announced (${received} of ${expected} bytes); try again.`);
  }
  if (chunks.length === 1) return chunks[0].byteLength === chunks[0].buffer.byteLength ? chunks[0] : chunks[0].slice();
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function invalid(host: string, error: unknown): ModelDownloadError {
  const reason = error instanceof ModelFilesError ? error.message : String(error);
  return new ModelDownloadError('invalid', `The model from ${host} cannot be used: ${reason}`, { cause: error });
}

function cancelled(cause?: unknown): ModelDownloadError {
  return new ModelDownloadError('cancelled', DOWNLOAD_CANCELLED, { cause });
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function hostOf(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).host || 'the server';
  } catch {
    return 'the server';
  }
}
