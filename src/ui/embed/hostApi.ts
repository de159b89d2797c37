// The embed mode's postMessage API: a host page that embeds the playground in an iframe can set
// the configuration, start, pause, resume and stop a run, evaluate it, and receive its progress
// and results. Every message, both ways, is `{ source: 'few-shot-lab', version: 1, type, ... }`.
//
// Security: the embed URL lists the host origins allowed to drive it (`origin=https://host.example`,
// see embedOptions.ts). A message is acted on only if it comes from the iframe's parent window and
// its event.origin is one of those; anything else is ignored without an answer. Events go to the
// parent with an explicit target origin (never '*'). With no allowed origin the API is off: the
// embed URL must list the host page's origin. Every accepted message is validated strictly
// (validateHostMessage) before any store action runs.
//
// No React; the store is the playground's zustand store, the window is injected (tests pass a fake).
import type { StoredRun, RunStatus } from '../state/runTypes';
import type { Setup } from '../state/setup';
import { isActive, isRunLive } from '../state/selectors';
import type { PlaygroundStore, PlaygroundState } from '../state/store';
import { RESERVED_KEYS, setupFromQuery, setupToQuery } from '../state/urlState';
import type { SamplerConfig } from '../../worker/protocol';
import type { MetricName } from '../../core/experiment/taskFamily';

export const HOST_API_SOURCE = 'few-shot-lab';
export const HOST_API_VERSION = 1;
/** Longest string accepted in a host message (a query, a method name, a request id). */
export const MAX_STRING_LENGTH = 4096;
/** At most this many progress events per second reach the host (the last one of a run always does). */
export const PROGRESS_INTERVAL_MS = 250;

interface Envelope {
  source: typeof HOST_API_SOURCE;
  version: typeof HOST_API_VERSION;
  /** Chosen by the host, echoed in the direct answer (config, started, error) to this request. */
  requestId?: string | number;
}

/** The setup's fields a host may set with `setConfig { setup }`; values are checked as a link's are. */
export type SetupPatch = Partial<Setup>;

/** Host → embed. */
export type HostMessage = Envelope &
  (
    | { type: 'setConfig'; query: string }
    | { type: 'setConfig'; setup: SetupPatch }
    | { type: 'start' }
    | { type: 'stop' }
    | { type: 'pause' }
    | { type: 'resume' }
    | { type: 'evaluate' }
    | { type: 'getState' }
    /**
     * A trained model the app ships (src/snapshots): `snapshot` names it (default: the one for the
     * current setup's dataset, method, ways and shots). Answered by `started`, then `finished` and
     * `evaluated` with its recorded evaluation at once; `start` afterwards trains a new run.
     */
    | { type: 'startFromSnapshot'; snapshot?: string }
  );

export type HostRequestType = HostMessage['type'];
export const HOST_REQUEST_TYPES: readonly HostRequestType[] = ['setConfig', 'start', 'stop', 'pause', 'resume', 'evaluate', 'getState', 'startFromSnapshot'];

/** The current run as the host sees it. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  step: number;
  totalSteps: number;
}

/** Embed → host. */
export type EmbedEvent = Envelope &
  (
    | { type: 'ready'; setup: Setup; query: string; run: RunSummary | null; requestTypes: readonly HostRequestType[] }
    /** Answer to setConfig and getState: the setup now in use, and what of the request was ignored. */
    | { type: 'config'; setup: Setup; query: string; run: RunSummary | null; notices: string[] }
    /** Answer to start: the run that began (its progress follows). */
    /** Answer to start and startFromSnapshot (which names the trained model in `snapshot`). */
    | { type: 'started'; runId: string; setup: Setup; query: string; snapshot?: string }
    | {
        type: 'progress';
        runId: string;
        status: RunStatus;
        step: number;
        totalSteps: number;
        /** Of the newest curve point; null before the first one. accuracy is null for regression. */
        loss: number | null;
        accuracy: number | null;
        stepsPerSecond: number;
        /** Newest validation point, if the run validates. */
        validation: { step: number; metric: MetricName; mean: number; ci95: number } | null;
      }
    | { type: 'finished'; runId: string; status: 'done' | 'stopped' | 'diverged' | 'failed'; message: string | null }
    | {
        type: 'evaluated';
        runId: string;
        metric: MetricName;
        /** The headline result (accuracy; for regression the MSE after the most adaptation steps). */
        mean: number;
        ci95: number;
        episodes: number;
        seed: number;
        settings: SamplerConfig;
        /** Every result (regression: one per adaptation step count). */
        results: Array<{ label: string; mean: number; ci95: number }>;
      }
    | { type: 'error'; message: string; requestType: string | null }
  );

