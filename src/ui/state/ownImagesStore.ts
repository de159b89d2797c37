// The store of the "Your images" page (zustand): the user's datasets (kept in IndexedDB), the
// backbone in use (a pretrained MobileNet downloaded on request, a TensorFlow.js model imported from
// disk, or a run trained in the playground), the few-shot classifier fitted on the user's classes,
// its accuracy estimate, the last classification, and exports. The worker client, the storage and
// the download are injected, so the actions are tested without a browser and run for real on the page.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ComputeClient } from '../../worker/client';
import { DEFAULT_HEAD } from '../../worker/ownImagesProtocol';
import type {
  AccuracyEstimate,
  AccuracyProtocol,
  BackboneSource,
  BackboneSummary,
  Classification,
  ClassifierKind,
  ClassifierSummary,
  HeadSettings,
  InputRange,
  ModelFiles,
} from '../../worker/ownImagesProtocol';
import type { WorkerEvent } from '../../worker/protocol';
import type { OwnDatasetRecord } from '../userData/ownDataset';
import {
  addClass,
  addImages,
  createDataset,
  deleteClass,
  deleteImage,
  datasetProblems,
  mergeClasses,
  renameClass,
  sameName,
  toOwnClasses,
} from '../userData/ownDataset';
import type { IngestedClass, PrepareImage, UserFile } from '../userData/ingest';
import { ingestFiles } from '../userData/ingest';
import { datasetFromZip } from '../userData/datasetZip';
import { pretrainedModel, type PretrainedModel } from '../models/pretrainedModels';
import { modelFilesBytes, type ModelRecord, type ModelStore, type ModelSummary } from '../models/modelStore';
import type { OwnDatasetStore } from '../userData/ownDatasetStore';
import { NameConflictError, nextFreeName } from '../userData/savedRecords';
import type { PlaygroundStore } from './store';
import { runConfigOf } from './runConfig';
import type { SavedTensors } from '../../core/nn/params';
import { isActive, isRunLive } from './selectors';

export type OwnImagesClient = Pick<
  ComputeClient,
  'loadBackbone' | 'disposeBackbone' | 'fitClassifier' | 'estimateAccuracy' | 'classify' | 'exportClassifier' | 'on'
>;

export interface OwnImagesDeps {
  client: OwnImagesClient;
  /** IndexedDB: the user's datasets (src/ui/userData) and models (src/ui/models). */
  datasets: Pick<OwnDatasetStore, 'list' | 'get' | 'put' | 'delete' | 'saveImported'>;
  models: Pick<ModelStore, 'list' | 'get' | 'put' | 'delete' | 'saveNew'>;
  prepare: PrepareImage;
  /** A pretrained model from the browser's store, or downloaded (progress in bytes) and kept. */
  loadPretrained(model: PretrainedModel, options: { onProgress: (done: number, total: number) => void; signal: AbortSignal }): Promise<ModelRecord>;
  /** Model files picked from disk (model.json and its weights), checked. */
  readModelFiles(files: UserFile[]): Promise<ModelFiles>;
  /** The playground, for its trained runs (backbones of kind 'run'). */
  playground: PlaygroundStore;
  /** The kept trained states of runs of earlier visits (src/ui/history/runHistory.ts). */
  runStates?: { getRunState(runId: string): Promise<SavedTensors | undefined> };
  now?: () => number;
}

/** Which backbone the user picked: a pretrained model, a stored model, or a run of this visit. */
export type BackboneChoice = { kind: 'pretrained'; id: string } | { kind: 'stored'; id: string } | { kind: 'run'; runId: string };

export interface BackboneState {
  choice: BackboneChoice | null;
  status: 'none' | 'downloading' | 'loading' | 'ready' | 'error';
  progress?: { done: number; total: number; what: string };
  summary?: BackboneSummary;
  message?: string;
}

/**
 * An import whose name was taken: it is kept beside the earlier one under a numbered name (nothing
 * is replaced, nothing blocks), and the user may still choose to replace the earlier one with it.
 */
export interface ReplaceOffer {
  what: 'dataset' | 'model';
  /** The name both had. */
  name: string;
  /** The name the import was kept under, e.g. "shapes (2)". */
  keptAs: string;
  /** The earlier record and the import. */
  earlierId: string;
  importedId: string;
}

