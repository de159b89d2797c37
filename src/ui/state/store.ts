// The playground's one store (zustand): the setup the user is editing, the backend, the datasets,
// every run (live or from the history), evaluation and inspection state, and the actions the views
// call. It talks to the compute worker only through the client and to IndexedDB only through the
// history, both injected, so the views and these actions are tested without a browser and run for
// real on the page.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ComputeClient, WorkerRequestError } from '../../worker/client';
import type { SavedTensors } from '../../core/nn/params';
import type { DatasetSource, DatasetSummary, EpisodeInspection, SineFit, WorkerEvent } from '../../worker/protocol';
import type { ChosenBackend } from '../../worker/protocol';
import { describeSetup, EVALUATION_SEED, runConfigOf } from './runConfig';
import type { StoredRun } from './runTypes';
import { DEFAULT_SETUP, methodInfo, methodsFor, type DatasetChoice, type Setup } from './setup';
import { isActive, isCurrentRunLive, isRunLive, isTraining } from './selectors';
import { controlOf, setupProblems, type FieldProblems, type SetupField } from './setupProblems';

export type PlaygroundClient = Pick<
  ComputeClient,
  'init' | 'loadDataset' | 'start' | 'pause' | 'resume' | 'stop' | 'evaluate' | 'inspectEpisode' | 'fitSine' | 'on'
> &
  Partial<Pick<ComputeClient, 'runState'>>;

export interface RunHistory {
  listRuns(): Promise<StoredRun[]>;
  saveRun(run: StoredRun): Promise<void>;
  renameRun(id: string, name: string): Promise<void>;
  deleteRun(id: string): Promise<void>;
  /** Keeping finished runs' trained states (optional: without it, runs last a visit as backbones). */
  saveRunState?(runId: string, state: SavedTensors): Promise<void>;
  runStateIds?(): Promise<string[]>;
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
  now?: () => number;
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

export interface PlaygroundState {
  setup: Setup;
  /** Problems per control: the setup's own, and the worker's answer to the last Train. */
  problems: FieldProblems;
  backend: ChosenBackend | null;
  backendStatus: 'idle' | 'choosing' | 'ready' | 'error';
  backendMessage?: string;
  datasets: Partial<Record<DatasetChoice, DatasetState>>;
  /** Newest first. */
  runs: StoredRun[];
  /** The run the training view shows. */
  currentRunId: string | null;
  /** Runs whose trained state lives in this page's worker (can be evaluated and inspected). */
  liveRunIds: string[];
  /** Runs whose trained state is kept in the browser (backbones on "Your images" on later visits too). */
  keptStateIds: string[];
  evaluation: { runId: string; done: number; total: number; error?: string } | null;
  /** Chosen baseline run per comparison group key. */
  baselines: Record<string, string>;
  /** Earlier runs drawn over the current one. */
  overlayIds: string[];
  smoothing: number;
  inspection: InspectionState<EpisodeInspection> | null;
  sineFit: InspectionState<SineFit> | null;
  /** Problems of the run history (IndexedDB). */
  historyMessage: string | null;
  /** Things the user should know that belong to no control (a restarted worker, a warning). */
  notice: string | null;

