// The playground store's shape: what it is given (deps) and, slice by slice, its state and actions.
// The slices' interfaces live here together, not beside each slice, so every slice can type its
// `get()` with the whole state without an import cycle.
import type { StoreApi } from 'zustand/vanilla';
import type { ComputeClient } from '../../../worker/client';
import type { SavedTensors } from '../../../core/nn/params';
import type { ChosenBackend, DatasetSummary, EpisodeInspection, SineFit } from '../../../worker/protocol';
import type { RunLocks } from '../runLocks';
import type { StoredRun } from '../runTypes';
import type { DatasetChoice, Setup } from '../setup';
import type { FieldProblems } from '../setupProblems';
import type { SnapshotEntry } from '../../../snapshots/snapshot';
import type { SnapshotSource } from '../../../snapshots/source';

export type PlaygroundClient = Pick<
  ComputeClient,
  'init' | 'loadDataset' | 'start' | 'pause' | 'resume' | 'stop' | 'evaluate' | 'inspectEpisode' | 'fitSine' | 'on'
> &
  Partial<Pick<ComputeClient, 'runState' | 'restore'>>;

export interface RunHistory {
  listRuns(): Promise<StoredRun[]>;
  saveRun(run: StoredRun): Promise<void>;
  renameRun(id: string, name: string): Promise<void>;
  deleteRun(id: string): Promise<void>;
  /**
   * Keeping runs' states: checkpoints while training (to resume after a reload) and trained states
   * (to evaluate, inspect and use as backbones on later visits). Optional: without it, a run lasts a visit.
   */
  saveRunState?(runId: string, state: SavedTensors): Promise<void>;
  getRunState?(runId: string): Promise<SavedTensors | undefined>;
  runStateIds?(): Promise<string[]>;
  dropRunStates?(runIds: readonly string[]): Promise<void>;
}

/** Where the Omniglot archive comes from (cache or download); see src/ui/datasets. */
export interface ArchiveSource {
  /** Size in bytes of the download, shown before the user asks for it. */
  size: number;
  isCached(): Promise<boolean>;
  load(options: { onProgress: (received: number, total: number) => void; signal: AbortSignal }): Promise<Uint8Array>;
}

export interface PlaygroundDeps {
  client: PlaygroundClient;
  history: RunHistory;
  omniglot: ArchiveSource;
  /** Telling other tabs which runs train here (runLocks.ts); absent: every run left training counts as cut off. */
  locks?: RunLocks;
  now?: () => number;
  /** The trained snapshots (src/snapshots); absent: the app's own, fetched from public/snapshots when asked for. */
  snapshots?: SnapshotSource;
}

export interface DatasetState {
  status: 'absent' | 'downloading' | 'loading' | 'ready' | 'error';
  summary?: DatasetSummary;
  /** Omniglot: whether the archive is in the browser's cache. */
  cached?: boolean;
  progress?: { received: number; total: number };
  message?: string;
}

export interface InspectionState<T> {
  runId: string;
  seed: number;
  loading: boolean;
  data: T | null;
  error?: string;
}

/** Starting the page's session, and what belongs to no control (sessionSlice.ts). */
export interface SessionSlice {
  /** Things the user should know that belong to no control (a restarted worker, a warning). */
  notice: string | null;
  start(): Promise<void>;
  dismissNotice(): void;
}

/** The setup being edited, its problems, and the backend it asks for (setupSlice.ts). */
export interface SetupSlice {
  setup: Setup;
  /** Problems per control: the setup's own, and the worker's answer to the last Train. */
  problems: FieldProblems;
  backend: ChosenBackend | null;
  backendStatus: 'idle' | 'choosing' | 'ready' | 'error';
  backendMessage?: string;
  setSetup(patch: Partial<Setup>): void;
  setHyperparameter(name: string, value: number | string): void;
  resetHyperparameters(): void;
  chooseBackend(): Promise<void>;
  applyRunSetup(runId: string): void;
  /** Replaces the whole setup (a run's, a preset's); the backend is chosen again if it changed. */
  applySetup(setup: Setup): void;
  /** Checks the setup again, against its dataset as now loaded (when it finishes loading). */
  recheckSetup(): void;
}

/** The datasets in the worker and Omniglot's download (datasetsSlice.ts). */
export interface DatasetsSlice {
  datasets: Partial<Record<DatasetChoice, DatasetState>>;
  loadDataset(dataset?: DatasetChoice): Promise<DatasetSummary | null>;
  /** Loads a dataset that needs no download or archive (glyphs, sine waves) as soon as it is chosen. */
  prepareDataset(dataset: DatasetChoice): void;
  downloadOmniglot(): Promise<void>;
  cancelDownload(): void;
}

