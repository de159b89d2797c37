// Named questions about the playground's state, asked by the store, the views and the embed API
// alike: one definition each instead of the same expression written wherever it is needed.
import type { StoredRun } from './runTypes';

/** The part of the playground's state these read. */
interface RunsState {
  runs: readonly StoredRun[];
  /** Runs started in this visit: the worker holds their models. */
  liveRunIds: readonly string[];
  currentRunId: string | null;
}

const ACTIVE: ReadonlyArray<StoredRun['status']> = ['starting', 'training', 'paused'];

/** Starting, training or paused. */
export function isActive(run: StoredRun | undefined): boolean {
  return !!run && ACTIVE.includes(run.status);
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