  start(): Promise<void>;
  setSetup(patch: Partial<Setup>): void;
  setHyperparameter(name: string, value: number | string): void;
  resetHyperparameters(): void;
  chooseBackend(): Promise<void>;
  loadDataset(dataset?: DatasetChoice): Promise<DatasetSummary | null>;
  downloadOmniglot(): Promise<void>;
  cancelDownload(): void;
  train(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  evaluate(runId?: string): Promise<void>;
  inspect(runId?: string, seed?: number): Promise<void>;
  fitSine(runId?: string, seed?: number): Promise<void>;
  selectRun(runId: string): void;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  /**
   * Adds a run from the text of its JSON export (file `fileName`) to the history, checked by
   * parseRunExport; never overwrites one: a run with the same content already there only gets a
   * message, and a different run with a taken id is added as a copy named "<name> (imported)".
   * Refusals and anything the user should know go to historyMessage. The run is not live: it cannot
   * be evaluated or inspected, like runs from an earlier visit.
   */
  importRun(text: string, fileName: string): Promise<void>;
  applyRunSetup(runId: string): void;
  /** Replaces the whole setup (a run's, a preset's); the backend is chosen again if it changed. */
  applySetup(setup: Setup): void;
  setBaseline(groupKey: string, runId: string): void;
  toggleOverlay(runId: string): void;
  setSmoothing(value: number): void;
  dismissNotice(): void;
}

export type PlaygroundStore = StoreApi<PlaygroundState>;

/** How often a training run is written to the history (besides when it ends). */
const SAVE_EVERY_MS = 5000;
/** Adaptation steps the sine plot shows fits for (the MAML paper's figure shows 0, 1 and 10). */
export const SINE_FIT_STEPS = 10;

function datasetSource(dataset: DatasetChoice, bytes?: Uint8Array): DatasetSource {
  if (dataset === 'omniglot') return { kind: 'omniglot', name: 'images_background.zip', bytes: bytes! };
  return { kind: dataset };
}

function datasetLabel(summary: DatasetSummary | undefined, dataset: DatasetChoice): string {
  if (!summary) return dataset;
  if (summary.task === 'regression') return 'sine-wave regression';
  const shape = summary.shape ? `, ${summary.shape.join('x')}` : '';
  return `${summary.name} (${summary.classes} classes${shape})`;
}

export function createPlaygroundStore(deps: PlaygroundDeps, initialSetup: Setup = DEFAULT_SETUP): PlaygroundStore {
  const now = deps.now ?? (() => Date.now());
  let download: AbortController | null = null;
  const lastSaved = new Map<string, number>();
  let runCounter = 0;

  const store = createStore<PlaygroundState>()((set, get) => {
    const runById = (id: string | null | undefined) => get().runs.find((r) => r.id === id);
    const updateRun = (id: string, update: (run: StoredRun) => StoredRun) =>
      set((s) => ({ runs: s.runs.map((r) => (r.id === id ? update(r) : r)) }));

    const save = async (id: string) => {
      const run = runById(id);
      if (!run) return;
      lastSaved.set(id, now());
      try {
        await deps.history.saveRun(run);
      } catch (error) {
        set({ historyMessage: (error as Error).message });
      }
    };

    /** Keeps a finished image run's trained state, so it can be a backbone on a later visit ("Your images"). */
    const keepState = async (id: string) => {
      if (!deps.client.runState || !deps.history.saveRunState || runById(id)?.setup.dataset === 'sinusoid') return;
      try {
        await deps.history.saveRunState(id, await deps.client.runState(id));
        set((s) => ({ keptStateIds: s.keptStateIds.includes(id) ? s.keptStateIds : [...s.keptStateIds, id] }));
      } catch {
        // Not kept (storage full or unavailable): the run still serves as a backbone during this visit.
      }
    };

    const setDataset = (dataset: DatasetChoice, patch: Partial<DatasetState>) =>
      set((s) => ({ datasets: { ...s.datasets, [dataset]: { ...(s.datasets[dataset] ?? { status: 'absent' }), ...patch } } }));

    const onEvent = (event: WorkerEvent | { type: 'restarted'; attempt: number; message: string }) => {
      switch (event.type) {
        case 'backend':
          set({ backend: { backend: event.backend, info: event.info, reason: event.reason }, backendStatus: 'ready' });
          for (const id of get().liveRunIds) if (isActive(runById(id))) updateRun(id, (r) => ({ ...r, backend: { backend: event.backend, info: event.info, reason: event.reason } }));
          break;
        case 'progress':
          if (!runById(event.runId)) break;
          updateRun(event.runId, (r) => ({
            ...r,
            status: event.paused ? 'paused' : 'training',
            points: event.points.length ? [...r.points, ...event.points] : r.points,
            validation: event.validation.length ? [...r.validation, ...event.validation] : r.validation,
            progress: { step: event.step, totalSteps: event.totalSteps, stepsPerSecond: event.stepsPerSecond, etaSeconds: event.etaSeconds },
            seconds: event.points.at(-1)?.elapsed ?? r.seconds,
          }));
          if (now() - (lastSaved.get(event.runId) ?? 0) > SAVE_EVERY_MS) void save(event.runId);
          break;
        case 'finished':
          if (!runById(event.runId)) break;
          updateRun(event.runId, (r) => ({
            ...r,
            status: event.status,
            message: event.message,
            seconds: event.seconds,
            progress: r.progress ? { ...r.progress, step: event.stepsDone, stepsPerSecond: 0, etaSeconds: 0 } : r.progress,
          }));
          if (event.status === 'diverged' && event.message) {
            set((s) => ({ problems: { ...s.problems, [controlOf(event.problem?.field ?? 'method')]: event.message } }));
          }
          void save(event.runId);
          if ((event.status === 'done' || event.status === 'stopped') && isRunLive(get(), event.runId)) void keepState(event.runId);
          break;
        case 'evaluationProgress':
          if (get().evaluation?.runId === event.runId) set({ evaluation: { runId: event.runId, done: event.done, total: event.total } });
          break;
        case 'warning':
        case 'error':
          if (event.runId && runById(event.runId)) updateRun(event.runId, (r) => ({ ...r, message: event.message }));
          set({ notice: event.message });
          break;
        case 'restarted':
          set({ notice: event.message });
          break;
      }
    };

    return {
      setup: initialSetup,
      problems: setupProblems(initialSetup),
      backend: null,
      backendStatus: 'idle',
      datasets: {},
      runs: [],
      currentRunId: null,
      liveRunIds: [],
      keptStateIds: [],
      evaluation: null,
      baselines: {},
      overlayIds: [],
      smoothing: 0.6,
      inspection: null,
      sineFit: null,
      historyMessage: null,
      notice: null,

      async start() {
        deps.client.on(onEvent);
        const [history, cached, kept] = await Promise.allSettled([deps.history.listRuns(), deps.omniglot.isCached(), deps.history.runStateIds?.() ?? []]);
        if (kept.status === 'fulfilled') set({ keptStateIds: kept.value });
        if (history.status === 'fulfilled') {
          // A run that was training when the page closed keeps its curves up to where it got.
          const runs = history.value.map((r) =>
            isActive(r) ? { ...r, status: 'stopped' as const, message: `The page was closed while this run trained; its first ${r.points.length} steps are kept.` } : r,
          );
          set((s) => ({ runs: [...s.runs, ...runs.filter((r) => !s.runs.some((x) => x.id === r.id))], currentRunId: s.currentRunId ?? runs[0]?.id ?? null }));
        } else {
          set({ historyMessage: (history.reason as Error).message });
        }
        if (cached.status === 'fulfilled') setDataset('omniglot', { cached: cached.value });
        await get().chooseBackend();
      },

      setSetup(patch) {
        set((s) => {
          let setup = { ...s.setup, ...patch };
          // Another method (or task family) has other settings: start from its defaults.
          if ((patch.method && patch.method !== s.setup.method) || (patch.dataset && patch.dataset !== s.setup.dataset)) {
            setup.hyperparameters = patch.hyperparameters ?? {};
          }
          if (patch.dataset && !methodInfo(setup.dataset, setup.method)) setup = { ...setup, method: methodsFor(setup.dataset)[0].name };
          // Sine tasks and image episodes count shots and queries differently: switching between
          // them starts from the family's usual values, unless the patch gives its own.
          const family = (d: DatasetChoice) => (d === 'sinusoid' ? { shot: 10, query: 100 } : { shot: DEFAULT_SETUP.shot, query: DEFAULT_SETUP.query });
          if (patch.dataset && (patch.dataset === 'sinusoid') !== (s.setup.dataset === 'sinusoid')) {
            setup = { ...setup, ...family(patch.dataset), ...(patch.shot !== undefined && { shot: patch.shot }), ...(patch.query !== undefined && { query: patch.query }) };
          }
          return { setup, problems: setupProblems(setup) };
        });
        if (patch.backend) void get().chooseBackend();
      },

      setHyperparameter(name, value) {
        get().setSetup({ hyperparameters: { ...get().setup.hyperparameters, [name]: value } });
      },

      resetHyperparameters() {
        get().setSetup({ hyperparameters: {} });
      },

      async chooseBackend() {
        if (isTraining(get())) {
          set({ notice: 'The backend changes after the current run: stop it first, or keep it running on its backend.' });
          return;
        }
        set({ backendStatus: 'choosing', backendMessage: undefined });
        try {
          const backend = await deps.client.init(get().setup.backend);
          set({ backend, backendStatus: 'ready' });
        } catch (error) {
          set({ backendStatus: 'error', backendMessage: (error as Error).message, problems: { ...get().problems, backend: (error as Error).message } });
        }
      },

      async loadDataset(dataset = get().setup.dataset) {
        const state = get().datasets[dataset];
        if (state?.status === 'ready') return state.summary!;
        let bytes: Uint8Array | undefined;
        if (dataset === 'omniglot') {
          if (!state?.cached) {
            setDataset('omniglot', { status: 'absent', message: 'Download Omniglot first (button below the Dataset control), or pick the built-in glyphs.' });
            return null;
          }
          try {
            bytes = await deps.omniglot.load({ onProgress: () => {}, signal: new AbortController().signal });
          } catch (error) {
            setDataset('omniglot', { status: 'error', message: (error as Error).message });
            return null;
          }
        }
        setDataset(dataset, { status: 'loading', message: undefined });
        try {
          const summary = await deps.client.loadDataset(dataset, datasetSource(dataset, bytes));
          setDataset(dataset, { status: 'ready', summary });
          return summary;
        } catch (error) {
          setDataset(dataset, { status: 'error', message: (error as Error).message });
          return null;
        }
      },

      async downloadOmniglot() {
        download?.abort();
        download = new AbortController();
        setDataset('omniglot', { status: 'downloading', progress: { received: 0, total: deps.omniglot.size }, message: undefined });
        try {
          await deps.omniglot.load({
            signal: download.signal,
            onProgress: (received, total) => setDataset('omniglot', { progress: { received, total } }),
          });
          setDataset('omniglot', { status: 'absent', cached: true, progress: undefined });
          await get().loadDataset('omniglot');
        } catch (error) {
          setDataset('omniglot', { status: 'error', message: (error as Error).message, progress: undefined });
        } finally {
          download = null;
        }
      },

      cancelDownload() {
        download?.abort();
      },

      async train() {
        const { setup } = get();
        const problems = setupProblems(setup);
        set({ problems });
        if (Object.keys(problems).length > 0) return;
        if (isTraining(get())) return;
        if (get().backendStatus !== 'ready') await get().chooseBackend();
        if (get().backendStatus !== 'ready') return;
        const summary = await get().loadDataset(setup.dataset);
        if (!summary) {
          set((s) => ({ problems: { ...s.problems, dataset: s.datasets[setup.dataset]?.message ?? 'The dataset could not be loaded.' } }));
          return;
        }
        const info = methodInfo(setup.dataset, setup.method)!;
        const id = `run-${now().toString(36)}-${(++runCounter).toString(36)}`;
        const run: StoredRun = {
          id,
          name: `${describeSetup(setup, info.title)} #${get().runs.length + 1}`,
          createdAt: now(),
          setup: structuredClone(setup),
          datasetLabel: datasetLabel(summary, setup.dataset),
          status: 'starting',
          points: [],
          validation: [],
          progress: { step: 0, totalSteps: setup.steps, stepsPerSecond: 0, etaSeconds: Infinity },
          metaBatch: null,
          backend: get().backend,
          seconds: 0,
          evaluations: [],
        };
        set((s) => ({ runs: [run, ...s.runs], currentRunId: id, liveRunIds: [...s.liveRunIds, id], inspection: null, sineFit: null }));
        try {
          const { metaBatch } = await deps.client.start(id, runConfigOf(setup));
          updateRun(id, (r) => ({ ...r, metaBatch, status: r.status === 'starting' ? 'training' : r.status }));
          void save(id);
        } catch (error) {
          const message = (error as Error).message;
          set((s) => ({
            runs: s.runs.filter((r) => r.id !== id),
            liveRunIds: s.liveRunIds.filter((x) => x !== id),
            currentRunId: s.runs.find((r) => r.id !== id)?.id ?? null,
            problems: { ...s.problems, [controlOf((error as Partial<WorkerRequestError>).field)]: message },
          }));
        }
      },

      async pause() {
        const id = get().currentRunId;
        // The worker pauses after the step in flight and then says so (a progress event marked
        // paused), so the page shows "paused" only at the step where training really stopped.
        if (id && runById(id)?.status === 'training') await deps.client.pause(id);
      },

      async resume() {
        const id = get().currentRunId;
        if (id && runById(id)?.status === 'paused') {
          await deps.client.resume(id);
          updateRun(id, (r) => (r.status === 'paused' ? { ...r, status: 'training' } : r));
        }
      },

      async stop() {
        const id = get().currentRunId;
        if (id && isActive(runById(id))) await deps.client.stop(id);
      },

      async evaluate(runId = get().currentRunId ?? undefined) {
        const run = runById(runId);
        if (!run || !runId) return;
        if (!isRunLive(get(), runId)) {
          set({ evaluation: { runId, done: 0, total: 0, error: 'This run was trained in an earlier visit and its weights are not kept: apply its setup and train again to evaluate it.' } });
          return;
        }
        const inProgress = get().evaluation;
        if (isActive(run) || (inProgress && !inProgress.error)) return;
        const episodes = run.setup.evalEpisodes;
        set({ evaluation: { runId, done: 0, total: episodes } });
        try {
          const result = await deps.client.evaluate(runId, episodes, EVALUATION_SEED);
          updateRun(runId, (r) => ({ ...r, evaluations: [...r.evaluations, result] }));
          set({ evaluation: null });
          void save(runId);
        } catch (error) {
          set({ evaluation: { runId, done: 0, total: episodes, error: (error as Error).message } });
        }
      },

      async inspect(runId = get().currentRunId ?? undefined, seed) {
        if (!runId || !isRunLive(get(), runId)) return;
        const next = seed ?? (get().inspection?.runId === runId ? get().inspection!.seed + 1 : 1);
        set((s) => ({ inspection: { runId, seed: next, loading: true, data: s.inspection?.runId === runId ? s.inspection.data : null } }));
        try {
          const data = await deps.client.inspectEpisode(runId, next);
          if (get().inspection?.seed === next) set({ inspection: { runId, seed: next, loading: false, data } });
        } catch (error) {
          set({ inspection: { runId, seed: next, loading: false, data: null, error: (error as Error).message } });
        }
      },

      async fitSine(runId = get().currentRunId ?? undefined, seed) {
        if (!runId || !isRunLive(get(), runId)) return;
        const next = seed ?? (get().sineFit?.runId === runId ? get().sineFit!.seed + 1 : 1);
        set((s) => ({ sineFit: { runId, seed: next, loading: true, data: s.sineFit?.runId === runId ? s.sineFit.data : null } }));
        try {
          const data = await deps.client.fitSine(runId, next, SINE_FIT_STEPS);
          if (get().sineFit?.seed === next) set({ sineFit: { runId, seed: next, loading: false, data } });
        } catch (error) {
          set({ sineFit: { runId, seed: next, loading: false, data: null, error: (error as Error).message } });
        }
      },

      selectRun(runId) {
        if (runById(runId)) set({ currentRunId: runId, inspection: null, sineFit: null });
      },

      async renameRun(runId, name) {
        const trimmed = name.trim();
        if (!trimmed) return;
        updateRun(runId, (r) => ({ ...r, name: trimmed }));
        try {
          await deps.history.renameRun(runId, trimmed);
        } catch (error) {
          set({ historyMessage: (error as Error).message });
        }
      },

      async deleteRun(runId) {
        const run = runById(runId);
        if (!run) return;
        if (isRunLive(get(), runId) && isActive(run)) await deps.client.stop(runId);
        set((s) => {
          const runs = s.runs.filter((r) => r.id !== runId);
          return {
            runs,
            currentRunId: s.currentRunId === runId ? runs[0]?.id ?? null : s.currentRunId,
            overlayIds: s.overlayIds.filter((x) => x !== runId),
            // The history deletes its kept state with it.
            keptStateIds: s.keptStateIds.filter((x) => x !== runId),
          };
        });
        try {
          await deps.history.deleteRun(runId);
        } catch (error) {
          set({ historyMessage: (error as Error).message });
        }
      },

      async importRun(text, fileName) {
        // The checks are long and rarely needed: loaded when a file is imported, not with the page.
        const { IMPORT_LIMITS, parseRunExport, RunImportError, sameRunContent } = await import('../history/importRun');
        let parsed;
        try {
          parsed = parseRunExport(text, { fileName, now: now() });
        } catch (error) {
          set({
            historyMessage:
              error instanceof RunImportError ? error.message : `${fileName || 'The file'} could not be imported (${(error as Error).message}); export the run again and import that file.`,
          });
          return;
        }
        const { warnings, hasCurves } = parsed;
        let run = parsed.run;
        // Equal content has an equal creation time: compare only those runs in full.
        const same = get().runs.find((r) => r.createdAt === run.createdAt && sameRunContent(r, run, { curves: hasCurves }));
        if (same) {
          set({ historyMessage: `${fileName || 'This run'} is already in your history as "${same.name}"; nothing changed.` });
          return;
        }
        const notes = [...warnings];
        if (runById(run.id)) {
          // Another run (or another state of this one) has the id: keep both, told apart by name.
          let id: string;
          do id = `run-${now().toString(36)}-${(++runCounter).toString(36)}`;
          while (runById(id));
          const name = `${run.name.slice(0, IMPORT_LIMITS.name - ' (imported)'.length)} (imported)`;
          notes.unshift(`Your history already has a different run with the id of "${run.name}"; the imported one was added as "${name}", and neither was changed.`);
          run = { ...run, id, name, evaluations: run.evaluations.map((e) => ({ ...e, runId: id })) };
        }
        const imported = run;
        // Newest first in this visit (it is what the user just did); a reload sorts by creation time.
        set((s) => ({ runs: [imported, ...s.runs], historyMessage: notes.length > 0 ? notes.join(' ') : null }));
        // Show it, unless the current run is training here (switching away would hide that run's progress).
        if (!(isCurrentRunLive(get()) && isActive(runById(get().currentRunId)))) get().selectRun(imported.id);
        try {
          await deps.history.saveRun(imported);
        } catch (error) {
          set({ historyMessage: (error as Error).message });
        }
      },

      applyRunSetup(runId) {
        const run = runById(runId);
        if (!run) return;
        get().applySetup(run.setup);
      },

      applySetup(given) {
        const setup = { ...DEFAULT_SETUP, ...structuredClone(given) };
        const backendChanged = setup.backend !== get().setup.backend;
        set({ setup, problems: setupProblems(setup) });
        if (backendChanged) void get().chooseBackend();
      },

      setBaseline(groupKey, runId) {
        set((s) => ({ baselines: { ...s.baselines, [groupKey]: runId } }));
      },

      toggleOverlay(runId) {
        set((s) => ({ overlayIds: s.overlayIds.includes(runId) ? s.overlayIds.filter((x) => x !== runId) : [...s.overlayIds, runId] }));
      },

      setSmoothing(value) {
        set({ smoothing: Math.min(0.99, Math.max(0, value)) });
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  });
  return store;
}

export type { SetupField };
