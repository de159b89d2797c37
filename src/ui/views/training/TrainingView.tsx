// The live training view: the current run's curves, with the runs the user chose overlaid, and
// below them the episode viewer (image datasets) or the sine plot (regression).
import { lazy, Suspense, useMemo } from 'react';
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { useHidden } from '../hiddenControls';
import { InspectView } from './InspectView';

// The charts (recharts and d3) load after the page is up, on the first run: they are most of the
// page's JavaScript and nothing needs them before Train is pressed.
const TrainingCharts = lazy(() => import('../charts/TrainingCharts').then((m) => ({ default: m.TrainingCharts })));

/** Overlay colours, chosen to stay apart for colour-blind readers (Okabe-Ito). */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

export function TrainingView() {
  const runs = usePlayground((s) => s.runs);
  const currentRunId = usePlayground((s) => s.currentRunId);
  const overlayIds = usePlayground((s) => s.overlayIds);
  const smoothing = usePlayground((s) => s.smoothing);
  const setSmoothing = usePlayground((s) => s.setSmoothing);
  const current = runs.find((r) => r.id === currentRunId);
  const hideEpisode = useHidden('episode');

  const series = useMemo(() => {
    const shown = [current, ...overlayIds.filter((id) => id !== currentRunId).map((id) => runs.find((r) => r.id === id))].filter((r) => r !== undefined);
    return shown.map((r, i) => ({ id: r.id, name: r.name, color: COLOURS[i % COLOURS.length], points: r.points, validation: r.validation, current: r.id === currentRunId }));
  }, [runs, current, currentRunId, overlayIds]);

  return (
    <section className="panel training" aria-labelledby="training-title">
      <h2 id="training-title">Training</h2>
      {current ? (
        <>
          <Suspense fallback={<p className="muted">Loading the charts…</p>}>
            <TrainingCharts runs={series} smoothing={smoothing} onSmoothingChange={setSmoothing} metric={familyOf(current.setup.dataset).metric.name} />
          </Suspense>
          {!hideEpisode && <InspectView />}
        </>
      ) : (
        <p className="muted">Press Train: the curves of loss and accuracy appear here as the model learns.</p>
      )}
    </section>
  );
}
