// The playground's one store (zustand): the setup the user is editing, the backend, the datasets,
// every run (live or from the history), evaluation and inspection state, and the actions the views
// call. It is composed of slices, one purpose each (./playground/*Slice.ts; their state and actions
// are typed in ./playground/types.ts), over one env holding what they share. It talks to the compute
// worker only through the client and to IndexedDB only through the history, both injected, so the
// views and these actions are tested without a browser and run for real on the page.
import { createStore } from 'zustand/vanilla';
import { createDatasetsSlice } from './playground/datasetsSlice';
import { playgroundEnv } from './playground/env';
import { createEvaluationSlice } from './playground/evaluationSlice';
import { createHistorySlice } from './playground/historySlice';
import { createInspectionSlice } from './playground/inspectionSlice';
import { createKeptRunsSlice } from './playground/keptRunsSlice';
import { createRunsSlice } from './playground/runsSlice';
import { createSessionSlice } from './playground/sessionSlice';
import { createSetupSlice } from './playground/setupSlice';
import { createSnapshotsSlice } from './playground/snapshotsSlice';
import type { PlaygroundDeps, PlaygroundState, PlaygroundStore } from './playground/types';
import { DEFAULT_SETUP, type Setup } from './setup';

export type { ArchiveSource, DatasetState, InspectionState, PlaygroundClient, PlaygroundDeps, PlaygroundState, PlaygroundStore, RunHistory } from './playground/types';
export { SINE_FIT_STEPS } from './playground/inspectionSlice';
export type { SetupField } from './setupProblems';

export function createPlaygroundStore(deps: PlaygroundDeps, initialSetup: Setup = DEFAULT_SETUP): PlaygroundStore {
  const env = playgroundEnv(deps);
  return createStore<PlaygroundState>()((...a) => ({
    ...createSessionSlice(env)(...a),
    ...createSetupSlice(env, initialSetup)(...a),
    ...createDatasetsSlice(env)(...a),
    ...createRunsSlice(env)(...a),
    ...createKeptRunsSlice(env)(...a),
    ...createHistorySlice(env)(...a),
    ...createEvaluationSlice(env)(...a),
    ...createInspectionSlice(env)(...a),
    ...createSnapshotsSlice(env)(...a),
  }));
}
