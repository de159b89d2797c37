// What the current model does on one test episode (image datasets: the episode viewer) or one sine
// task (regression: the sine plot). It asks the worker for a fresh look whenever the user presses
// the button, and once when the run finishes; while training it reflects the latest weights.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { isActive, isCurrentRunLive, isRunUsable } from '../../state/selectors';

// Loaded lazily: both draw with recharts (the episode viewer is preloaded when the page is idle, TrainingView).
const EpisodeViewer = lazy(() => import('../episode/EpisodeViewer').then((m) => ({ default: m.EpisodeViewer })));
const SinePlot = lazy(() => import('../sine/SinePlot').then((m) => ({ default: m.SinePlot })));

export function InspectView() {
  const run = usePlayground((s) => s.runs.find((r) => r.id === s.currentRunId));
  const live = usePlayground(isCurrentRunLive);
  const usable = usePlayground((s) => isRunUsable(s, s.currentRunId));
  const inspection = usePlayground((s) => (s.inspection?.runId === s.currentRunId ? s.inspection : null));
  const sineFit = usePlayground((s) => (s.sineFit?.runId === s.currentRunId ? s.sineFit : null));
  const inspect = usePlayground((s) => s.inspect);
  const fitSine = usePlayground((s) => s.fitSine);
  const sine = !!run && familyOf(run.setup.dataset).inspection === 'sine';
  const finished = !!run && !isActive(run) && run.status !== 'failed';

  // A finished run shows its first test episode (or task) without a click.
  useEffect(() => {
    if (!run || !live || !finished) return;
    if (sine ? !sineFit : !inspection) void (sine ? fitSine(run.id, 1) : inspect(run.id, 1));
  }, [run?.id, live, finished]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!run) return null;
  // Its own panel below the curves, titled by the viewer inside it.
  const panel = (content: ReactNode) => (
    <section className="panel inspect" aria-label={sine ? 'A test task' : 'A test episode'}>
      {content}
    </section>
  );
  if (!live && isActive(run)) {
    return panel(<p className="muted">This run is training in another tab of this browser; look inside it there.</p>);
  }
  if (!live && !usable) {
    const why = run.status === 'interrupted' ? 'it did not finish: resume it to look inside' : 'its weights are not kept, so its episodes cannot be shown. Apply its setup and train again to look inside';
    return panel(<p className="muted">This run was trained in an earlier visit; {why}.</p>);
  }
  if (!live && !(sine ? sineFit : inspection)) {
    // Kept in the browser: brought back into the worker only when asked (it loads the dataset).
    return panel(
      <p className="muted">
        This run is from an earlier visit; its trained state is kept.{' '}
        <button type="button" onClick={() => void (sine ? fitSine(run.id, 1) : inspect(run.id, 1))}>
          {sine ? 'Show a test task' : 'Show a test episode'}
        </button>
      </p>,
    );
  }
  return panel(
    <Suspense fallback={<p className="muted">Loading the viewer…</p>}>
      {sine ? (
        <SinePlot fit={sineFit?.data ?? null} loading={!!sineFit?.loading} error={sineFit?.error} onNewTask={() => void fitSine(run.id)} />
      ) : (
        <EpisodeViewer inspection={inspection?.data ?? null} loading={!!inspection?.loading} error={inspection?.error} onNewEpisode={() => void inspect(run.id)} method={run.setup.method} />
      )}
    </Suspense>,
  );
}
