// Train, Pause/Resume, Stop and Evaluate, with the progress of the current run right below them: a
// progress bar with the step count, steps per second and the time left, the run's outcome in words,
// and an evaluation's own progress and time left (where the button that started it is). Train is
// off while a setting cannot work, with the settings to fix said next to it.
import { familyOf } from '../../../core/experiment/datasets';
import { countOf } from '../../../core/experiment/taskFamily';
import { usePlayground } from '../../state/context';
import type { StoredRun } from '../../state/runTypes';
import { isActive, isCurrentRunLive, isResumable, isRunUsable, isTraining } from '../../state/selectors';
import { blockingFields, fieldLabel } from '../../state/setupProblems';
import { formatDuration } from './format';
import { SnapshotStatusLine, StartFromSnapshotButton } from '../../explain/TrainedModels';

export function RunControls() {
  const run = usePlayground((s) => s.runs.find((r) => r.id === s.currentRunId));
  const live = usePlayground(isCurrentRunLive);
  const usable = usePlayground((s) => isRunUsable(s, s.currentRunId));
  const resumable = usePlayground((s) => isResumable(s, s.currentRunId));
  const resumeInterrupted = usePlayground((s) => s.resumeInterrupted);
  const busy = usePlayground(isTraining);
  const evaluating = usePlayground((s) => !!s.evaluation && !s.evaluation.error);
  const evaluation = usePlayground((s) => (s.evaluation && !s.evaluation.error && s.evaluation.runId === s.currentRunId ? s.evaluation : null));
  const problems = usePlayground((s) => s.problems);
  const dataset = usePlayground((s) => s.setup.dataset);
  const method = usePlayground((s) => s.setup.method);
  const trainError = problems.train;
  const blocking = blockingFields(problems);
  const backendStatus = usePlayground((s) => s.backendStatus);
  const train = usePlayground((s) => s.train);
  const pause = usePlayground((s) => s.pause);
  const resume = usePlayground((s) => s.resume);
  const stop = usePlayground((s) => s.stop);
  const evaluate = usePlayground((s) => s.evaluate);
  const active = live && isActive(run);
  const progress = run?.progress;
  const paused = run?.status === 'paused';
  const trainOff = busy || evaluating || blocking.length > 0;
  const evaluateOff = !usable || evaluating;

  return (
    <section className="run-controls" aria-label="Run">
      <div className="run-controls__buttons">
        {/* Train and Evaluate are aria-disabled, not disabled: they keep the keyboard focus when pressed
            (a disabled button drops it to the page's start), and a blocked Train's reason is read with it. */}
        <button type="button" className="primary" onClick={() => trainOff || void train()}
          aria-disabled={trainOff || undefined} aria-describedby={blocking.length > 0 && !busy ? 'train-blocked' : undefined}>
          Train
        </button>
        {paused ? (
          <button type="button" onClick={() => void resume()} disabled={!active}>
            Resume
          </button>
        ) : run?.status === 'interrupted' ? (
          <button type="button" onClick={() => void resumeInterrupted(run.id)} disabled={!resumable || busy || evaluating}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => void pause()} disabled={!active || run?.status !== 'training'}>
            Pause
          </button>
        )}
        <button type="button" onClick={() => void stop()} disabled={!active}>
          Stop
        </button>
        <button type="button" onClick={() => evaluateOff || void evaluate()} aria-disabled={evaluateOff || undefined}>
          Evaluate
        </button>
        <StartFromSnapshotButton />
      </div>
      <SnapshotStatusLine />
      {blocking.length > 0 && !busy && (
        <p id="train-blocked" className="field__error">
          To train, fix {listOf(blocking.map((field) => fieldLabel(field, dataset, method)))} (marked in the panel).
        </p>
      )}
      {trainError && (
        <p className="field__error" role="alert">
          {trainError}
        </p>
      )}
      {backendStatus === 'choosing' && !run && <p className="muted">Starting the compute worker…</p>}
      {run && progress && (
        <div className="run-progress">
          <label className="run-progress__label">
            <span>
              {run.name}: {statusText(run.status)} step {progress.step.toLocaleString()} of {progress.totalSteps.toLocaleString()}
            </span>
            <progress max={progress.totalSteps} value={progress.step} aria-label="Training progress" />
          </label>
          <p className="run-progress__numbers">{progressNumbers(run, active)}</p>
          {/* A stop or the end says nothing the line above does not; a divergence or failure says what to do. */}
          {run.message && !active && (run.status === 'diverged' || run.status === 'failed') && (
            <p className="field__error" role="alert">
              {run.message}
            </p>
          )}
          {/* Not an error: what the run reached, what is kept, and whether Resume can continue it; or that another tab trains it. */}
          {run.message && (run.status === 'interrupted' || (isActive(run) && !live)) && <p className="run-progress__note">{run.message}</p>}
        </div>
      )}
      {evaluation && (
        <div className="run-progress">
          <label className="run-progress__label">
            <span>
              Evaluating: episode {evaluation.done.toLocaleString()} of {evaluation.total.toLocaleString()}
            </span>
            <progress max={evaluation.total} value={evaluation.done} aria-label="Evaluation progress" />
          </label>
          <p className="run-progress__numbers">{evaluationTimeLeft(evaluation, Date.now())}</p>
        </div>
      )}
    </section>
  );
}

/** "Ways (N)", "Ways (N) and Seed", "Ways (N), Shots (K) and Seed". */
function listOf(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "4.0 steps/s · about 2 min left · 1 min of training · 4 episodes per step". */
function progressNumbers(run: StoredRun, active: boolean): string {
  const parts: string[] = [];
  const p = run.progress!;
  if (active && p.stepsPerSecond > 0) {
    parts.push(p.stepsPerSecond >= 1 ? `${p.stepsPerSecond.toFixed(1)} steps/s` : `${(1 / p.stepsPerSecond).toFixed(1)} s per step`);
    parts.push(run.status === 'paused' ? 'paused' : `about ${formatDuration(p.etaSeconds)} left`);
  }
  if (run.seconds > 0) parts.push(`${formatDuration(run.seconds)} of training`);
  if (run.metaBatch && run.metaBatch > 1) parts.push(`${countOf(familyOf(run.setup.dataset), run.metaBatch)} per step`);
  return parts.join(' · ');
}

/**
 * "about 15 s left", from the pace so far; "estimating the time left" until a second has passed
 * and an episode is done (the first episodes include warming up the kernels).
 */
export function evaluationTimeLeft(evaluation: { done: number; total: number; startedAt: number }, now: number): string {
  const elapsed = (now - evaluation.startedAt) / 1000;
  if (evaluation.done < 1 || elapsed < 1) return 'estimating the time left';
  return `about ${formatDuration((elapsed / evaluation.done) * (evaluation.total - evaluation.done))} left`;
}

function statusText(status: string): string {
  switch (status) {
    case 'starting':
      return 'starting,';
    case 'training':
      return 'training,';
    case 'paused':
      return 'paused at';
    case 'interrupted':
      return 'interrupted at';
    case 'done':
      return 'done,';
    case 'stopped':
      return 'stopped at';
    case 'diverged':
      return 'diverged at';
    default:
      return 'failed at';
  }
}
