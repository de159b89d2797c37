// The app's two pages, chosen by the URL's hash: the playground and "Your images" (#your-images,
// loaded when first opened). The playground reads like TensorFlow Playground's one screen, data ->
// model -> output: the setup panel on the left (on a tablet or phone above; the dataset, the episode
// and the method first, teaching presets last), and on the right the run
// strip (buttons, progress, the latest evaluation; it stays at the top while the page scrolls) over
// the live curves, so a laptop's first screen shows the whole state of the experiment; the episode
// viewer, the comparison and the history follow, one scroll away. Views read the stores through
// their contexts; none of them talks to the worker directly.
import { Suspense, useEffect, useState, type ComponentType } from 'react';
import { MethodExplanation } from '../explain/MethodExplanation';
import { PresetPicker } from '../explain/PresetPicker';
import { TeachingGroup } from '../explain/TeachingGroup';
import { presetSetup } from '../explain/presets';
import { usePlayground } from '../state/context';
import { useHidden } from './hiddenControls';
import { isTraining } from '../state/selectors';
import { ClassSplitControls } from './controls/ClassSplitControls';
import { DatasetControls } from './controls/DatasetControls';
import { MethodControls } from './controls/MethodControls';
import { SamplerControls } from './controls/SamplerControls';
import { TrainingControls } from './controls/TrainingControls';
import { HistoryPanel } from './history/HistoryPanel';
import { ComparisonTable } from './results/ComparisonTable';
import { EvaluationPanel } from './results/EvaluationPanel';
import { RunControls } from './run/RunControls';
import { StatusRegion } from './run/StatusRegion';
import { InspectView } from './training/InspectView';
import { TrainingView } from './training/TrainingView';
import { useLeaveGuard } from './useLeaveGuard';

export interface AppProps {
  omniglotSize: number;
  /** The "Your images" page (loaded when first opened); absent in embed mode. */
  ownImages?: ComponentType;
  /** Embedded in another page (compact, with a link to the full playground). */
  embed?: { fullPlaygroundUrl: string };
}

/** Which page the URL's hash asks for: the playground, or "Your images" (#your-images). */
function useView(): 'playground' | 'own' {
  const read = (): 'playground' | 'own' => (location.hash === OWN_IMAGES_HASH ? 'own' : 'playground');
  const [view, setView] = useState(read);
  useEffect(() => {
    const onChange = () => setView(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return view;
}

export const OWN_IMAGES_HASH = '#your-images';

export function App({ omniglotSize, embed, ownImages: OwnImages }: AppProps) {
  const view = useView();
  useLeaveGuard();
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
      {OwnImages && !embed && (
        <nav className="tabs" aria-label="Pages">
          <a href="#playground" aria-current={view === 'playground' ? 'page' : undefined}>
            Playground
          </a>
          <a href={OWN_IMAGES_HASH} aria-current={view === 'own' ? 'page' : undefined}>
            Your images
          </a>
        </nav>
      )}
      {OwnImages && !embed && view === 'own' ? (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <OwnImages />
        </Suspense>
      ) : (
        <PlaygroundPage omniglotSize={omniglotSize} />
      )}
    </div>
  );
}

/** The playground itself: the setup panel, and the run, its curves, results and history. */
function PlaygroundPage({ omniglotSize }: { omniglotSize: number }) {
  const busy = usePlayground(isTraining);
  const setup = usePlayground((s) => s.setup);
  const applySetup = usePlayground((s) => s.applySetup);
  const prepareDataset = usePlayground((s) => s.prepareDataset);
  // The chosen dataset is loaded when chosen (not first when Train is pressed), so every setting is
  // checked against its classes as it is typed.
  useEffect(() => prepareDataset(setup.dataset), [prepareDataset, setup.dataset]);
  const hide = {
    presets: useHidden('presets'),
    dataset: useHidden('dataset'),
    sampler: useHidden('sampler'),
    method: useHidden('method'),
    explanation: useHidden('explanation'),
    training: useHidden('training'),
    episode: useHidden('episode'),
    comparison: useHidden('comparison'),
    history: useHidden('history'),
  };
  return (
    <main className="app__layout">
      <form className="panel controls" aria-label="Experiment setup" onSubmit={(e) => e.preventDefault()}>
        {!hide.dataset && <DatasetControls disabled={busy} omniglotSize={omniglotSize} />}
        {!hide.sampler && <SamplerControls disabled={busy} />}
        {!hide.method && <MethodControls disabled={busy} />}
        {!hide.explanation && <MethodExplanation method={setup.method} dataset={setup.dataset} />}
        {!hide.sampler && <ClassSplitControls disabled={busy} />}
        {!hide.training && <TrainingControls disabled={busy} />}
        <TeachingGroup
          presets={
            hide.presets ? null : (
              <PresetPicker
                disabled={busy}
                onApply={(preset) => applySetup(presetSetup(preset, undefined, setup))}
                onApplyVariant={(preset, index) => applySetup(presetSetup(preset, index, setup))}
              />
            )
          }
        />
      </form>
      <div className="run-strip">
        <RunControls />
        <EvaluationPanel />
      </div>
      <div className="app__main">
        <TrainingView />
        {!hide.episode && <InspectView />}
        {!hide.comparison && <ComparisonTable />}
        {!hide.history && <HistoryPanel />}
      </div>
    </main>
  );
}
