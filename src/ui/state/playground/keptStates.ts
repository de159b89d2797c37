// Keeping runs' states in the browser, so nothing trained is lost: a training run's checkpoints
// (about every 10 s of training, and at a pause) so a reload, a crash or a closed tab can resume it;
// a run's trained state when it ends; and bringing a kept state back into the worker, so a run from
// an earlier visit can be evaluated, compared and inspected. Tools for the slices that need them.
import type { SavedTensors } from '../../../core/nn/params';
import type { Checkpoint } from '../../../worker/protocol';
import { runConfigOf } from '../runConfig';
import type { KeptState, StoredRun } from '../runTypes';
import { isActive, isBackendReady, isRunLive } from '../selectors';
import { playgroundTools, type GetState, type PlaygroundEnv, type SetState } from './env';

/** Wall-clock time between two checkpoints kept of one training run. */
export const KEEP_CHECKPOINT_EVERY_MS = 10_000;

/** Size in bytes of a state's values. */
export function bytesOf(state: SavedTensors): number {
  return Object.values(state).reduce((sum, t) => sum + t.values.byteLength, 0);
}

export function keptStateTools(env: PlaygroundEnv, set: SetState, get: GetState) {
  const { deps } = env;
  const { runById, updateRun, save } = playgroundTools(env, set, get);
  const log = env.checkpoints;

  /** Writes the state, then the run saying what is kept (so the run never claims more than is there). */
  const keep = async (runId: string, state: SavedTensors, kept: Omit<KeptState, 'savedAt' | 'bytes'>): Promise<boolean> => {
    if (!deps.history.saveRunState) return false;
    try {
      await deps.history.saveRunState(runId, state);
    } catch (error) {
      // The earlier kept state (if any) is untouched: a failed put changes nothing.
      const before = runById(runId)?.kept;
      set({
        historyMessage: `${runById(runId)?.name ?? 'The run'}: its state at step ${kept.step} was not kept${before ? ` (the one at step ${before.step} still is)` : ''}. ${(error as Error).message}`,
      });
      return false;
    }
    updateRun(runId, (r) => ({ ...r, kept: { ...kept, bytes: bytesOf(state), savedAt: env.now() } }));
    set((s) => ({ keptStateIds: s.keptStateIds.includes(runId) ? s.keptStateIds : [...s.keptStateIds, runId] }));
    await save(runId);
    return true;
  };

  /** A checkpoint arrived from the worker: kept when one is due (or `force`, e.g. at a pause). */
  const onCheckpoint = async (runId: string, checkpoint: Checkpoint | undefined, force = false) => {
    if (checkpoint) log.latest.set(runId, checkpoint);
    const latest = log.latest.get(runId);
    if (!latest || latest.step <= (log.keptStep.get(runId) ?? -1)) return;
    if (!force && env.now() - (log.keptAt.get(runId) ?? -Infinity) < KEEP_CHECKPOINT_EVERY_MS) return;
    log.keptAt.set(runId, env.now());
    log.keptStep.set(runId, latest.step);
    // Written in a task of its own, not in the one that received the 1.3 MB message: together they
    // made one long task of the page in the middle of training.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await keep(runId, latest.state, { step: latest.step, elapsed: latest.elapsed, resumable: true });
  };

  /** The run ended in this tab: keep its trained state (what evaluation and backbones load). */
  const onFinished = async (runId: string, stepsDone: number) => {
    log.latest.delete(runId);
    if (!deps.client.runState) return;
    let state: SavedTensors;
    try {
      state = await deps.client.runState(runId);
    } catch {
      return; // The worker holds no state for it (it failed before its first step): nothing to keep.
    }
    await keep(runId, state, { step: stepsDone, elapsed: runById(runId)?.seconds ?? 0, resumable: false });
  };

  /**
   * Makes a run's model available in the worker: true at once for a run trained in this tab; a run
   * from an earlier visit whose state is kept is restored from it (its dataset loaded first).
   * Otherwise false, with the reason in `fail`.
   */
  const makeLive = async (runId: string, fail: (reason: string) => void): Promise<boolean> => {
    if (isRunLive(get(), runId)) return true;
    const run = runById(runId);
    if (!run) return false;
    if (!get().keptStateIds.includes(runId) || !deps.client.restore || !deps.history.getRunState) {
      fail('This run was trained in an earlier visit and its weights are not kept: apply its setup and train again to evaluate it.');
      return false;
    }
    if (isActive(run) || run.status === 'interrupted') {
      fail('This run did not finish: resume it, then evaluate it.');
      return false;
    }
    if (!(await readyFor(run, fail))) return false;
    try {
      const state = await deps.history.getRunState(runId);
      if (!state) throw new Error('its kept state is gone (dropped in another tab?); apply its setup and train again');
      await deps.client.restore(runId, runConfigOf(run.setup), state);
    } catch (error) {
      fail(`The run's kept state could not be loaded: ${(error as Error).message}.`);
      return false;
    }
    set((s) => ({ liveRunIds: s.liveRunIds.includes(runId) ? s.liveRunIds : [...s.liveRunIds, runId] }));
    return true;
  };

  /** A backend and the run's dataset in the worker. */
  const readyFor = async (run: StoredRun, fail: (reason: string) => void): Promise<boolean> => {
    if (!isBackendReady(get())) await get().chooseBackend();
    if (!isBackendReady(get())) {
      fail('No compute backend is ready; see the message at the top.');
      return false;
    }
    if (!(await get().loadDataset(run.setup.dataset))) {
      fail(`Its dataset (${run.datasetLabel}) could not be loaded; load it in the panel, then try again.`);
      return false;
    }
    return true;
  };

  return { onCheckpoint, onFinished, makeLive, readyFor, keep };
}
