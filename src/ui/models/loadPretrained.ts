// A pretrained catalog model, from IndexedDB when it was downloaded before (no network, so it works
// offline), else downloaded, kept under its catalog id and returned. A cache that cannot be read
// or written (private browsing, a full disk) is no reason to fail: the model is still returned and
// the caller is told, so it can say the model will not be there offline.
import { checkModelFiles } from '../../core/features/modelFiles';
import { downloadModelFiles, type ModelDownloadOptions } from './modelDownload';
import { type ModelRecord, type ModelStore, createModelStore, modelRecord } from './modelStore';
import type { PretrainedModel } from './pretrainedModels';

export interface LoadPretrainedOptions extends ModelDownloadOptions {
  /** Where models are kept (tests pass one on a fake-indexeddb factory). Default: the page's. */
  store?: ModelStore;
  /** Told when the cache could not be read or written; the model is still returned. */
  onCacheError?: (error: unknown) => void;
}

export async function loadPretrainedModel(model: PretrainedModel, options: LoadPretrainedOptions = {}): Promise<ModelRecord> {
  const store = options.store ?? createModelStore();
  let cached: ModelRecord | undefined;
  try {
    cached = await store.get(model.id);
  } catch (error) {
    options.onCacheError?.(error);
  }
  if (cached && usable(cached)) {
    const bytes = cached.files.weights.reduce((n, w) => n + w.bytes.length, 0);
    // Reported once, complete, so a progress bar shown for the request fills rather than hangs.
    options.onProgress?.(bytes, bytes);
    return cached;
  }
  const files = await downloadModelFiles(model.url, options);
  // A model whose output is its feature vector keeps no layer: the worker uses the output.
  const record = modelRecord(model.name, 'pretrained', files, { id: model.id, layer: model.featureLayer ?? undefined, inputRange: model.inputRange });
  try {
    await store.put(record);
  } catch (error) {
    options.onCacheError?.(error);
  }
  return record;
}

/** Whether a kept copy is whole (a damaged one is downloaded again rather than failing in the worker). */
function usable(record: ModelRecord): boolean {
  try {
    checkModelFiles(record.files);
    return true;
  } catch {
    return false;
  }
}
