// Training runs: Train (checks, backend, dataset, then the worker), pause, resume, stop, and which
// run the training view shows.
import type { WorkerRequestError } from '../../../worker/client';
import type { DatasetSummary } from '../../../worker/protocol';
import { describeSetup, runConfigOf } from '../runConfig';
import type { StoredRun } from '../runTypes';
import { datasetProblem, isActive, isBackendReady, isTraining, loadedSummary } from '../selectors';
import { methodInfo, type DatasetChoice } from '../setup';
import { controlOf, setupProblems } from '../setupProblems';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import type { RunsSlice } from './types';

function datasetLabel(summary: DatasetSummary | undefined, dataset: DatasetChoice): string {
  if (!summary) return dataset;
  if (summary.task === 'regression') return 'sine-wave regression';
  const shape = summary.shape ? `, ${summary.shape.join('x')}` : '';
  return `${summary.name} (${summary.classes} classes${shape})`;
}

export const createRunsSlice =
  (env: PlaygroundEnv): PlaygroundSlice<RunsSlice> =>
  (set, get) => {
    const { deps } = env;
    const { runById, updateRun, save } = playgroundTools(env, set, get);
    return {
      runs: [],
      currentRunId: null,
      liveRunIds: [],
      keptStateIds: [],

      async train() {
        const { setup } = get();
        const problems = setupProblems(setup, loadedSummary(get(), setup.dataset));
        set({ problems });
        if (Object.keys(problems).length > 0) return;
        if (isTraining(get())) return;
        if (!isBackendReady(get())) await get().chooseBackend();
        if (!isBackendReady(get())) return;
        const summary = await get().loadDataset(setup.dataset);
        if (!summary) {
          set((s) => ({ problems: { ...s.problems, dataset: datasetProblem(s, setup.dataset) ?? 'The dataset could not be loaded.' } }));
          return;
        }
        const info = methodInfo(setup.dataset, setup.method)!;
        const id = env.newRunId();
        const run: StoredRun = {
          id,
          name: `${describeSetup(setup, info.title)} #${get().runs.length + 1}`,
          createdAt: env.now(),
          setup: structuredClone(setup),
          datasetLabel: datasetLabel(summary, setup.dataset),
          status: 'starting',
          points: [],
          validation: [],
          progress: { step: 0, totalSteps: setup.steps, stepsPerSecond: 0, etaSeconds: Infinity },
          metaBatch: null,
          backend: get().backend,
          seconds: 0,
          evaluations: [],
        };
        set((s) => ({ runs: [run, ...s.runs], currentRunId: id, liveRunIds: [...s.liveRunIds, id], inspection: null, sineFit: null }));
        try {
          const { metaBatch } = await deps.client.start(id, runConfigOf(setup));
          updateRun(id, (r) => ({ ...r, metaBatch, status: r.status === 'starting' ? 'training' : r.status }));
          // Other tabs see that this run trains here, not that it was cut off (runLocks.ts).
          if (deps.locks) env.releaseLock.set(id, deps.locks.hold(id));
          void save(id);
        } catch (error) {
          const message = (error as Error).message;
          set((s) => ({
            runs: s.runs.filter((r) => r.id !== id),
            liveRunIds: s.liveRunIds.filter((x) => x !== id),
            currentRunId: s.runs.find((r) => r.id !== id)?.id ?? null,
            problems: { ...s.problems, [controlOf((error as Partial<WorkerRequestError>).field)]: message },
          }));
        }
      },

      async pause() {
        const id = get().currentRunId;
        // The worker pauses after the step in flight and then says so (a progress event marked
        // paused), so the page shows "paused" only at the step where training really stopped.
        if (id && runById(id)?.status === 'training') await deps.client.pause(id);
      },

      async resume() {
        const id = get().currentRunId;
        if (id && runById(id)?.status === 'paused') {
          await deps.client.resume(id);
          updateRun(id, (r) => (r.status === 'paused' ? { ...r, status: 'training' } : r));
        }
      },

      async stop() {
        const id = get().currentRunId;
        if (id && isActive(runById(id))) await deps.client.stop(id);
      },

      selectRun(runId) {
        if (runById(runId)) set({ currentRunId: runId, inspection: null, sineFit: null });
      },
    };
  };
