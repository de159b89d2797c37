// What the "Your images" slices share besides the state: the injected deps, the clock and ids, the
// backbone the worker holds, and tools that more than one slice uses (the current image set and
// saving it, saving a new model without replacing one unasked). Made once per store.
import type { StateCreator } from 'zustand/vanilla';
import type { BackboneSource } from '../../../worker/ownImagesProtocol';
import type { ModelRecord, ModelSummary } from '../../models/modelStore';
import { pretrainedModel } from '../../models/pretrainedModels';
import type { OwnDatasetRecord } from '../../userData/ownDataset';
import { sameName } from '../../userData/ownDataset';
import { NameConflictError, nextFreeName } from '../../userData/savedRecords';
import type { OwnImagesDeps, OwnImagesState } from './types';

export interface OwnImagesEnv {
  deps: OwnImagesDeps;
  now(): number;
  /** A new id with this prefix, unique in this store. */
  nextId(prefix: string): string;
  /** The backbone the worker holds (one at a time). */
  loaded: string | null;
}

export function ownImagesEnv(deps: OwnImagesDeps): OwnImagesEnv {
  const now = deps.now ?? (() => Date.now());
  let counter = 0;
  return { deps, now, nextId: (prefix) => `${prefix}-${now().toString(36)}-${++counter}`, loaded: null };
}

/** A slice of the "Your images" store, made with the store's env. */
export type OwnImagesSlice<T> = StateCreator<OwnImagesState, [], [], T>;
export type SetState = Parameters<OwnImagesSlice<unknown>>[0];
export type GetState = Parameters<OwnImagesSlice<unknown>>[1];

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name` when no name in `taken` is the same (ignoring case), else the stores' "name (2)", "name (3)", ... */
export function freeName(name: string, taken: readonly string[]): string {
  return taken.some((t) => sameName(t, name)) ? nextFreeName(name, taken) : name;
}

export const summaryOf = ({ files: _files, ...summary }: ModelRecord): ModelSummary => summary;

/**
 * What the worker loads for a kept model. A catalog model's scaling is its publisher's (unless the
 * user changed it), and its recommended layer may be the model's own output (a feature-vector model).
 */
export const sourceOfRecord = (model: ModelRecord): BackboneSource => {
  const catalog = model.origin === 'pretrained' ? pretrainedModel(model.id) : undefined;
  const fromPublisher = catalog !== undefined && model.inputRange === catalog.inputRange;
  return {
    kind: 'model',
    name: model.name,
    files: model.files,
    // A catalog model whose recommended layer is its output: no layer unless the user picked one.
    layer: catalog && catalog.featureLayer === null && model.layer === undefined ? undefined : model.layer,
    inputRange: model.inputRange,
    ...(fromPublisher && { inputRangeFrom: 'publisher' as const }),
    ...(catalog?.featureLayer === null && { recommendOutput: true }),
    ...(catalog?.featureLayer && { recommendLayer: catalog.featureLayer }),
  };
};

/**
 * Saves something new the way that never replaces unasked: `save` refuses a taken name with a
 * NameConflictError; then it is saved under a free name (`keepBoth`) and `onKept` is told both.
 */
export async function keepingBoth<T extends { id: string; name: string }>(
  save: () => Promise<T>,
  keepBoth: () => Promise<T>,
  onKept: (conflict: NameConflictError, kept: T) => void,
): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (!(error instanceof NameConflictError)) throw error;
    const kept = await keepBoth();
    onKept(error, kept);
    return kept;
  }
}

/** The tools several slices use, bound to one store's set and get. */
export function ownImagesTools(env: OwnImagesEnv, set: SetState, get: GetState) {
  const { deps } = env;
  const current = () => get().datasets.find((d) => d.id === get().datasetId) ?? null;

  /** Replaces the current dataset (or adds it) and saves it; what was there stays if saving fails. */
  const saveDataset = async (dataset: OwnDatasetRecord) => {
    const stamped = { ...dataset, updatedAt: Math.max(env.now(), dataset.updatedAt + 1) };
    set((s) => ({
      datasets: s.datasets.some((d) => d.id === stamped.id) ? s.datasets.map((d) => (d.id === stamped.id ? stamped : d)) : [stamped, ...s.datasets],
      datasetId: stamped.id,
    }));
    if (get().storage !== 'ready') return;
    try {
      await deps.datasets.put(stamped);
    } catch (error) {
      set({ datasetMessage: `Your images are shown but could not be saved in the browser: ${message(error)}` });
    }
  };

  /**
   * Saves a new model. A name the browser already keeps (its store decides) gets a number, "x (2)",
   * and the user is offered to replace the earlier one instead; nothing is replaced unasked.
   */
  const saveNewModel = async (model: ModelRecord): Promise<ModelRecord> => {
    let record = model;
    try {
      record = await keepingBoth(
        () => deps.models.saveNew(model).then((r) => r.model),
        () => deps.models.saveNew(model, { onConflict: 'keepBoth' }).then((r) => r.model),
        (conflict, kept) => set({ replaceOffer: { what: 'model', name: conflict.takenName, keptAs: kept.name, earlierId: conflict.existingId, importedId: kept.id } }),
      );
    } catch (error) {
      set({ notice: `The model is in use but could not be saved in the browser: ${message(error)}` });
    }
    const saved = record;
    set((s) => ({ models: [summaryOf(saved), ...s.models.filter((m) => m.id !== saved.id)] }));
    return saved;
  };

  /** Whether the classifier must be fitted (again): none yet, or the classes changed since. */
  const needsFreshClassifier = () => {
    const c = get().classifier;
    return c.status !== 'done' || !c.result || (c.datasetVersion !== undefined && c.datasetVersion !== current()?.updatedAt);
  };

  return { current, saveDataset, saveNewModel, needsFreshClassifier };
}
