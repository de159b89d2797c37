// Starting the playground's session: listening to the worker, reading the run history (a run cut
// off by a closed page is kept as stopped), whether Omniglot is cached, and choosing the backend;
// and the notice for what belongs to no control.
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

      dismissNotice() {
        set({ notice: null });
      },
    };
  };