export type EmbedEventType = EmbedEvent['type'];

/** An event without its envelope (each member of the union on its own). */
type EventBody = EmbedEvent extends infer E ? (E extends unknown ? Omit<E, 'source' | 'version' | 'requestId'> : never) : never;

// ---------------------------------------------------------------------------------------------
// Validation

type Check = (value: unknown) => string | null;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

const text: Check = (v) => (typeof v !== 'string' ? 'must be a string' : v.length > MAX_STRING_LENGTH ? `is longer than ${MAX_STRING_LENGTH} characters` : null);
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'must be a finite number');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const split: Check = (v) => {
  if (!isRecord(v)) return 'must be { train, val, test } (percentages)';
  const keys = Object.keys(v);
  if (keys.length !== 3 || !['train', 'val', 'test'].every((k) => keys.includes(k))) return 'must have exactly train, val and test';
  for (const k of ['train', 'val', 'test']) if (finite(v[k])) return `.${k} must be a finite number`;
  return null;
};
const MAX_HYPERPARAMETERS = 50;
const hyperparameters: Check = (v) => {
  if (!isRecord(v)) return 'must be an object of name: value';
  const entries = Object.entries(v);
  if (entries.length > MAX_HYPERPARAMETERS) return `has more than ${MAX_HYPERPARAMETERS} entries`;
  for (const [name, value] of entries) {
    if (name.length > 100 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `has an invalid name "${name.slice(0, 40)}"`;
    if (typeof value === 'string' ? text(value) : finite(value)) return `.${name} must be a number or a short string`;
  }
  return null;
};

/** Each settable Setup field: its type check, and how it is written as a link's query pair. */
const SETUP_FIELDS: Record<keyof Setup, { check: Check; pairs(value: never): Array<[string, string]> }> = {
  dataset: { check: text, pairs: (v: string) => [['dataset', v]] },
  way: { check: finite, pairs: (v: number) => [['way', String(v)]] },
  shot: { check: finite, pairs: (v: number) => [['shot', String(v)]] },
  query: { check: finite, pairs: (v: number) => [['query', String(v)]] },
  trainWay: { check: finite, pairs: (v: number) => [['trainWay', String(v)]] },
  split: { check: split, pairs: (v: Setup['split']) => [['split', `${v.train},${v.val},${v.test}`]] },
  augmentShift: { check: finite, pairs: (v: number) => [['shift', String(v)]] },
  augmentFlip: { check: bool, pairs: (v: boolean) => [['flip', v ? '1' : '0']] },
  method: { check: text, pairs: (v: string) => [['method', v]] },
  hyperparameters: { check: hyperparameters, pairs: (v: Record<string, number | string>) => Object.entries(v).map(([k, x]) => [`h.${k}`, String(x)]) },
  steps: { check: finite, pairs: (v: number) => [['steps', String(v)]] },
  valEvery: { check: finite, pairs: (v: number) => [['valEvery', String(v)]] },
  evalEpisodes: { check: finite, pairs: (v: number) => [['evalEpisodes', String(v)]] },
  seed: { check: finite, pairs: (v: number) => [['seed', String(v)]] },
  backend: { check: text, pairs: (v: string) => [['backend', v]] },
};

/** The fields each request type may carry besides source, version, type and requestId. */
const FIELDS_OF: Record<HostRequestType, readonly string[]> = {
  setConfig: ['query', 'setup'],
  start: [],
  stop: [],
  pause: [],
  resume: [],
  evaluate: [],
  getState: [],
  startFromSnapshot: ['snapshot'],
};

/** True when `data` is meant for this API (carries its source tag), whatever else is wrong with it. */
export function isHostApiMessage(data: unknown): boolean {
  return isRecord(data) && data.source === HOST_API_SOURCE;
}

/**
 * `data` as a host message, or why it is not one. Strict: the source tag and version must match,
 * the type must be known, no field may be unknown or of the wrong type, no string longer than 4 kB.
 * Values within range are not checked here: setConfig's values are checked as a link's are.
 */
export function validateHostMessage(data: unknown): HostMessage | { error: string } {
  if (!isRecord(data)) return { error: 'A message must be a plain object.' };
  if (data.source !== HOST_API_SOURCE) return { error: `A message must have source: "${HOST_API_SOURCE}".` };
  if (data.version !== HOST_API_VERSION) return { error: `Unsupported version ${JSON.stringify(data.version)?.slice(0, 20)}; this playground speaks version ${HOST_API_VERSION}.` };
  const type = data.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS_OF, type)) {
    return { error: `Unknown message type ${typeof type === 'string' ? `"${type.slice(0, 40)}"` : String(typeof type)}; known: ${HOST_REQUEST_TYPES.join(', ')}.` };
  }
  const requestType = type as HostRequestType;
  const requestId = data.requestId;
  if (requestId !== undefined && !(typeof requestId === 'string' ? requestId.length <= 200 : typeof requestId === 'number' && Number.isFinite(requestId))) {
    return { error: 'requestId must be a string of at most 200 characters or a finite number.' };
  }
  const allowed = new Set(['source', 'version', 'type', 'requestId', ...FIELDS_OF[requestType]]);
  const unknown = Object.keys(data).filter((k) => !allowed.has(k));
  if (unknown.length) return { error: `${requestType} has no field ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}.` };
  const base: Envelope = { source: HOST_API_SOURCE, version: HOST_API_VERSION, ...(requestId !== undefined && { requestId: requestId as string | number }) };

  if (requestType === 'startFromSnapshot') {
    if (data.snapshot === undefined) return { ...base, type: requestType };
    const problem = text(data.snapshot);
    return problem ? { error: `startFromSnapshot.snapshot ${problem}.` } : { ...base, type: requestType, snapshot: data.snapshot as string };
  }
  if (requestType !== 'setConfig') return { ...base, type: requestType };
  const hasQuery = data.query !== undefined;
  const hasSetup = data.setup !== undefined;
  if (hasQuery === hasSetup) return { error: 'setConfig needs either query (a link\'s query string) or setup (setup fields), not both.' };
  if (hasQuery) {
    const problem = text(data.query);
    return problem ? { error: `setConfig.query ${problem}.` } : { ...base, type: 'setConfig', query: data.query as string };
  }
  if (!isRecord(data.setup)) return { error: 'setConfig.setup must be an object of setup fields.' };
  for (const [field, value] of Object.entries(data.setup)) {
    if (!Object.hasOwn(SETUP_FIELDS, field)) return { error: `setConfig.setup has no field "${field.slice(0, 40)}" (known: ${Object.keys(SETUP_FIELDS).join(', ')}).` };
    const problem = SETUP_FIELDS[field as keyof Setup].check(value);
    if (problem) return { error: `setConfig.setup.${field} ${problem}.` };
  }
  return { ...base, type: 'setConfig', setup: structuredClone(data.setup) as SetupPatch };
}

