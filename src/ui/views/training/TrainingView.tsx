// The live training view: the current run's curves, with the runs the user chose overlaid.
import { lazy, memo, Suspense, useEffect, useMemo } from 'react';
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { useThrottled } from '../charts/useThrottled';

// The charts load after the page is up (see preloadWhenIdle); nothing needs them before Train is
// pressed. Memoised: they draw again only when their (throttled) curves or settings change, not on
// every store update the training view sees.
const TrainingCharts = lazy(() => import('../charts/TrainingCharts').then((m) => ({ default: memo(m.TrainingCharts) })));

/** At most this often the live curves are drawn again (see useThrottled). */
const DRAW_EVERY_MS = 500;

/**
 * Fetches and evaluates the charts' and the episode viewer's code once the opened page is idle,
 * so it is not done at a run's first progress: evaluating recharts (which the viewers use) was a
 * 40-60 ms task in the middle of training. The lazy components then find the modules ready.
 */
function preloadWhenIdle(): () => void {
  const load = () => {
    void import('../charts/TrainingCharts');
    void import('../episode/EpisodeViewer');
  };
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(load, { timeout: 5000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(load, 2000);
  return () => clearTimeout(timer);
}

/** Overlay colours, chosen to stay apart for colour-blind readers (Okabe-Ito). */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

export function TrainingView() {
  const runs = usePlayground((s) => s.runs);
  const currentRunId = usePlayground((s) => s.currentRunId);
  const overlayIds = usePlayground((s) => s.overlayIds);
  const smoothing = usePlayground((s) => s.smoothing);
  const setSmoothing = usePlayground((s) => s.setSmoothing);
  const current = runs.find((r) => r.id === currentRunId);
  useEffect(preloadWhenIdle, []);

  const series = useMemo(() => {
    const shown = [current, ...overlayIds.filter((id) => id !== currentRunId).map((id) => runs.find((r) => r.id === id))].filter((r) => r !== undefined);
    return shown.map((r, i) => ({ id: r.id, name: r.name, color: COLOURS[i % COLOURS.length], points: r.points, validation: r.validation, current: r.id === currentRunId }));
  }, [runs, current, currentRunId, overlayIds]);
  // New points wait for the next draw; another choice of runs (an overlay, a new run) shows at once.
  const drawn = useThrottled(series, DRAW_EVERY_MS, series.map((r) => `${r.id}:${r.current}`).join());

  return (
    <div className="panel training">
      {current ? (
        <Suspense fallback={<p className="muted">Loading the charts…</p>}>
          <TrainingCharts runs={drawn} smoothing={smoothing} onSmoothingChange={setSmoothing} metric={familyOf(current.setup.dataset).metric.name} />
        </Suspense>
      ) : (
        <section aria-labelledby="training-title">
          <h2 id="training-title">Training curves</h2>
          <p className="muted">Press Train: the curves of loss and accuracy appear here as the model learns.</p>
        </section>
      )}
    </div>
  );
}
