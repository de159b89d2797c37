// Starting the playground's session: listening to the worker, reading the run history (a run cut
// off by a closed page, a reload or a crash is "interrupted" and resumes from its kept checkpoint;
// one training in another tab is left to that tab), whether Omniglot is cached, and choosing the
// backend; and the notice for what belongs to no control.
import type { StoredRun } from '../runTypes';
import { isActive } from '../selectors';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import type { SessionSlice } from './types';
import { workerEventHandler } from './workerEvents';

export const createSessionSlice =
  (env: PlaygroundEnv): PlaygroundSlice<SessionSlice> =>
  (set, get) => {
    const { deps } = env;
    const { setDataset } = playgroundTools(env, set, get);
    // One handler per store: starting again does not listen twice (the client keeps a set).
    const onEvent = workerEventHandler(env, set, get);
    return {
      notice: null,

      async start() {
        deps.client.on(onEvent);
        const [history, cached, kept, elsewhere] = await Promise.allSettled([
          deps.history.listRuns(),
          deps.omniglot.isCached(),
          deps.history.runStateIds?.() ?? [],
          deps.locks?.held() ?? new Set<string>(),
        ]);
        const keptIds = kept.status === 'fulfilled' ? kept.value : [];
        set({ keptStateIds: keptIds });
        if (history.status === 'fulfilled') {
          const trainingElsewhere = elsewhere.status === 'fulfilled' ? elsewhere.value : new Set<string>();
          const runs = history.value.map((r) =>
            !isActive(r) ? r : trainingElsewhere.has(r.id) ? { ...r, message: TRAINING_ELSEWHERE } : interrupted(r, keptIds.includes(r.id)),
          );
          set((s) => ({ runs: [...s.runs, ...runs.filter((r) => !s.runs.some((x) => x.id === r.id))], currentRunId: s.currentRunId ?? runs[0]?.id ?? null }));
        } else {
          set({ historyMessage: (history.reason as Error).message });
        }
        if (cached.status === 'fulfilled') setDataset('omniglot', { cached: cached.value });
        await get().chooseBackend();
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  };

const TRAINING_ELSEWHERE = 'Training in another tab of this browser: its progress shows there; reload this page to see how far it got.';

/** A run the page stopped holding while it trained: what it reached, and what it can resume from. */
function interrupted(run: StoredRun, stateKept: boolean): StoredRun {
  const reached = Math.max(run.progress?.step ?? 0, run.points.at(-1)?.step ?? 0);
  const kept = stateKept && run.kept?.resumable ? run.kept : undefined;
  const message = kept
    ? `Interrupted at step ${reached} (kept at step ${kept.step}): the page was closed, reloaded or crashed while it trained. Resume continues from step ${kept.step} with the same episodes.`
    : `Interrupted at step ${reached}: the page was closed before a checkpoint was kept, so it cannot resume; its curve is kept. Apply its setup to train it again.`;
  return { ...run, status: 'interrupted', message, progress: run.progress ? { ...run.progress, step: reached, stepsPerSecond: 0, etaSeconds: 0 } : run.progress };
}