/** A validated setup patch as a link's query, so its values are checked as a link's are. */
export function setupPatchToQuery(patch: SetupPatch): string {
  const params = new URLSearchParams();
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    for (const [key, text] of SETUP_FIELDS[field as keyof Setup].pairs(value as never)) params.append(key, text);
  }
  return params.toString();
}

// ---------------------------------------------------------------------------------------------
// Connection

/** The parts of a window the API uses (the page's `window`; tests pass a fake). */
export type HostApiWindow = Pick<Window, 'addEventListener' | 'removeEventListener' | 'parent'>;

export interface HostApiOptions {
  store: PlaygroundStore;
  window: HostApiWindow;
  /** From embedOptionsFromQuery; empty turns the API off. */
  allowedOrigins: readonly string[];
  /** Why a message was ignored (diagnostics; nothing is answered to it). */
  log?: (message: string) => void;
  /** Progress throttle interval (default PROGRESS_INTERVAL_MS). */
  progressIntervalMs?: number;
  now?: () => number;
}

const TERMINAL: ReadonlyArray<RunStatus> = ['done', 'stopped', 'diverged', 'failed'];

function runSummary(run: StoredRun | undefined): RunSummary | null {
  if (!run) return null;
  return { runId: run.id, status: run.status, step: run.progress?.step ?? run.points.at(-1)?.step ?? 0, totalSteps: run.progress?.totalSteps ?? run.setup.steps };
}

/**
 * Starts the postMessage API: answers the parent's valid messages from an allowed origin by
 * calling the store's actions, and posts `ready`, then the current run's progress (throttled),
 * end and evaluations. Returns the function that stops it. Does nothing with no allowed origin or
 * when the page is not in a frame.
 */
