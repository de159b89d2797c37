// The "Your images" store's shape: what it is given (deps) and, slice by slice, its state and
// actions. The slices' interfaces live here together so every slice can type its `get()` with the
// whole state without an import cycle.
import type { StoreApi } from 'zustand/vanilla';
import type { SavedTensors } from '../../../core/nn/params';
import type { ComputeClient } from '../../../worker/client';
import type {
  AccuracyEstimate,
  AccuracyProtocol,
  BackboneSummary,
  Classification,
  ClassifierKind,
  ClassifierSummary,
  HeadSettings,
  InputRange,
  InputRangeComparison,
  ModelFiles,
} from '../../../worker/ownImagesProtocol';
import type { ModelRecord, ModelStore, ModelSummary } from '../../models/modelStore';
import type { PretrainedModel } from '../../models/pretrainedModels';
import type { PrepareImage, UserFile } from '../../userData/ingest';
import type { OwnDatasetRecord } from '../../userData/ownDataset';
import type { OwnDatasetStore } from '../../userData/ownDatasetStore';
import type { PlaygroundStore } from '../playground/types';

export type OwnImagesClient = Pick<
  ComputeClient,
  'loadBackbone' | 'disposeBackbone' | 'fitClassifier' | 'estimateAccuracy' | 'classify' | 'exportClassifier' | 'compareInputRanges' | 'on'
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
  /** Both input scalings tried on the user's images (a model that does not say its own), and the one kept. */
  rangeComparison?: InputRangeComparison;
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

/** Starting the page (reading what the browser keeps), and what belongs to no control (sessionSlice.ts). */
export interface OwnSessionSlice {
  notice: string | null;
  start(): Promise<void>;
  dismissNotice(): void;
}

/** The user's image sets, their classes and images (imageSetsSlice.ts). */
export interface ImageSetsSlice {
  storage: 'loading' | 'ready' | 'unavailable';
  storageMessage?: string;
  datasets: OwnDatasetRecord[];
  datasetId: string | null;
  /** Problems of the last files added (per file), and of any action on the dataset. */
  fileProblems: string[];
  /** What else happened to the last files added: images kept under a new name, duplicates skipped (one line per class and kind). */
  fileNotes: string[];
  datasetMessage?: string;
  reading: { done: number; total: number } | null;
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
}

/** The backbone: pretrained, kept in the browser, or a playground run; and the kept models (backboneSlice.ts). */
export interface BackboneSlice {
  /** Finished image runs of this visit (their trained state is in the worker). */
  trainedRuns: TrainedRun[];
  /** Models kept in the browser (without their files). */
  models: ModelSummary[];
  backbone: BackboneState;
  chooseBackbone(choice: BackboneChoice): Promise<void>;
  cancelDownload(): void;
  setFeatureLayer(layer: string): Promise<void>;
  setInputRange(range: InputRange): Promise<void>;
  importModel(files: UserFile[]): Promise<void>;
  deleteModel(id: string): Promise<void>;
}

/** One image of a batch, classified. */
export interface BatchRow {
  /** The file's path in the folder or zip, e.g. "holiday/IMG_0001.jpg". */
  name: string;
  /** The (downscaled) image, for its thumbnail. */
  bytes: Uint8Array;
  type: string;
  /** Calibrated probabilities, one per class. */
  probabilities: number[];
  top: number;
  runnerUp: number;
  notSure: boolean;
}

/** Classifying a folder or zip of unlabelled images (batchSlice.ts). */
export interface BatchState {
  status: 'idle' | 'working' | 'done' | 'error';
  progress?: { done: number; total: number };
  classes: string[];
  rows: BatchRow[];
  /** Files that could not be used, one line each. */
  problems: string[];
  calibrated: boolean;
  message?: string;
}

/** The classifier on the backbone's features, its accuracy estimate, classifying an image (classifierSlice.ts). */
export interface ClassifierSlice {
  classifierKind: ClassifierKind;
  head: HeadSettings;
  classifier: Task<ClassifierSummary>;
  estimate: Task<AccuracyEstimate>;
  /** `name`: the file name (or "pasted image", "webcam frame at …") the result is about. */
  classification: Task<Classification> & { imageUrl?: string; name?: string };
  setClassifierKind(kind: ClassifierKind): void;
  setHead(patch: Partial<HeadSettings>): void;
  adapt(): Promise<void>;
  estimateAccuracy(protocol: AccuracyProtocol): Promise<void>;
  classify(bytes: Uint8Array, imageUrl?: string, name?: string): Promise<void>;
  /**
   * The classifier ready for the current classes (fitted again when they changed), after comparing
   * input scalings when the model does not state its own; false (with the message set) when not.
   */
  ensureClassifier(): Promise<boolean>;
}

/** Classifying many unlabelled images at once (batchSlice.ts). */
export interface BatchSlice {
  batch: BatchState;
  /** Classifies every image among the files (a folder, or a zip's entries); bad files are listed, the rest classified. */
  classifyBatch(files: UserFile[]): Promise<void>;
  clearBatch(): void;
}

/** Importing image sets from zips, exporting the classifier, and replacing on a taken name (importExportSlice.ts). */
export interface ImportExportSlice {
  replaceOffer: ReplaceOffer | null;
  /** A zip in the <class>/<image> layout, imported as a new image set named after the file (a taken name: "name (2)", with the offer to replace). */
  importZip(fileName: string, bytes: Uint8Array): Promise<void>;
  /** Exports the classifier (refitted first if the classes changed): kept in the browser and returned as files to download. */
  exportModel(name: string): Promise<ModelFiles | null>;
  /** Answers the replace offer: the import takes the earlier one's place, or both stay. */
  resolveReplaceOffer(choice: 'replace' | 'keepBoth'): Promise<void>;
}

export type OwnImagesState = OwnSessionSlice & ImageSetsSlice & BackboneSlice & ClassifierSlice & BatchSlice & ImportExportSlice;

export type OwnImagesStore = StoreApi<OwnImagesState>;
