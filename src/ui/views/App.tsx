// The playground's page: the setup panel on the left (on a tablet, above), and the run controls,
// live training view, evaluation, comparison and history on the right. Views read the store
// through the context; none of them talks to the worker directly.
import { MethodExplanation } from '../explain/MethodExplanation';
import { PresetPicker } from '../explain/PresetPicker';
import { presetSetup } from '../explain/presets';
import { usePlayground } from '../state/context';
import { isActive } from '../state/store';
import { DatasetControls } from './controls/DatasetControls';
import { MethodControls } from './controls/MethodControls';
import { SamplerControls } from './controls/SamplerControls';
import { TrainingControls } from './controls/TrainingControls';
import { HistoryPanel } from './history/HistoryPanel';
import { ComparisonTable } from './results/ComparisonTable';
import { EvaluationPanel } from './results/EvaluationPanel';
import { RunControls } from './run/RunControls';
import { StatusRegion } from './run/StatusRegion';
import { TrainingView } from './training/TrainingView';

export function App({ omniglotSize }: { omniglotSize: number }) {
  const busy = usePlayground((s) => s.runs.some((r) => s.liveRunIds.includes(r.id) && isActive(r)));
  const setup = usePlayground((s) => s.setup);
  const applySetup = usePlayground((s) => s.applySetup);
  return (
    <div className="app">
      <header className="app__header">
        <div>
          <h1>Few-Shot Lab</h1>
          <p className="app__tagline">Few-shot learning in your browser: train on some classes, test on classes the model never saw. Nothing leaves this machine.</p>
        </div>
        <StatusRegion />
      </header>
      <div className="app__layout">
        <form className="panel controls" aria-label="Experiment setup" onSubmit={(e) => e.preventDefault()}>
          <fieldset className="panel__group">
            <legend>Teaching</legend>
            <PresetPicker
              disabled={busy}
              onApply={(preset) => applySetup(presetSetup(preset, undefined, setup))}
              onApplyVariant={(preset, index) => applySetup(presetSetup(preset, index, setup))}
            />
          </fieldset>
          <DatasetControls disabled={busy} omniglotSize={omniglotSize} />
          <SamplerControls disabled={busy} />
          <MethodControls disabled={busy} />
          <MethodExplanation method={setup.method} dataset={setup.dataset} />
          <TrainingControls disabled={busy} />
        </form>
        <main className="app__main">
          <RunControls />
          <TrainingView />
          <EvaluationPanel />
          <ComparisonTable />
          <HistoryPanel />
        </main>
      </div>
    </div>
  );
}
