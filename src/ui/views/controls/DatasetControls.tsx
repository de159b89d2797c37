// The Dataset control: the built-in glyphs (offline default), Omniglot (downloaded on request from
// its official archive, with its size before and progress during the download, then cached), and
// the sine-wave regression family; with what the loaded dataset holds.
import { formatBytes } from '../../datasets/omniglotArchive';
import { usePlayground } from '../../state/context';
import type { DatasetChoice } from '../../state/setup';
import { SelectField } from './Field';

const OPTIONS: ReadonlyArray<{ value: DatasetChoice; label: string }> = [
  { value: 'glyphs', label: 'Glyphs (built in, offline)' },
  { value: 'omniglot', label: 'Omniglot (download once)' },
  { value: 'sinusoid', label: 'Sine waves (regression)' },
];

const HINTS: Record<DatasetChoice, string> = {
  glyphs: 'Procedurally drawn characters in alphabets, generated in your browser: nothing to download.',
  omniglot: '1,623 handwritten characters of 50 alphabets (Lake et al. 2015); this is its background set of 964 characters in 30 alphabets.',
  sinusoid: 'Each task is a sine wave of random amplitude and phase; K points are given, the rest predicted (Finn et al. 2017).',
};

export function DatasetControls({ disabled, omniglotSize }: { disabled: boolean; omniglotSize: number }) {
  const dataset = usePlayground((s) => s.setup.dataset);
  const state = usePlayground((s) => s.datasets[s.setup.dataset]);
  const error = usePlayground((s) => s.problems.dataset);
  const setSetup = usePlayground((s) => s.setSetup);
  const download = usePlayground((s) => s.downloadOmniglot);
  const cancel = usePlayground((s) => s.cancelDownload);
  const load = usePlayground((s) => s.loadDataset);
  const summary = state?.summary;

  return (
    <fieldset className="panel__group">
      <legend>Data</legend>
      <SelectField label="Dataset" value={dataset} options={OPTIONS} onChange={(d) => setSetup({ dataset: d })} hint={HINTS[dataset]} error={error} disabled={disabled} />
      {dataset === 'omniglot' && state?.status !== 'ready' && (
        <div className="dataset-download">
          {state?.status === 'downloading' && state.progress ? (
            <>
              <label className="dataset-download__label">
                Downloading Omniglot: {formatBytes(state.progress.received)} of {formatBytes(state.progress.total)}
                <progress max={state.progress.total} value={state.progress.received} />
              </label>
              <button type="button" onClick={cancel}>
                Cancel download
              </button>
            </>
          ) : state?.cached ? (
            <button type="button" onClick={() => void load('omniglot')} disabled={state?.status === 'loading'}>
              {state?.status === 'loading' ? 'Loading Omniglot…' : 'Load Omniglot from this browser'}
            </button>
          ) : (
            <>
              <p className="field__hint">
                Download {formatBytes(omniglotSize)} from the dataset's official archive (github.com/brendenlake/omniglot); it is kept in
                this browser and works offline afterwards.
              </p>
              <button type="button" onClick={() => void download()} disabled={disabled}>
                Download Omniglot ({formatBytes(omniglotSize)})
              </button>
            </>
          )}
          {state?.status === 'loading' && <p className="field__hint">Reading the archive in the compute worker…</p>}
          {state?.message && (
            <p className="field__error" role="alert">
              {state.message}
            </p>
          )}
        </div>
      )}
      {summary && (
        <p className="dataset-summary">
          {summary.task === 'regression'
            ? 'Sine tasks: amplitude 0.1 to 5, phase 0 to π, x in [-5, 5].'
            : `${summary.classes.toLocaleString()} classes in ${summary.groups} groups, ${summary.images.toLocaleString()} images of ${summary.shape?.join('×')}.`}
        </p>
      )}
      {summary && summary.warnings.length > 0 && (
        <details className="dataset-warnings">
          <summary>
            {summary.warnings.length === 1 ? 'One file was skipped' : `${summary.warnings.length} files were skipped`} (the rest loaded)
          </summary>
          <ul>
            {summary.warnings.slice(0, 20).map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      )}
    </fieldset>
  );
}