export function connectHostApi(options: HostApiOptions): () => void {
  const { store, window: win, allowedOrigins } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => Date.now());
  const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const allowed = allowedOrigins.filter((o) => o !== '*' && o !== 'null');
  if (allowed.length === 0) {
    log('Host API off: the embed URL lists no allowed origin (origin=https://your-host.example).');
    return () => {};
  }
  const parent = win.parent;
  if (!parent || (parent as unknown) === win) {
    log('Host API off: the page is not in a frame.');
    return () => {};
  }
  // Once the host has spoken, its origin is known and events go to it alone; before, each allowed
  // origin is tried (the browser delivers only the one that matches the parent's real origin).
  let hostOrigin: string | null = null;
  let closed = false;
  /** While a snapshot's run is being added: its events wait for the answer to the request. */
  let holdNewRuns = false;

  const post = (event: EmbedEvent, to?: string) => {
    if (closed) return;
    for (const origin of to ? [to] : hostOrigin ? [hostOrigin] : allowed) {
      try {
        parent.postMessage(event, origin);
      } catch (error) {
        log(`Could not post ${event.type} to ${origin}: ${(error as Error).message}`);
      }
    }
  };
  const envelope = { source: HOST_API_SOURCE, version: HOST_API_VERSION } as const;
  const state = () => store.getState();
  const currentRun = (s: PlaygroundState = state()) => s.runs.find((r) => r.id === s.currentRunId);
  const configOf = (s: PlaygroundState) => ({ setup: structuredClone(s.setup), query: setupToQuery(s.setup), run: runSummary(currentRun(s)) });

  // --- Requests -------------------------------------------------------------------------------
  const handle = async (message: HostMessage, origin: string) => {
    const reply = (event: EventBody) =>
      post({ ...envelope, ...(message.requestId !== undefined && { requestId: message.requestId }), ...event } as EmbedEvent, origin);
    const fail = (text: string) => reply({ type: 'error', message: text, requestType: message.type });
    const run = currentRun();
    const live = isRunLive(state(), run?.id);
    switch (message.type) {
      case 'getState':
        reply({ type: 'config', ...configOf(state()), notices: [] });
        return;
      case 'setConfig': {
        const query = 'query' in message ? message.query : setupPatchToQuery(message.setup);
        const notices: string[] = [];
        const given = new URLSearchParams(query);
        for (const key of RESERVED_KEYS) {
          if (given.has(key)) notices.push(`Ignored "${key}" in setConfig: the embed options are fixed by the embed URL.`);
        }
        const result = setupFromQuery(query, state().setup);
        state().applySetup(result.setup);
        reply({ type: 'config', ...configOf(state()), notices: [...notices, ...result.notices] });
        return;
      }
      case 'start': {
        if (live && isActive(run)) return fail('A run is already training: stop it first.');
        const before = new Set(state().runs.map((r) => r.id));
        await state().train();
        const started = currentRun();
        if (started && !before.has(started.id) && isRunLive(state(), started.id)) {
          reply({ type: 'started', runId: started.id, setup: structuredClone(started.setup), query: setupToQuery(started.setup) });
        } else {
          const problems = Object.values(state().problems).filter(Boolean);
          fail(problems.length ? `Training did not start: ${problems.join(' ')}` : 'Training did not start.');
        }
        return;
      }
      case 'startFromSnapshot': {
        if (live && isActive(run)) return fail('A run is training: stop it first.');
        // Its finished and evaluated events follow the answer, not precede it.
        holdNewRuns = true;
        let runId: string | null;
        try {
          runId = await state().startFromSnapshot(message.snapshot);
        } finally {
          holdNewRuns = false;
        }
        const started = runId ? state().runs.find((r) => r.id === runId) : undefined;
        if (!started) return fail(state().snapshotStatus?.message ?? 'The trained model could not be loaded.');
        reply({ type: 'started', runId: started.id, setup: structuredClone(started.setup), query: setupToQuery(started.setup), snapshot: started.snapshot?.id });
        onState(state());
        return;
      }
      case 'pause':
        if (!live || run!.status !== 'training') return fail('No run is training.');
        await state().pause();
        return;
      case 'resume':
        if (!live || run!.status !== 'paused') return fail('No run is paused.');
        await state().resume();
        return;
      case 'stop':
        if (!live || !isActive(run)) return fail('No run is training.');
        await state().stop();
        return;
      case 'evaluate': {
        if (!run) return fail('There is no run to evaluate: start one first.');
        if (!live) return fail('This run was trained in an earlier visit and its weights are not kept: train it again to evaluate it.');
        if (isActive(run)) return fail('The run is still training: stop it or let it finish, then evaluate.');
        const inProgress = state().evaluation;
        if (inProgress && !inProgress.error) return fail('An evaluation is already running.');
        await state().evaluate(run.id);
        const after = state().evaluation;
        if (after?.runId === run.id && after.error) fail(after.error);
        return;
      }
    }
  };

  const onMessage = (event: Event) => {
    const { origin, source, data } = event as MessageEvent;
    if (source !== parent) return log(`Ignored a message not from the parent window (origin ${origin}).`);
    if (!allowed.includes(origin)) return log(`Ignored a message from ${origin}: not an allowed origin.`);
    if (!isHostApiMessage(data)) return log(`Ignored a message from ${origin} without source "${HOST_API_SOURCE}".`);
    hostOrigin = origin;
    const message = validateHostMessage(data);
    if ('error' in message) {
      const type = isRecord(data) && typeof data.type === 'string' ? data.type.slice(0, 40) : null;
      post({ ...envelope, type: 'error', message: message.error, requestType: type }, origin);
      return;
    }
    handle(message, origin).catch((error: unknown) =>
      post({ ...envelope, type: 'error', message: (error as Error)?.message ?? String(error), requestType: message.type }, origin),
    );
  };

  // --- Events from the store ---------------------------------------------------------------------
  let lastProgressAt = -Infinity;
  let pending: StoredRun | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** Status and number of evaluations seen per live run, so each change is reported once. */
  const seen = new Map<string, { status: RunStatus; evaluations: number; progress: StoredRun['progress'] }>();
  for (const r of state().runs) seen.set(r.id, { status: r.status, evaluations: r.evaluations.length, progress: r.progress });

  const progressEvent = (r: StoredRun): EmbedEvent => {
    const point = r.points.at(-1);
    const validation = r.validation.at(-1);
    return {
      ...envelope,
      type: 'progress',
      runId: r.id,
      status: r.status,
      step: r.progress?.step ?? point?.step ?? 0,
      totalSteps: r.progress?.totalSteps ?? r.setup.steps,
      loss: point?.loss ?? null,
      accuracy: point?.accuracy ?? null,
      stepsPerSecond: r.progress?.stepsPerSecond ?? 0,
      validation: validation ? { step: validation.step, metric: validation.metric, mean: validation.summary.mean, ci95: validation.summary.ci95 } : null,
    };
  };
  const flushProgress = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const r = pending;
    pending = null;
    lastProgressAt = now();
    post(progressEvent(r));
  };
  const queueProgress = (r: StoredRun) => {
    if (pending && pending.id !== r.id) flushProgress();
    pending = r;
    const wait = lastProgressAt + interval - now();
    if (wait <= 0) flushProgress();
    else if (!timer) timer = setTimeout(flushProgress, wait);
  };

  const onState = (s: PlaygroundState) => {
    for (const r of s.runs) {
      if (!isRunLive(s, r.id) || (holdNewRuns && !seen.has(r.id))) continue;
      const before = seen.get(r.id) ?? { status: 'starting' as RunStatus, evaluations: 0, progress: null };
      seen.set(r.id, { status: r.status, evaluations: r.evaluations.length, progress: r.progress });
      if (r.id === s.currentRunId && r.progress !== before.progress && (r.status === 'training' || r.status === 'paused')) queueProgress(r);
      if (TERMINAL.includes(r.status) && !TERMINAL.includes(before.status)) {
        // The last progress (the step where it ended) goes before the end, unthrottled.
        if (pending?.id === r.id) pending = r;
        else if (r.progress && r.progress !== before.progress) pending = r;
        flushProgress();
        post({ ...envelope, type: 'finished', runId: r.id, status: r.status as 'done' | 'stopped' | 'diverged' | 'failed', message: r.message ?? null });
      }
      for (const evaluation of r.evaluations.slice(before.evaluations)) {
        const results = evaluation.results.map((x) => ({ label: x.label, mean: x.summary.mean, ci95: x.summary.ci95 }));
        const headline = results.at(-1) ?? { mean: NaN, ci95: NaN };
        post({
          ...envelope,
          type: 'evaluated',
          runId: r.id,
          metric: evaluation.metric,
          mean: headline.mean,
          ci95: headline.ci95,
          episodes: evaluation.episodes,
          seed: evaluation.seed,
          settings: { ...evaluation.settings },
          results,
        });
      }
    }
  };

  win.addEventListener('message', onMessage);
  const unsubscribe = store.subscribe(onState);
  post({ ...envelope, type: 'ready', ...configOf(state()), requestTypes: HOST_REQUEST_TYPES });

  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = null;
    pending = null;
    unsubscribe();
    win.removeEventListener('message', onMessage);
  };
}
