// The page's handle on the compute worker: promise-returning calls for each request, listeners for
// the worker's events, and the state a page needs to survive a crashed worker. It keeps each run's
// curve (every point the worker sent) and latest checkpoint, and when the worker dies it starts a
// new one, loads the same datasets, resumes unfinished runs from their checkpoints and restores the
// runs it restored from kept states, telling listeners. No React here: a run can be driven end to
// end from plain code.
import type {
  BackendPreference,
  BenchmarkResult,
  Checkpoint,
  ChosenBackend,
  DatasetSource,
  DatasetSummary,
  EpisodeInspection,
  EvaluationMessage,
  EventOf,
  ProgressPoint,
  Request,
  ResumeFrom,
  RunConfig,
  SineFit,
  ValidationPointMessage,
  WorkerError,
  WorkerEvent,
} from './protocol';
import type { SavedTensors } from '../core/nn/params';
import type {
  AccuracyEstimate,
  AccuracyProtocol,
  BackboneSource,
  BackboneSummary,
  Classification,
  ClassifierKind,
  ClassifierSummary,
  HeadSettings,
  InputRangeComparison,
  ModelFiles,
  OwnClass,
} from './ownImagesProtocol';

/** A request the worker refused or failed: its message, and the code and setting it is about. */
export class WorkerRequestError extends Error {
  readonly code: WorkerError['code'];
  readonly field?: WorkerError['field'];

  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'WorkerRequestError';
    this.code = error.code;
    this.field = error.field;
  }
}

type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** What the client remembers about a run (what the page shows of it). */
export interface RunRecord {
  runId: string;
  config: RunConfig;
  status: 'training' | 'paused' | 'done' | 'stopped' | 'diverged' | 'failed';
  points: ProgressPoint[];
  validation: ValidationPointMessage[];
  checkpoint: Checkpoint | null;
  /** Steps the page already shows, besides `points` (a run resumed after a reload): not sent again. */
  shownSteps: number;
  message?: string;
}

/** Events of the client itself, besides the worker's. */
export type ClientEvent = WorkerEvent | { type: 'restarted'; attempt: number; message: string };
type Listener = (event: ClientEvent) => void;

export interface ComputeClientOptions {
  createWorker: () => Worker;
  /** Restarts after crashes before runs are given up (default 3). */
  maxRestarts?: number;
}

export class ComputeClient {
  private worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<Listener>();
  private readonly datasets = new Map<string, DatasetSource>();
  private readonly runs = new Map<string, RunRecord>();
  /** The kept states of runs restored without training, restored again after a crash. */
  private readonly restored = new Map<string, SavedTensors>();
  /** Model-file backbones by id, reloaded after a crash (run backbones die with their worker's runs). */
  private readonly backbones = new Map<string, Extract<BackboneSource, { kind: 'model' }>>();
  private backendPreference: BackendPreference | null = null;
  private restarts = 0;
  /** The backend in use and why (null before init). */
  backend: ChosenBackend | null = null;

