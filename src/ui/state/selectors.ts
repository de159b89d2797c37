// Named questions about the playground's state, asked by the store, the views, the embed API and
// the "Your images" store alike: one definition each instead of the same expression written
// wherever it is needed (and instead of other stores reading the playground's fields).
import { familyOf } from '../../core/experiment/datasets';
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

/** Whether a live run is starting, training or paused: the worker is busy with it. */
export function isTraining(state: Pick<RunsState, 'runs' | 'liveRunIds'>): boolean {
  return state.runs.some((run) => isRunLive(state, run.id) && isActive(run));
}

/**
 * Runs that can serve as backbones on "Your images": image-classification runs (only their Conv-4
 * embeds images; a sine-wave run has no image features) that trained and ended, whose trained state
 * is live in the worker or kept in the browser. In the order of the runs (newest first).
 */
export function backboneCandidates(state: Pick<RunsState, 'runs' | 'liveRunIds' | 'keptStateIds'>): StoredRun[] {
  return state.runs
    .filter((r) => familyOf(r.setup.dataset).id === 'classification' && !isActive(r) && r.points.length > 0)
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