export interface Task<T> {
  status: 'idle' | 'working' | 'done' | 'error';
  result?: T;
  message?: string;
  /** The dataset version (updatedAt) the result was made from; older results are marked stale. */
  datasetVersion?: number;
}

/** A playground run that can serve as a backbone: one of this visit, or one whose trained state was kept. */
export interface TrainedRun {
  id: string;
  name: string;
  datasetLabel: string;
  /** Its trained state is in this page's worker (else it is rebuilt from the kept state). */
  live: boolean;
}

export interface OwnImagesState {
  /** Finished image runs of this visit (their trained state is in the worker). */
  trainedRuns: TrainedRun[];
  storage: 'loading' | 'ready' | 'unavailable';
  storageMessage?: string;
  datasets: OwnDatasetRecord[];
  datasetId: string | null;
  /** Problems of the last files added (per file), and of any action on the dataset. */
  fileProblems: string[];
  datasetMessage?: string;
  reading: { done: number; total: number } | null;
  /** Models kept in the browser (without their files). */
  models: ModelSummary[];
  backbone: BackboneState;
  classifierKind: ClassifierKind;
  head: HeadSettings;
  classifier: Task<ClassifierSummary>;
  estimate: Task<AccuracyEstimate>;
  classification: Task<Classification> & { imageUrl?: string };
  replaceOffer: ReplaceOffer | null;
  notice: string | null;

  start(): Promise<void>;
  newDataset(name: string): Promise<void>;
  selectDataset(id: string): void;
  deleteDataset(id: string): Promise<void>;
  /** Resolves true when the class was added (a refused name is said in datasetMessage). */
  addClass(name: string): Promise<boolean>;
  renameClass(classId: string, name: string): Promise<void>;
  deleteClass(classId: string): Promise<void>;
  deleteImage(classId: string, imageId: string): Promise<void>;
  /** Files dropped, picked or captured; with classId all go into that class, else by folder. */
  addFiles(files: UserFile[], classId?: string): Promise<void>;
  /** A zip in the <class>/<image> layout, imported as a new image set named after the file (a taken name: "name (2)", with the offer to replace). */
  importZip(fileName: string, bytes: Uint8Array): Promise<void>;
  chooseBackbone(choice: BackboneChoice): Promise<void>;
  cancelDownload(): void;
  setFeatureLayer(layer: string): Promise<void>;
  setInputRange(range: InputRange): Promise<void>;
  importModel(files: UserFile[]): Promise<void>;
  deleteModel(id: string): Promise<void>;
  setClassifierKind(kind: ClassifierKind): void;
  setHead(patch: Partial<HeadSettings>): void;
  adapt(): Promise<void>;
  estimateAccuracy(protocol: AccuracyProtocol): Promise<void>;
  classify(bytes: Uint8Array, imageUrl?: string): Promise<void>;
  /** Exports the classifier (refitted first if the classes changed): kept in the browser and returned as files to download. */
  exportModel(name: string): Promise<ModelFiles | null>;
  /** Answers the replace offer: the import takes the earlier one's place, or both stay. */
  resolveReplaceOffer(choice: 'replace' | 'keepBoth'): Promise<void>;
  dismissNotice(): void;
}