/** Training runs: starting, pausing, resuming, stopping, choosing one (runsSlice.ts). */
export interface RunsSlice {
  /** Newest first. */
  runs: StoredRun[];
  /** The run the training view shows. */
  currentRunId: string | null;
  /** Runs whose trained state lives in this page's worker (can be evaluated and inspected). */
  liveRunIds: string[];
  /** Runs whose state (a checkpoint or the trained state) is kept in the browser. */
  keptStateIds: string[];
  train(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  selectRun(runId: string): void;
}

/** Runs' kept states: resuming an interrupted run, dropping kept states (keptRunsSlice.ts). */
export interface KeptRunsSlice {
  /** Continues an interrupted run from its kept checkpoint, with the same episodes from there on. */
  resumeInterrupted(runId?: string): Promise<void>;
  /** Drops the kept states of these runs (default: every run not training now); curves and results stay. */
  dropKeptStates(runIds?: readonly string[]): Promise<void>;
}

/** The run history in IndexedDB: renaming, deleting, importing (historySlice.ts). */
export interface HistorySlice {
  /** Problems of the run history (IndexedDB). */
  historyMessage: string | null;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  /**
   * Adds a run from the text of its JSON export (file `fileName`) to the history, checked by
   * parseRunExport; never overwrites one: a run with the same content already there only gets a
   * message, and a different run with a taken id is added as a copy named "<name> (imported)".
   * Refusals and anything the user should know go to historyMessage. The run is not live: it cannot
   * be evaluated or inspected, like runs from an earlier visit, unless the file carries its weights
   * (run.py's results.json does): they are kept as its state, like a finished run's.
   */
  importRun(text: string, fileName: string): Promise<void>;
  /** The run's experiment for PyTorch as a zip (history/exportPytorch.ts), or null with the reason in historyMessage. */
  exportRunToPytorch(runId: string): Promise<{ fileName: string; bytes: Uint8Array } | null>;
}

/** Evaluating runs and comparing them: baselines, curves drawn over each other (evaluationSlice.ts). */
export interface EvaluationSlice {
  /** The evaluation in progress (or its failure); startedAt (ms since the epoch) gives the time left. */
  evaluation: { runId: string; done: number; total: number; startedAt: number; error?: string } | null;
  /** Chosen baseline run per comparison group key. */
  baselines: Record<string, string>;
  /** Earlier runs drawn over the current one. */
  overlayIds: string[];
  smoothing: number;
  evaluate(runId?: string): Promise<void>;
  setBaseline(groupKey: string, runId: string): void;
  toggleOverlay(runId: string): void;
  setSmoothing(value: number): void;
}

/** Looking into a trained run: the episode viewer and the sine fit (inspectionSlice.ts). */
export interface InspectionSlice {
  inspection: InspectionState<EpisodeInspection> | null;
  sineFit: InspectionState<SineFit> | null;
  inspect(runId?: string, seed?: number): Promise<void>;
  fitSine(runId?: string, seed?: number): Promise<void>;
}

/** Trained snapshots: starting from one, training a run on (snapshotsSlice.ts). */
export interface SnapshotsSlice {
  /** A snapshot being loaded, or why the last one could not be. */
  snapshotStatus: { id?: string; status: 'loading' | 'error'; message?: string } | null;
  /** The snapshots the app ships (the manifest's entries). */
  snapshotEntries(): readonly SnapshotEntry[];
  /**
   * Adds the snapshot's run (default: the one matching the setup's dataset, method, ways and shots)
   * to the history, with its curves and evaluation, live in the worker, and applies its setup.
   * Returns the new run's id, or null with the reason in snapshotStatus.
   */
  startFromSnapshot(id?: string): Promise<string | null>;
  /** Trains a finished run `moreSteps` further from its trained weights (a fresh optimiser), on the episodes that follow. */
  trainOn(runId?: string, moreSteps?: number): Promise<void>;
  dismissSnapshotStatus(): void;
}

export type PlaygroundState = SessionSlice &
  SetupSlice &
  DatasetsSlice &
  RunsSlice &
  KeptRunsSlice &
  HistorySlice &
  EvaluationSlice &
  InspectionSlice &
  SnapshotsSlice;

export type PlaygroundStore = StoreApi<PlaygroundState>;
