// Looking into a run's model (live, or brought back from its kept state): the episode viewer (one test episode, seeded) and the sine plot
// (a test wave and the fits after 0..SINE_FIT_STEPS adaptation steps). A newer request's answer
// wins over an older one's.
import { isRunLive } from '../selectors';
import type { PlaygroundEnv, PlaygroundSlice } from './env';
import { keptStateTools } from './keptStates';
import type { InspectionSlice } from './types';

/** Adaptation steps the sine plot shows fits for (the MAML paper's figure shows 0, 1 and 10). */
export const SINE_FIT_STEPS = 10;

export const createInspectionSlice =
  (env: PlaygroundEnv): PlaygroundSlice<InspectionSlice> =>
  (set, get) => {
    const { makeLive } = keptStateTools(env, set, get);
    /** The run's model in the worker: a run from an earlier visit comes back from its kept state. */
    const live = async (runId: string, fail: (error: string) => void) => isRunLive(get(), runId) || (await makeLive(runId, fail));
    return {
      inspection: null,
      sineFit: null,

      async inspect(runId = get().currentRunId ?? undefined, seed) {
        if (!runId) return;
        const next = seed ?? (get().inspection?.runId === runId ? get().inspection!.seed + 1 : 1);
        if (!(await live(runId, (error) => set({ inspection: { runId, seed: next, loading: false, data: null, error } })))) return;
        set((s) => ({ inspection: { runId, seed: next, loading: true, data: s.inspection?.runId === runId ? s.inspection.data : null } }));
        try {
          const data = await env.deps.client.inspectEpisode(runId, next);
          if (get().inspection?.seed === next) set({ inspection: { runId, seed: next, loading: false, data } });
        } catch (error) {
          set({ inspection: { runId, seed: next, loading: false, data: null, error: (error as Error).message } });
        }
      },

      async fitSine(runId = get().currentRunId ?? undefined, seed) {
        if (!runId) return;
        const next = seed ?? (get().sineFit?.runId === runId ? get().sineFit!.seed + 1 : 1);
        if (!(await live(runId, (error) => set({ sineFit: { runId, seed: next, loading: false, data: null, error } })))) return;
        set((s) => ({ sineFit: { runId, seed: next, loading: true, data: s.sineFit?.runId === runId ? s.sineFit.data : null } }));
        try {
          const data = await env.deps.client.fitSine(runId, next, SINE_FIT_STEPS);
          if (get().sineFit?.seed === next) set({ sineFit: { runId, seed: next, loading: false, data } });
        } catch (error) {
          set({ sineFit: { runId, seed: next, loading: false, data: null, error: (error as Error).message } });
        }
      },
    };
  };
