// The playground's page: the setup panel on the left (on a tablet, above), and the run controls,
// live training view, evaluation, comparison and history on the right. Views read the store
// through the context; none of them talks to the worker directly.
import { MethodExplanation } from '../explain/MethodExplanation';
import { PresetPicker } from '../explain/PresetPicker';
import { presetSetup } from '../explain/presets';
import { usePlayground } from '../state/context';
import { useHidden } from './hiddenControls';
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

export interface AppProps {
  omniglotSize: number;
  /** Embedded in another page (compact, with a link to the full playground). */
  embed?: { fullPlaygroundUrl: string };
}

export function App({ omniglotSize, embed }: AppProps) {
  const busy = usePlayground((s) => s.runs.some((r) => s.liveRunIds.includes(r.id) && isActive(r)));
  const setup = usePlayground((s) => s.setup);
  const applySetup = usePlayground((s) => s.applySetup);
  const hide = {
    presets: useHidden('presets'),
    dataset: useHidden('dataset'),
    sampler: useHidden('sampler'),
    method: useHidden('method'),
    explanation: useHidden('explanation'),
    training: useHidden('training'),
    comparison: useHidden('comparison'),
    history: useHidden('history'),
  };
  return (
    <div className={`app${embed ? ' app--embed' : ''}`}>
      <header className="app__header">
        <div>
          <h1>Few-Shot Lab</h1>
          {embed ? (
            <a className="app__full" href={embed.fullPlaygroundUrl} target="_blank" rel="noopener noreferrer">
              Open in the full playground
            </a>
          ) : (
            <p className="app__tagline">Few-shot learning in your browser: train on some classes, test on classes the model never saw. Nothing leaves this machine.</p>
          )}
        </div>
        <StatusRegion />
      </header>
      <div className="app__layout">
        <form className="panel controls" aria-label="Experiment setup" onSubmit={(e) => e.preventDefault()}>
          {!hide.presets && (
            <fieldset className="panel__group">
              <legend>Teaching</legend>
              <PresetPicker
                disabled={busy}
                onApply={(preset) => applySetup(presetSetup(preset, undefined, setup))}
                onApplyVariant={(preset, index) => applySetup(presetSetup(preset, index, setup))}
              />
            </fieldset>
          )}
          {!hide.dataset && <DatasetControls disabled={busy} omniglotSize={omniglotSize} />}
          {!hide.sampler && <SamplerControls disabled={busy} />}
          {!hide.method && <MethodControls disabled={busy} />}
          {!hide.explanation && <MethodExplanation method={setup.method} dataset={setup.dataset} />}
          {!hide.training && <TrainingControls disabled={busy} />}
        </form>
        <main className="app__main">
          <RunControls />
          <TrainingView />
          <EvaluationPanel />
          {!hide.comparison && <ComparisonTable />}
          {!hide.history && <HistoryPanel />}
        </main>
      </div>
    </div>
  );
}