  constructor(private readonly options: ComputeClientOptions) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = this.options.createWorker();
    worker.onmessage = (e: MessageEvent<WorkerEvent>) => this.receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      void this.recover(e.message || silentFailureReason());
    };
    return worker;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ClientEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  private receive(event: WorkerEvent): void {
    if (event.type === 'reply') {
      const p = this.pending.get(event.id);
      this.pending.delete(event.id);
      if (p) event.ok ? p.resolve(event.value) : p.reject(new WorkerRequestError(event.error));
      return;
    }
    this.track(event);
    this.emit(event);
  }

  /** Keeps the run records up to date from the worker's events. */
  private track(event: WorkerEvent): void {
    if (event.type === 'backend') this.backend = { backend: event.backend, info: event.info, reason: event.reason };
    if (!('runId' in event) || event.runId === undefined) return;
    const run = this.runs.get(event.runId);
    if (!run) return;
    if (event.type === 'progress') {
      run.points.push(...event.points);
      run.validation.push(...event.validation);
      run.status = event.paused ? 'paused' : 'training';
    } else if (event.type === 'checkpoint') {
      run.checkpoint = event.checkpoint;
    } else if (event.type === 'finished') {
      run.status = event.status;
      run.message = event.message;
    }
  }

  private request<T>(body: RequestBody, transfer: Transferable[] = []): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id } as Request, transfer);
    });
  }

  /** Chooses (and initialises) the backend: 'auto' or a forced one. */
  async init(backend: BackendPreference): Promise<ChosenBackend> {
    this.backendPreference = backend;
    this.backend = await this.request<ChosenBackend>({ type: 'init', backend });
    return this.backend;
  }

  async loadDataset(datasetId: string, source: DatasetSource): Promise<DatasetSummary> {
    const summary = await this.request<DatasetSummary>({ type: 'loadDataset', datasetId, source });
    this.datasets.set(datasetId, source);
    return summary;
  }

  /**
   * Starts training; resolves once the worker accepted the settings (progress comes as events).
   * With `resume` (a checkpoint the page kept, and the steps it already shows) the run continues
   * from the checkpoint's step exactly as if it had never stopped; points up to `shownSteps` are
   * not sent again.
   */
  async start(runId: string, config: RunConfig, resume?: ResumeFrom): Promise<{ metaBatch: number }> {
    const accepted = await this.request<{ metaBatch: number }>({ type: 'start', runId, config, resume });
    this.restored.delete(runId);
    this.runs.set(runId, { runId, config, status: 'training', points: [], validation: [], checkpoint: resume?.checkpoint ?? null, shownSteps: resume?.shownSteps ?? 0 });
    return accepted;
  }

  /**
   * Makes a finished run usable again without training (evaluate, inspectEpisode, fitSine), from a
   * state kept on an earlier visit: runState's, or a checkpoint's. Load the run's dataset first.
   * Rejects with a WorkerRequestError (settings, a dataset not loaded, a state that does not fit).
   */
  async restore(runId: string, config: RunConfig, state: SavedTensors): Promise<void> {
    await this.request({ type: 'restore', runId, config, state });
    this.restored.set(runId, state);
    this.runs.set(runId, { runId, config, status: 'done', points: [], validation: [], checkpoint: null, shownSteps: 0 });
  }

  pause(runId: string): Promise<void> {
    return this.request({ type: 'pause', runId });
  }

  resume(runId: string): Promise<void> {
    return this.request({ type: 'resume', runId });
  }

  stop(runId: string): Promise<void> {
    return this.request({ type: 'stop', runId });
  }

  cancel(): Promise<void> {
    return this.request({ type: 'cancel' });
  }

  /** Evaluates a finished run on `episodes` test episodes of `seed`; resolves with the result. */
  async evaluate(runId: string, episodes: number, seed: number): Promise<EvaluationMessage> {
    let off = () => {};
    const result = new Promise<EvaluationMessage>((resolve) => {
      off = this.on((e) => {
        if (e.type === 'evaluated' && e.evaluation.runId === runId) {
          off();
          resolve(e.evaluation);
        }
      });
    });
    try {
      await this.request({ type: 'evaluate', runId, episodes, seed });
    } catch (error) {
      off();
      throw error;
    }
    return result;
  }

  /**
   * A test episode of an image run (`seed` picks it) through the run's current model, for the
   * episode viewer. While the run trains, the worker answers between two steps.
   */
  inspectEpisode(runId: string, seed: number): Promise<EpisodeInspection> {
    return this.request({ type: 'inspectEpisode', runId, seed });
  }

  /** The trained state of a finished run, to keep it (a backbone on a later visit). */
  runState(runId: string): Promise<SavedTensors> {
    return this.request({ type: 'runState', runId });
  }

  /** A sine task of a regression run (`seed` picks it) and the run's fits after 0..maxSteps steps. */
  fitSine(runId: string, seed: number, maxSteps: number): Promise<SineFit> {
    return this.request({ type: 'fitSine', runId, seed, maxSteps });
  }

  /** Resolves when the run finishes (with its last event). */
  finished(runId: string): Promise<EventOf<'finished'>> {
    return new Promise((resolve) => {
      const off = this.on((e) => {
        if (e.type === 'finished' && e.runId === runId) {
          off();
          resolve(e);
        }
      });
    });
  }

  /** Times training steps of `method` on the current backend (median ms; see the session). */
  benchmark(datasetId: string, method: string, steps: number, warmup = 2, budgetSeconds?: number): Promise<BenchmarkResult> {
    return this.request({ type: 'benchmark', datasetId, method, steps, warmup, budgetSeconds });
  }

  injectFault(fault: 'backend' | 'crash'): Promise<void> {
    return this.request({ type: 'injectFault', fault });
  }

  /**
   * Loads a backbone (model files or a finished run) under `backboneId`. The page keeps its bytes:
   * nothing is transferred (structured clone copies them).
   */
  async loadBackbone(backboneId: string, source: BackboneSource): Promise<BackboneSummary> {
    const summary = await this.request<BackboneSummary>({ type: 'loadBackbone', backboneId, source });
    if (source.kind === 'model') this.backbones.set(backboneId, source);
    else this.backbones.delete(backboneId);
    return summary;
  }

  async disposeBackbone(backboneId: string): Promise<void> {
    this.backbones.delete(backboneId);
    await this.request({ type: 'disposeBackbone', backboneId });
  }

  /** Fits a classifier on the user's classes; it stays in the worker under `classifierId`. */
  fitClassifier(body: { classifierId: string; backboneId: string; kind: ClassifierKind; classes: OwnClass[]; head?: HeadSettings }): Promise<ClassifierSummary> {
    return this.request({ type: 'fitClassifier', ...body });
  }

  /** Leave-one-out or repeated-episode accuracy of a kind of classifier on the user's images. */
  estimateAccuracy(body: { backboneId: string; kind: ClassifierKind; classes: OwnClass[]; protocol: AccuracyProtocol; head?: HeadSettings }): Promise<AccuracyEstimate> {
    return this.request({ type: 'estimateAccuracy', ...body });
  }

  /** Class probabilities of encoded images (PNG/JPEG/WebP bytes), calibrated; `names` (file names) name them. */
  classify(classifierId: string, images: Uint8Array[], names?: string[]): Promise<Classification> {
    return this.request({ type: 'classify', classifierId, images, ...(names && { names }) });
  }

  /** Both input scalings tried on the user's images (leave-one-out); the worker keeps the better. */
  async compareInputRanges(backboneId: string, classes: OwnClass[]): Promise<InputRangeComparison> {
    const result = await this.request<InputRangeComparison>({ type: 'compareInputRanges', backboneId, classes });
    // A restarted worker reloads the backbone with the scaling now in use.
    const source = this.backbones.get(backboneId);
    if (source?.kind === 'model') this.backbones.set(backboneId, { ...source, inputRange: result.chosen });
    return result;
  }

  /** The classifier as a TensorFlow.js layers model: model.json (object) and one weight file. */
  exportClassifier(classifierId: string, name: string): Promise<ModelFiles> {
    return this.request({ type: 'exportClassifier', classifierId, name });
  }

  run(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  terminate(): void {
    this.worker.terminate();
  }

  /** A new worker after a crash: same backend preference, same datasets, unfinished runs resumed. */
  private async recover(reason: string): Promise<void> {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error(`The compute worker crashed (${reason}).`));
    this.pending.clear();
    const active = [...this.runs.values()].filter((r) => r.status === 'training' || r.status === 'paused');
    if (this.restarts >= (this.options.maxRestarts ?? 3)) {
      for (const run of active) {
        run.status = 'failed';
        const message = `The compute worker crashed ${this.restarts + 1} times (${reason}); the run ended. Its curve is kept.`;
        this.emit({ type: 'finished', runId: run.runId, status: 'failed', message, stepsDone: lastShownStep(run), seconds: 0 });
      }
      return;
    }
    this.restarts++;
    this.worker = this.spawn();
    try {
      if (this.backendPreference) await this.init(this.backendPreference);
      for (const [id, source] of this.datasets) await this.request({ type: 'loadDataset', datasetId: id, source });
      // Model backbones come back under the same ids. Classifiers are lost with the old worker
      // (the page fits again when classify says so); run backbones too, as finished runs are not
      // retrained.
      for (const [backboneId, source] of this.backbones) {
        await this.request({ type: 'loadBackbone', backboneId, source }).catch(() => this.backbones.delete(backboneId));
      }
      // Restored runs come back from their kept states; runs trained here and finished are lost.
      for (const [runId, state] of this.restored) {
        const run = this.runs.get(runId);
        if (run) await this.request({ type: 'restore', runId, config: run.config, state }).catch(() => this.restored.delete(runId));
      }
      for (const run of active) {
        await this.request({ type: 'start', runId: run.runId, config: run.config, resume: { checkpoint: run.checkpoint, shownSteps: lastShownStep(run) } });
        run.status = 'training';
      }
      const resumed = active.map((r) => `${r.runId} from step ${r.checkpoint?.step ?? 0}`).join(', ');
      this.emit({
        type: 'restarted',
        attempt: this.restarts,
        message: `The compute worker crashed (${reason}) and was restarted${resumed ? `; resumed ${resumed}` : ''}.`,
      });
    } catch (error) {
      this.emit({ type: 'error', message: `The compute worker crashed and could not be restarted: ${(error as Error).message}` });
    }
  }
}

/** The last step whose point the page has: from this client's points, or from before a resume. */
function lastShownStep(run: RunRecord): number {
  return Math.max(run.shownSteps, run.points.at(-1)?.step ?? 0);
}

/** Why a worker stopped without a message: offline, most often its code could not be fetched (the
 * app is not yet saved for offline use); otherwise the browser gave no reason. */
function silentFailureReason(): string {
  return globalThis.navigator?.onLine === false
    ? 'its code could not be loaded while this browser is offline; connect and reload the page (it works offline once it says “Offline ready”)'
    : 'the compute worker stopped';
}
