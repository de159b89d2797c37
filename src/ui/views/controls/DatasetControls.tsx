// The Dataset control: the built-in glyphs (offline default), Omniglot (downloaded on request from
// its official archive, with its size before and progress during the download, then cached), and
// the sine-wave regression family; with what the loaded dataset holds.
import { DATASETS, type DatasetId } from '../../../core/experiment/datasets';
import { formatBytes } from '../../datasets/omniglotArchive';
import { usePlayground } from '../../state/context';
import { SelectField } from './Field';

/** The menu: core's list of datasets, in its order and words. */
const OPTIONS: ReadonlyArray<{ value: DatasetId; label: string }> = DATASETS.map((d) => ({ value: d.id, label: d.label }));
const HINTS = Object.fromEntries(DATASETS.map((d) => [d.id, d.hint])) as Record<DatasetId, string>;

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
