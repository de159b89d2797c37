// The setup the user is editing, its problems per control (checked on every edit, and against its
// dataset once that is loaded), and the compute backend it asks for.
import { familyOf } from '../../../core/experiment/datasets';
import { isTraining, loadedSummary, runOf } from '../selectors';
import { DEFAULT_SETUP, methodInfo, methodsFor, type Setup } from '../setup';
import { setupProblems } from '../setupProblems';
import type { PlaygroundEnv, PlaygroundSlice } from './env';
import type { SetupSlice } from './types';

export const createSetupSlice =
  (env: PlaygroundEnv, initialSetup: Setup): PlaygroundSlice<SetupSlice> =>
  (set, get) => ({
    setup: initialSetup,
    problems: setupProblems(initialSetup),
    backend: null,
    backendStatus: 'idle',

    setSetup(patch) {
      set((s) => {
        let setup = { ...s.setup, ...patch };
        // Another method (or task family) has other settings: start from its defaults.
        if ((patch.method && patch.method !== s.setup.method) || (patch.dataset && patch.dataset !== s.setup.dataset)) {
          setup.hyperparameters = patch.hyperparameters ?? {};
        }
        if (patch.dataset && !methodInfo(setup.dataset, setup.method)) setup = { ...setup, method: methodsFor(setup.dataset)[0].name };
        // Task families count shots and queries differently (sine tasks: K points and query points;
        // image episodes: per class): switching family starts from the new family's usual values,
        // unless the patch gives its own. Ways are kept: only image episodes have them.
        const family = patch.dataset && familyOf(patch.dataset);
        if (family && family.id !== familyOf(s.setup.dataset).id) {
          const { shot, query } = family.samplerDefaults;
          setup = { ...setup, shot, query, ...(patch.shot !== undefined && { shot: patch.shot }), ...(patch.query !== undefined && { query: patch.query }) };
        }
        return { setup, problems: setupProblems(setup, loadedSummary(s, setup.dataset)) };
      });
      if (patch.backend) void get().chooseBackend();
    },

    setHyperparameter(name, value) {
      get().setSetup({ hyperparameters: { ...get().setup.hyperparameters, [name]: value } });
    },

    resetHyperparameters() {
      get().setSetup({ hyperparameters: {} });
    },

    async chooseBackend() {
      if (isTraining(get())) {
        set({ notice: 'The backend changes after the current run: stop it first, or keep it running on its backend.' });
        return;
      }
      set({ backendStatus: 'choosing', backendMessage: undefined });
      try {
        const backend = await env.deps.client.init(get().setup.backend);
        set({ backend, backendStatus: 'ready' });
      } catch (error) {
        set({ backendStatus: 'error', backendMessage: (error as Error).message, problems: { ...get().problems, backend: (error as Error).message } });
      }
    },

    applyRunSetup(runId) {
      const run = runOf(get(), runId);
      if (!run) return;
      get().applySetup(run.setup);
    },

    applySetup(given) {
      const setup = { ...DEFAULT_SETUP, ...structuredClone(given) };
      const backendChanged = setup.backend !== get().setup.backend;
      set({ setup, problems: setupProblems(setup, loadedSummary(get(), setup.dataset)) });
      if (backendChanged) void get().chooseBackend();
    },

    recheckSetup() {
      // The backend's problem is about the worker, not the setup: it stands until a backend starts.
      set((s) => ({ problems: { ...(s.problems.backend && { backend: s.problems.backend }), ...setupProblems(s.setup, loadedSummary(s, s.setup.dataset)) } }));
    },
  });
