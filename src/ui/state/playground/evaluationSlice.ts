// Evaluating a trained run on test episodes (one from an earlier visit from its kept state), and
// comparing runs: the baseline of each comparison
// group, earlier runs' curves drawn over the current one, and the curves' smoothing.
import { EVALUATION_SEED } from '../runConfig';
import { isActive, isRunLive } from '../selectors';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import { keptStateTools } from './keptStates';
import type { EvaluationSlice } from './types';

export const createEvaluationSlice =
  (env: PlaygroundEnv): PlaygroundSlice<EvaluationSlice> =>
  (set, get) => {
    const { runById, updateRun, save } = playgroundTools(env, set, get);
    const { makeLive } = keptStateTools(env, set, get);
    return {
      evaluation: null,
      baselines: {},
      overlayIds: [],
      smoothing: 0.6,

      async evaluate(runId = get().currentRunId ?? undefined) {
        const run = runById(runId);
        if (!run || !runId) return;
        const inProgress = get().evaluation;
        if (isActive(run) || (inProgress && !inProgress.error)) return;
        // A run from an earlier visit is brought back from its kept state first.
        const fail = (error: string) => set({ evaluation: { runId, done: 0, total: 0, startedAt: Date.now(), error } });
        if (!isRunLive(get(), runId) && !(await makeLive(runId, fail))) return;
        const episodes = run.setup.evalEpisodes;
        const startedAt = Date.now();
        set({ evaluation: { runId, done: 0, total: episodes, startedAt } });
        try {
          const result = await env.deps.client.evaluate(runId, episodes, EVALUATION_SEED);
          updateRun(runId, (r) => ({ ...r, evaluations: [...r.evaluations, result] }));
          set({ evaluation: null });
          void save(runId);
        } catch (error) {
          set({ evaluation: { runId, done: 0, total: episodes, startedAt, error: (error as Error).message } });
        }
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
    };
  };