export type OwnImagesStore = StoreApi<OwnImagesState>;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name` when no name in `taken` is the same (ignoring case), else the stores' "name (2)", "name (3)", ... */
export function freeName(name: string, taken: readonly string[]): string {
  return taken.some((t) => sameName(t, name)) ? nextFreeName(name, taken) : name;
}

/** Runs that can serve as backbones: image runs whose training ended in this visit, or whose state was kept. */
export function backboneRuns(playground: PlaygroundStore): TrainedRun[] {
  const state = playground.getState();
  return state.runs
    .filter((r) => r.setup.dataset !== 'sinusoid' && !isActive(r) && r.points.length > 0)
    .filter((r) => isRunLive(state, r.id) || state.keptStateIds.includes(r.id))
    .map((r) => ({ id: r.id, name: r.name, datasetLabel: r.datasetLabel, live: isRunLive(state, r.id) }));
}

function sameRuns(a: TrainedRun[], b: TrainedRun[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i].id && r.name === b[i].name && r.datasetLabel === b[i].datasetLabel && r.live === b[i].live);
}


export function createOwnImagesStore(deps: OwnImagesDeps): OwnImagesStore {
  const now = deps.now ?? (() => Date.now());
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}-${now().toString(36)}-${++counter}`;
  let download: AbortController | null = null;
  /** The backbone the worker holds (one at a time). */
  let loaded: string | null = null;

  const store = createStore<OwnImagesState>()((set, get) => {
    const current = () => get().datasets.find((d) => d.id === get().datasetId) ?? null;

    /** Replaces the current dataset (or adds it) and saves it; what was there stays if saving fails. */
    const saveDataset = async (dataset: OwnDatasetRecord) => {
      const stamped = { ...dataset, updatedAt: Math.max(now(), dataset.updatedAt + 1) };
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

    /** Runs an edit of the current dataset; an edit the data model refuses is said, nothing changes. */
    const editDataset = async (edit: (d: OwnDatasetRecord) => OwnDatasetRecord): Promise<boolean> => {
      const dataset = current();
      if (!dataset) return false;
      let next: OwnDatasetRecord;
      try {
        next = edit(dataset);
      } catch (error) {
        set({ datasetMessage: message(error) });
        return false;
      }
      set({ datasetMessage: undefined });
      await saveDataset(next);
      return true;
    };

    /** Resolves once the playground has a compute backend (the page may still be choosing one). */
    const backendReady = () =>
      new Promise<void>((resolve, reject) => {
        const check = (): boolean => {
          const { backendStatus, backendMessage } = deps.playground.getState();
          if (backendStatus === 'ready') resolve();
          else if (backendStatus === 'error') reject(new Error(`No compute backend: ${(backendMessage ?? 'none could start').replace(/\.$/, '')}. Pick another Backend on the Playground tab.`));
          else return false;
          return true;
        };
        if (check()) return;
        const off = deps.playground.subscribe(() => {
          if (check()) off();
        });
      });

    const loadIntoWorker = async (source: BackboneSource, choice: BackboneChoice) => {
      if (loaded) {
        const previous = loaded;
        loaded = null;
        void deps.client.disposeBackbone(previous).catch(() => undefined);
      }
      const backboneId = nextId('backbone');
      set((s) => ({ backbone: { ...s.backbone, choice, status: 'loading', message: undefined, progress: undefined } }));
      try {
        await backendReady();
        const summary = await deps.client.loadBackbone(backboneId, source);
        loaded = backboneId;
        const kind = summary.classifiers.includes(get().classifierKind) ? get().classifierKind : summary.classifiers[0];
        set({
          backbone: { choice, status: 'ready', summary },
          classifierKind: kind ?? get().classifierKind,
          classifier: summary.classifier ? { status: 'done', result: summary.classifier } : { status: 'idle' },
          estimate: { status: 'idle' },
          classification: { status: 'idle' },
        });
      } catch (error) {
        set({ backbone: { choice, status: 'error', message: message(error) }, classifier: { status: 'idle' } });
      }
    };

    const sourceOfRecord = (model: ModelRecord): BackboneSource => ({
      kind: 'model',
      name: model.name,
      files: model.files,
      layer: model.layer,
      inputRange: model.inputRange,
    });

    const summaryOf = ({ files: _files, ...summary }: ModelRecord): ModelSummary => summary;

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

    /** A kept model with a changed setting (layer, input range): saved, then loaded again. */
    const reloadWith = async (patch: Partial<Pick<ModelRecord, 'layer' | 'inputRange'>>) => {
      const { choice } = get().backbone;
      if (!choice || choice.kind === 'run') return;
      const model = await deps.models.get(choice.id).catch(() => undefined);
      if (!model) return;
      const updated = { ...model, ...patch };
      set((s) => ({ models: s.models.map((m) => (m.id === updated.id ? summaryOf(updated) : m)) }));
      await deps.models.put(updated).catch(() => undefined);
      await loadIntoWorker(sourceOfRecord(updated), choice);
    };

    const needsFreshClassifier = () => {
      const c = get().classifier;
      return c.status !== 'done' || !c.result || (c.datasetVersion !== undefined && c.datasetVersion !== current()?.updatedAt);
    };

    const onEvent = (event: WorkerEvent | { type: 'restarted' }) => {
      if (event.type === 'featureProgress' && loaded === event.backboneId) {
        set((s) => ({ backbone: { ...s.backbone, progress: { done: event.done, total: event.total, what: event.what } } }));
      }
      if (event.type === 'restarted') {
        // The worker's classifiers were lost with it; the backbone is reloaded by the client.
        if (get().classifier.status === 'done' && !get().backbone.summary?.classifier) set({ classifier: { status: 'idle' } });
      }
    };

    return {
      trainedRuns: backboneRuns(deps.playground),
      storage: 'loading',
      datasets: [],
      datasetId: null,
      fileProblems: [],
      reading: null,
      models: [],
      backbone: { choice: null, status: 'none' },
      classifierKind: 'prototype',
      head: DEFAULT_HEAD,
      classifier: { status: 'idle' },
      estimate: { status: 'idle' },
      classification: { status: 'idle' },
      replaceOffer: null,
      notice: null,

      async start() {
        deps.client.on(onEvent);
        // Datasets are small (downscaled photos): all are read, so switching between them is instant.
        const readAll = async () => (await Promise.all((await deps.datasets.list()).map((d) => deps.datasets.get(d.id)))).filter((d) => d !== undefined);
        const [datasets, models] = await Promise.allSettled([readAll(), deps.models.list()]);
        if (datasets.status === 'rejected') {
          set({
            storage: 'unavailable',
            storageMessage: `${message(datasets.reason)} Your images work for this visit but are not kept after a reload.`,
          });
        } else {
          const sorted = [...datasets.value].sort((a, b) => b.updatedAt - a.updatedAt);
          set({ storage: 'ready', datasets: sorted, datasetId: sorted[0]?.id ?? null });
        }
        if (models.status === 'fulfilled') set({ models: models.value });
      },

      async newDataset(name) {
        const trimmed = name.trim() || 'My images';
        await saveDataset(createDataset(freeName(trimmed, get().datasets.map((d) => d.name))));
        set({ fileProblems: [] });
      },

      selectDataset(id) {
        set({ datasetId: id, fileProblems: [], datasetMessage: undefined, estimate: { status: 'idle' }, classification: { status: 'idle' } });
      },

      async deleteDataset(id) {
        set((s) => {
          const datasets = s.datasets.filter((d) => d.id !== id);
          return { datasets, datasetId: s.datasetId === id ? (datasets[0]?.id ?? null) : s.datasetId };
        });
        if (get().storage === 'ready') {
          try {
            await deps.datasets.delete(id);
          } catch (error) {
            set({ datasetMessage: message(error) });
          }
        }
      },

      async addClass(name) {
        if (!current()) await get().newDataset('My images');
        // No name given: "Class 1", "Class 2", ... (the first free one), to be renamed at leisure.
        const taken = current()!.classes.map((c) => c.name.toLowerCase());
        let n = current()!.classes.length + 1;
        while (taken.includes(`class ${n}`)) n++;
        return editDataset((d) => addClass(d, name.trim() || `Class ${n}`));
      },

      async renameClass(classId, name) {
        await editDataset((d) => renameClass(d, classId, name));
      },
      async deleteClass(classId) {
        await editDataset((d) => deleteClass(d, classId));
      },
      async deleteImage(classId, imageId) {
        await editDataset((d) => deleteImage(d, classId, imageId));
      },

      async addFiles(files, classId) {
        if (!current()) await get().newDataset('My images');
        const dataset = current()!;
        const intoClass = classId ? dataset.classes.find((c) => c.id === classId)?.name : undefined;
        set({ reading: { done: 0, total: files.length }, fileProblems: [], datasetMessage: undefined });
        try {
          const ingested = await ingestFiles(files, deps.prepare, {
            intoClass,
            onProgress: (done: number, total: number) => set({ reading: { done, total } }),
          });
          const latest = current() ?? dataset;
          const added = classId ? addIngested(latest, classId, ingested.classes) : mergeClasses(latest, ingested.classes);
          set({ fileProblems: [...ingested.problems, ...added.problems] });
          await saveDataset(added.dataset);
        } catch (error) {
          set({ datasetMessage: message(error) });
        } finally {
          set({ reading: null });
        }
      },

      async importZip(fileName, bytes) {
        set({ reading: { done: 0, total: 0 }, fileProblems: [], datasetMessage: undefined });
        let imported: Awaited<ReturnType<typeof datasetFromZip>>;
        try {
          imported = await datasetFromZip(bytes, fileName, deps.prepare, { onProgress: (done: number, total: number) => set({ reading: { done, total } }) });
        } catch (error) {
          set({ datasetMessage: message(error), reading: null });
          return;
        }
        const { dataset, problems } = imported;
        set({ reading: null, fileProblems: problems });
        if (dataset.classes.length === 0) {
          set({ datasetMessage: `${fileName} holds no image in a class folder; nothing was imported. Expected <class>/<image> inside.` });
          return;
        }
        const elsewhere = () => saveDataset({ ...dataset, name: freeName(dataset.name, get().datasets.map((d) => d.name)) });
        if (get().storage !== 'ready') {
          await elsewhere();
          return;
        }
        // A name the browser already keeps: kept beside the earlier set as "name (2)", with the offer to replace it.
        try {
          const saved = await keepingBoth(
            () => deps.datasets.saveImported(dataset).then((r) => r.dataset),
            () => deps.datasets.saveImported(dataset, { onConflict: 'keepBoth' }).then((r) => r.dataset),
            (conflict, kept) => set({ replaceOffer: { what: 'dataset', name: conflict.takenName, keptAs: kept.name, earlierId: conflict.existingId, importedId: kept.id } }),
          );
          set((s) => ({ datasets: [saved, ...s.datasets.filter((d) => d.id !== saved.id)], datasetId: saved.id }));
        } catch (error) {
          await elsewhere();
          set({ datasetMessage: `Your images are shown but could not be saved in the browser: ${message(error)}` });
        }
      },

      async chooseBackbone(choice) {
        download?.abort();
        if (choice.kind === 'run') {
          // A run is known to the user by its name in the history, not by its id.
          const run = get().trainedRuns.find((r) => r.id === choice.runId);
          const name = run && `${run.name} (${run.datasetLabel})`;
          if (!run || run.live) {
            await loadIntoWorker({ kind: 'run', runId: choice.runId, name }, choice);
            return;
          }
          // An earlier visit's run: its dataset is loaded in the worker, and the run rebuilt from its kept state.
          set({ backbone: { choice, status: 'loading' } });
          const stored = deps.playground.getState().runs.find((r) => r.id === run.id)!;
          const [summary, state] = await Promise.all([
            backendReady().then(() => deps.playground.getState().loadDataset(stored.setup.dataset)),
            deps.runStates?.getRunState(run.id).catch(() => undefined),
          ]);
          if (!summary || !state) {
            const why = !summary
              ? deps.playground.getState().datasets[stored.setup.dataset]?.message ?? `its dataset (${stored.setup.dataset}) could not be loaded`
              : 'its trained state is no longer in this browser';
            set({ backbone: { choice, status: 'error', message: `${run.name} cannot be used: ${why}` } });
            return;
          }
          await loadIntoWorker({ kind: 'run', runId: run.id, name, restore: { config: runConfigOf(stored.setup), state } }, choice);
          return;
        }
        if (choice.kind === 'stored') {
          const model = await deps.models.get(choice.id).catch(() => undefined);
          if (!model) {
            set({ backbone: { choice, status: 'error', message: 'This model is no longer in the browser; import it again.' } });
            return;
          }
          await loadIntoWorker(sourceOfRecord(model), choice);
          return;
        }
        const pretrained = pretrainedModel(choice.id);
        if (!pretrained) return;
        const controller = new AbortController();
        download = controller;
        // From the browser's store when kept there; otherwise downloaded now, the user having asked.
        set({ backbone: { choice, status: 'downloading', progress: { done: 0, total: pretrained.approximateBytes, what: 'bytes' } } });
        let model: ModelRecord;
        try {
          model = await deps.loadPretrained(pretrained, {
            signal: controller.signal,
            onProgress: (done, total) => set((s) => ({ backbone: { ...s.backbone, progress: { done, total, what: 'bytes' } } })),
          });
        } catch (error) {
          const aborted = controller.signal.aborted;
          set({ backbone: { choice, status: aborted ? 'none' : 'error', message: aborted ? 'Download cancelled; nothing was kept.' : message(error) } });
          return;
        } finally {
          if (download === controller) download = null;
        }
        const kept = model;
        set((s) => ({ models: [summaryOf(kept), ...s.models.filter((m) => m.id !== kept.id)] }));
        await loadIntoWorker(sourceOfRecord(model), choice);
      },

      cancelDownload() {
        download?.abort();
      },

      setFeatureLayer: (layer) => reloadWith({ layer }),
      setInputRange: (inputRange) => reloadWith({ inputRange }),

      async importModel(files) {
        let picked: ModelFiles;
        try {
          picked = await deps.readModelFiles(files);
        } catch (error) {
          set((s) => ({ backbone: { ...s.backbone, status: s.backbone.summary ? 'ready' : 'error', message: message(error) } }));
          return;
        }
        const record = await saveNewModel({
          id: nextId('model'),
          name: modelNameOf(files),
          origin: 'file',
          files: picked,
          bytes: modelFilesBytes(picked),
          savedAt: now(),
        });
        await loadIntoWorker(sourceOfRecord(record), { kind: 'stored', id: record.id });
      },

      async deleteModel(id) {
        set((s) => ({ models: s.models.filter((m) => m.id !== id) }));
        try {
          await deps.models.delete(id);
        } catch (error) {
          set({ notice: message(error) });
        }
      },

      setClassifierKind(kind) {
        set({ classifierKind: kind, classifier: { status: 'idle' }, estimate: { status: 'idle' } });
      },

      setHead(patch) {
        set((s) => ({ head: { ...s.head, ...patch }, classifier: { status: 'idle' }, estimate: { status: 'idle' } }));
      },

      async adapt() {
        const dataset = current();
        const problem = readiness(get().backbone, dataset);
        if (problem) {
          set({ classifier: { status: 'error', message: problem } });
          return;
        }
        const version = dataset!.updatedAt;
        set({ classifier: { status: 'working' } });
        try {
          const result = await deps.client.fitClassifier({
            classifierId: nextId('classifier'),
            backboneId: loaded!,
            kind: get().classifierKind,
            classes: toOwnClasses(dataset!),
            head: get().head,
          });
          set({ classifier: { status: 'done', result, datasetVersion: version } });
        } catch (error) {
          set({ classifier: { status: 'error', message: message(error) } });
        }
      },

      async estimateAccuracy(protocol) {
        const dataset = current();
        const problem = readiness(get().backbone, dataset);
        if (problem) {
          set({ estimate: { status: 'error', message: problem } });
          return;
        }
        const version = dataset!.updatedAt;
        set({ estimate: { status: 'working' } });
        try {
          const result = await deps.client.estimateAccuracy({
            backboneId: loaded!,
            kind: get().classifierKind,
            classes: toOwnClasses(dataset!),
            protocol,
            head: get().head,
          });
          set({ estimate: { status: 'done', result, datasetVersion: version } });
        } catch (error) {
          set({ estimate: { status: 'error', message: message(error) } });
        }
      },

      async classify(bytes, imageUrl) {
        const previous = get().classification.imageUrl;
        if (previous && previous !== imageUrl) URL.revokeObjectURL?.(previous);
        set({ classification: { status: 'working', imageUrl } });
        // A classifier from an imported model needs no fitting; one from the user's classes is
        // (re)fitted when the classes changed since, so the answer matches what the page shows.
        if (!get().backbone.summary?.classifier && needsFreshClassifier()) {
          await get().adapt();
          if (get().classifier.status !== 'done') {
            set({ classification: { status: 'error', imageUrl, message: get().classifier.message ?? 'Adapt to your classes first.' } });
            return;
          }
        }
        try {
          const result = await deps.client.classify(get().classifier.result!.classifierId, [bytes]);
          set({ classification: { status: 'done', result, imageUrl } });
        } catch (error) {
          set({ classification: { status: 'error', imageUrl, message: message(error) } });
        }
      },

      async exportModel(name) {
        // The export is the classifier of the classes shown: fitted again if they changed since.
        if (get().classifier.status === 'done' && !get().backbone.summary?.classifier && needsFreshClassifier()) await get().adapt();
        const classifier = get().classifier.result;
        if (get().classifier.status !== 'done' || !classifier) {
          set({ notice: get().classifier.message ?? 'Adapt to your classes first: the exported model is the classifier fitted on them.' });
          return null;
        }
        const trimmed = name.trim() || 'few-shot-classifier';
        try {
          const files = await deps.client.exportClassifier(classifier.classifierId, trimmed);
          const record = await saveNewModel({
            id: nextId('model'),
            name: trimmed,
            origin: 'exported',
            files,
            bytes: modelFilesBytes(files),
            savedAt: now(),
          });
          set({ notice: `Saved "${record.name}" in this browser (pick it under Backbone to use it again) and downloaded its files.` });
          return files;
        } catch (error) {
          set({ notice: message(error) });
          return null;
        }
      },

      async resolveReplaceOffer(choice) {
        const offer = get().replaceOffer;
        set({ replaceOffer: null });
        if (!offer || choice === 'keepBoth') return;
        try {
          if (offer.what === 'dataset') {
            const imported = get().datasets.find((d) => d.id === offer.importedId);
            if (!imported) return;
            await get().deleteDataset(offer.earlierId);
            await saveDataset({ ...imported, name: offer.name });
          } else {
            const imported = await deps.models.get(offer.importedId);
            if (!imported) return;
            const renamed = { ...imported, name: offer.name };
            await deps.models.put(renamed);
            await deps.models.delete(offer.earlierId);
            set((s) => ({ models: s.models.filter((m) => m.id !== offer.earlierId).map((m) => (m.id === renamed.id ? summaryOf(renamed) : m)) }));
            const { backbone } = get();
            if (backbone.choice?.kind === 'stored' && backbone.choice.id === offer.earlierId) {
              // The earlier model was the backbone in use: the import takes its place there too.
              await get().chooseBackbone({ kind: 'stored', id: renamed.id });
            } else if (backbone.summary && backbone.choice?.kind === 'stored' && backbone.choice.id === renamed.id) {
              set({ backbone: { ...backbone, summary: { ...backbone.summary, name: renamed.name } } });
            }
          }
        } catch (error) {
          set({ notice: `The earlier ${offer.what === 'dataset' ? 'image set' : 'model'} could not be replaced: ${message(error)}` });
        }
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  });
  // The playground's runs change often (progress); only a change of the finished runs is passed on.
  deps.playground.subscribe(() => {
    const runs = backboneRuns(deps.playground);
    if (!sameRuns(runs, store.getState().trainedRuns)) store.setState({ trainedRuns: runs });
  });
  return store;
}

/**
 * The name a picked model is kept under: its model.json's file name ("shapes.json" -> "shapes"),
 * or the folder it was picked from when the file is plainly "model.json".
 */
export function modelNameOf(files: readonly UserFile[]): string {
  const json = files.find((f) => /\.json$/i.test(f.path));
  if (!json) return 'model';
  const parts = json.path.split('/');
  const base = parts.pop()!.replace(/\.json$/i, '');
  if (base.toLowerCase() === 'model' && parts.length > 0) return parts.pop()!;
  return base || 'model';
}

/**
 * Saves something new the way that never replaces unasked: `save` refuses a taken name with a
 * NameConflictError; then it is saved under a free name (`keepBoth`) and `onKept` is told both.
 */
async function keepingBoth<T extends { id: string; name: string }>(
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

/** Images added through a class's own picker (or webcam) go into that class. */
function addIngested(dataset: OwnDatasetRecord, classId: string, classes: IngestedClass[]) {
  const images = classes.flatMap((c) => c.images);
  return addImages(dataset, classId, images);
}

/** Why the classifier cannot be fitted now (null: it can), in words that say what to do. */
export function readiness(backbone: BackboneState, dataset: OwnDatasetRecord | null): string | null {
  if (!dataset) return 'Add a class and some images first.';
  const problems = datasetProblems(dataset);
  if (problems.length > 0) return problems[0];
  if (backbone.status !== 'ready') return 'Pick a backbone first (the Backbone control above).';
  return null;
}
