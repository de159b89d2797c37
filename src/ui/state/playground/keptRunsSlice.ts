// What the browser keeps of runs, as actions: resuming a run the page was closed on from its kept
// checkpoint (the same episodes from that step on, so it ends as if never interrupted), and
// dropping kept states to free storage (curves and results stay).
import { runConfigOf } from '../runConfig';
import { isActive, isRunLive, isTraining } from '../selectors';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import { keptStateTools } from './keptStates';
import type { KeptRunsSlice } from './types';

export const createKeptRunsSlice =
  (env: PlaygroundEnv): PlaygroundSlice<KeptRunsSlice> =>
  (set, get) => {
    const { deps } = env;
    const { runById, updateRun, save } = playgroundTools(env, set, get);
    const { readyFor } = keptStateTools(env, set, get);
    const say = (runId: string) => (message: string) => updateRun(runId, (r) => ({ ...r, message }));

    return {
      async resumeInterrupted(runId = get().currentRunId ?? undefined) {
        const run = runById(runId);
        if (!run || !runId || run.status !== 'interrupted') return;
        const kept = run.kept;
        if (!kept?.resumable || !get().keptStateIds.includes(runId) || !deps.history.getRunState) {
          say(runId)('Nothing of this run is kept to resume from: apply its setup and train again.');
          return;
        }
        if (isTraining(get())) {
          say(runId)('Another run is training: stop it or let it finish, then resume this one.');
          return;
        }
        if (!(await readyFor(run, say(runId)))) return;
        const state = await deps.history.getRunState(runId).catch(() => undefined);
        if (!state) {
          say(runId)('Its kept checkpoint could not be read from the browser: apply its setup and train again.');
          return;
        }
        // The curve may reach past the kept step (it is saved more often): those steps are trained
        // again, identically, and not shown twice.
        const shownSteps = run.points.at(-1)?.step ?? 0;
        set((s) => ({ liveRunIds: s.liveRunIds.includes(runId) ? s.liveRunIds : [...s.liveRunIds, runId], currentRunId: runId }));
        updateRun(runId, (r) => ({ ...r, status: 'starting', message: undefined }));
        try {
          await deps.client.start(runId, runConfigOf(run.setup), { checkpoint: { step: kept.step, elapsed: kept.elapsed, state }, shownSteps });
        } catch (error) {
          set((s) => ({ liveRunIds: s.liveRunIds.filter((x) => x !== runId) }));
          updateRun(runId, (r) => ({ ...r, status: 'interrupted', message: `It could not resume: ${(error as Error).message}` }));
          return;
        }
        env.checkpoints.keptStep.set(runId, kept.step);
        env.checkpoints.keptAt.set(runId, env.now());
        if (deps.locks) env.releaseLock.set(runId, deps.locks.hold(runId));
        updateRun(runId, (r) => ({ ...r, status: r.status === 'starting' ? 'training' : r.status }));
        void save(runId);
      },

      async dropKeptStates(runIds) {
        const training = (id: string) => isRunLive(get(), id) && isActive(runById(id));
        const ids = (runIds ?? get().keptStateIds).filter((id) => get().keptStateIds.includes(id) && !training(id));
        if (ids.length === 0 || !deps.history.dropRunStates) return;
        try {
          await deps.history.dropRunStates(ids);
        } catch (error) {
          set({ historyMessage: (error as Error).message });
          return;
        }
        set((s) => ({ keptStateIds: s.keptStateIds.filter((id) => !ids.includes(id)) }));
        for (const id of ids) {
          updateRun(id, (r) => {
            const { kept: _dropped, ...rest } = r;
            return r.status === 'interrupted' ? { ...rest, message: `Interrupted at step ${r.progress?.step ?? 0}; its kept state was dropped, so it cannot resume.` } : rest;
          });
          void save(id);
        }
      },
    };
  };
