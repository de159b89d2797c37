// Named questions about the playground's state, asked by the store, the views, the embed API and
// the "Your images" store alike: one definition each instead of the same expression written
// wherever it is needed (and instead of other stores reading the playground's fields).
import { familyOf } from '../../core/experiment/datasets';
import type { DatasetSummary } from '../../worker/protocol';
import type { PlaygroundState } from './playground/types';
import type { StoredRun } from './runTypes';
import type { DatasetChoice } from './setup';

/** The part of the playground's state these read. */
interface RunsState {
  runs: readonly StoredRun[];
  /** Runs started in this visit: the worker holds their models. */
  liveRunIds: readonly string[];
  /** Runs whose trained state is kept in the browser. */
  keptStateIds: readonly string[];
  currentRunId: string | null;
}

const ACTIVE: ReadonlyArray<StoredRun['status']> = ['starting', 'training', 'paused'];

/** Starting, training or paused. */
export function isActive(run: StoredRun | undefined): boolean {
  return !!run && ACTIVE.includes(run.status);
}

/** The run with this id (undefined: none). */
export function runOf(state: Pick<RunsState, 'runs'>, runId: string | null | undefined): StoredRun | undefined {
  return state.runs.find((r) => r.id === runId);
}

/** Whether the worker holds this run's model (it was started in this visit). */
export function isRunLive(state: Pick<RunsState, 'liveRunIds'>, runId: string | null | undefined): boolean {
  return !!runId && state.liveRunIds.includes(runId);
}

/** Whether the selected run is live (its model can be evaluated and inspected). */
export function isCurrentRunLive(state: Pick<RunsState, 'liveRunIds' | 'currentRunId'>): boolean {
  return isRunLive(state, state.currentRunId);
}

/**
 * Whether the run's model can be evaluated, compared and inspected: it ended (not interrupted), and
 * the worker holds it or the browser keeps its trained state (it is brought back on first use).
 */
export function isRunUsable(state: Pick<RunsState, 'runs' | 'liveRunIds' | 'keptStateIds'>, runId: string | null | undefined): boolean {
  const run = runOf(state, runId);
  if (!run || isActive(run) || run.status === 'interrupted') return false;
  return isRunLive(state, run.id) || state.keptStateIds.includes(run.id);
}

/** Whether the run was interrupted and its kept checkpoint lets it continue. */
export function isResumable(state: Pick<RunsState, 'runs' | 'keptStateIds'>, runId: string | null | undefined): boolean {
  const run = runOf(state, runId);
  return !!run && run.status === 'interrupted' && !!run.kept?.resumable && state.keptStateIds.includes(run.id);
}

/** How many runs have a kept state, and their size in bytes. */
export function keptStorage(state: Pick<RunsState, 'runs' | 'keptStateIds'>): { runs: number; bytes: number } {
  const kept = state.runs.filter((r) => state.keptStateIds.includes(r.id));
  return { runs: kept.length, bytes: kept.reduce((sum, r) => sum + (r.kept?.bytes ?? 0), 0) };
}

/** Whether a live run is starting, training or paused: the worker is busy with it. */
export function isTraining(state: Pick<RunsState, 'runs' | 'liveRunIds'>): boolean {
  return state.runs.some((run) => isRunLive(state, run.id) && isActive(run));
}

/**
 * Runs that can serve as backbones on "Your images": image-classification runs (only their Conv-4
 * embeds images; a sine-wave run has no image features) that trained and ended (not interrupted), whose trained state
 * is live in the worker or kept in the browser. In the order of the runs (newest first).
 */
export function backboneCandidates(state: Pick<RunsState, 'runs' | 'liveRunIds' | 'keptStateIds'>): StoredRun[] {
  return state.runs
    .filter((r) => familyOf(r.setup.dataset).id === 'classification' && !isActive(r) && r.status !== 'interrupted' && r.points.length > 0)
    .filter((r) => isRunLive(state, r.id) || state.keptStateIds.includes(r.id));
}

/** Whether the compute backend is ready. */
export function isBackendReady(state: Pick<PlaygroundState, 'backendStatus'>): boolean {
  return state.backendStatus === 'ready';
}

/** Why no compute backend could start (null: one is ready or still being chosen). */
export function backendFailure(state: Pick<PlaygroundState, 'backendStatus' | 'backendMessage'>): string | null {
  return state.backendStatus === 'error' ? (state.backendMessage ?? 'none could start') : null;
}

/** What went wrong with a dataset (loading, downloading), if anything was said. */
export function datasetProblem(state: Pick<PlaygroundState, 'datasets'>, dataset: DatasetChoice): string | undefined {
  return state.datasets[dataset]?.message;
}

/** A dataset as the worker loaded it (undefined: not loaded, or loading), for checking a setup against it. */
export function loadedSummary(state: Pick<PlaygroundState, 'datasets'>, dataset: DatasetChoice): DatasetSummary | undefined {
  const loaded = state.datasets[dataset];
  return loaded?.status === 'ready' ? loaded.summary : undefined;
}
