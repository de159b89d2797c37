// What the playground does with the worker's events: a run's progress and end, the backend it
// chose, evaluation progress, warnings, errors and a restarted worker.
import type { WorkerEvent } from '../../../worker/protocol';
import { isActive, isRunLive } from '../selectors';
import { controlOf } from '../setupProblems';
import { playgroundTools, type GetState, type PlaygroundEnv, type SetState } from './env';
import { keptStateTools } from './keptStates';

/** How often a training run is written to the history (besides when it ends). */
const SAVE_EVERY_MS = 5000;

export type PlaygroundEvent = WorkerEvent | { type: 'restarted'; attempt: number; message: string };

/** The handler of the worker's events, for one store's set and get. */
export function workerEventHandler(env: PlaygroundEnv, set: SetState, get: GetState) {
  const { runById, updateRun, save } = playgroundTools(env, set, get);
  const { onCheckpoint, onFinished } = keptStateTools(env, set, get);
  return (event: PlaygroundEvent) => {
    switch (event.type) {
      case 'backend':
        set({ backend: { backend: event.backend, info: event.info, reason: event.reason }, backendStatus: 'ready' });
        for (const id of get().liveRunIds) if (isActive(runById(id))) updateRun(id, (r) => ({ ...r, backend: { backend: event.backend, info: event.info, reason: event.reason } }));
        break;
      case 'progress':
        if (!runById(event.runId)) break;
        updateRun(event.runId, (r) => ({
          ...r,
          status: event.paused ? 'paused' : 'training',
          points: event.points.length ? [...r.points, ...event.points] : r.points,
          validation: event.validation.length ? [...r.validation, ...event.validation] : r.validation,
          progress: { step: event.step, totalSteps: event.totalSteps, stepsPerSecond: event.stepsPerSecond, etaSeconds: event.etaSeconds },
          seconds: event.points.at(-1)?.elapsed ?? r.seconds,
        }));
        if (env.now() - (env.lastSaved.get(event.runId) ?? 0) > SAVE_EVERY_MS) void save(event.runId);
        // A pause keeps the latest checkpoint at once (the worker sends one at the paused step).
        if (event.paused) void onCheckpoint(event.runId, undefined, true);
        break;
      case 'checkpoint':
        if (!runById(event.runId)) break;
        void onCheckpoint(event.runId, event.checkpoint, runById(event.runId)?.status === 'paused');
        break;
      case 'finished':
        if (!runById(event.runId)) break;
        updateRun(event.runId, (r) => ({
          ...r,
          status: event.status,
          message: event.message,
          seconds: event.seconds,
          progress: r.progress ? { ...r.progress, step: event.stepsDone, stepsPerSecond: 0, etaSeconds: 0 } : r.progress,
        }));
        if (event.status === 'diverged' && event.message) {
          set((s) => ({ problems: { ...s.problems, [controlOf(event.problem?.field ?? 'method')]: event.message } }));
        }
        env.releaseLock.get(event.runId)?.();
        env.releaseLock.delete(event.runId);
        void save(event.runId);
        // A run that failed keeps its latest checkpoint; one that ended keeps its trained state.
        if (event.status !== 'failed' && isRunLive(get(), event.runId)) void onFinished(event.runId, event.stepsDone);
        break;
      case 'evaluationProgress':
        {
          const evaluation = get().evaluation;
          if (evaluation?.runId === event.runId) set({ evaluation: { ...evaluation, done: event.done, total: event.total } });
        }
        break;
      case 'warning':
      case 'error':
        if (event.runId && runById(event.runId)) updateRun(event.runId, (r) => ({ ...r, message: event.message }));
        set({ notice: event.message });
        break;
      case 'restarted':
        set({ notice: event.message });
        break;
    }
  };
}
