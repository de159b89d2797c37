// The run history: every run of this browser (kept in IndexedDB, so it survives a reload), newest
// first, with its setup, outcome and result; each can be shown, overlaid on the charts, renamed,
// deleted, exported (JSON: config, results and curves; CSV: curves) or have its setup applied
// again; and a run's JSON export (the user's own or a colleague's) can be imported to compare it.
import { useState } from 'react';
import { downloadFile } from '../../download';
import { fileNameFor, RUN_EXPORT_MAX_TEXT, runCurvesToCsv, runToJson } from '../../history/exportRun';
import { usePlayground } from '../../state/context';
import type { StoredRun } from '../../state/runTypes';
import { formatDuration, formatSummary } from '../run/format';
import { formatBytes } from '../../../core/data/archiveDownload';
import { KeptStates } from './KeptStates';

export function HistoryPanel() {
  const runs = usePlayground((s) => s.runs);
  const message = usePlayground((s) => s.historyMessage);
  const [readError, setReadError] = useState<string | null>(null);
  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="panel__header">
        <h2 id="history-title">Run history</h2>
        <ImportRun onReadError={setReadError} />
      </div>
      {readError && (
        <p className="field__error" role="alert">
          {readError}
        </p>
      )}
      {message && (
        <p className="field__error" role="alert">
          {message}
        </p>
      )}
      <KeptStates />
      {runs.length === 0 ? (
        <p className="muted">Runs appear here as you train them and stay in this browser after a reload.</p>
      ) : (
        <ul className="history__list">
          {runs.map((run) => (
            <HistoryItem key={run.id} run={run} />
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * "Import run (JSON)": a file input inside its label, styled as a button, showing keyboard focus.
 * The store checks and adds the run (its messages appear in the panel); a file that cannot even be
 * read is reported through `onReadError`.
 */
function ImportRun({ onReadError }: { onReadError: (message: string | null) => void }) {
  const importRun = usePlayground((s) => s.importRun);
  const [reading, setReading] = useState(false);

  const read = async (file: File) => {
    onReadError(null);
    // A run export is text of at most RUN_EXPORT_MAX_TEXT characters (one byte each, but for
    // names): a far bigger file is refused before it is read into memory.
    if (file.size > RUN_EXPORT_MAX_TEXT) {
      onReadError(
        `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; a run export is at most ${RUN_EXPORT_MAX_TEXT / 1e6} MB. Choose a file saved by the JSON button of the Run history.`,
      );
      return;
    }
    setReading(true);
    try {
      let text: string;
      try {
        text = await file.text();
      } catch (error) {
        onReadError(`${file.name} could not be read (${(error as Error).message}); check that the file is still there and choose it again.`);
        return;
      }
      await importRun(text, file.name);
    } finally {
      setReading(false);
    }
  };

  return (
    <label className={`file-button file-button--small${reading ? ' file-button--disabled' : ''}`}>
      {reading ? 'Importing…' : 'Import run (JSON)'}
      <input
        type="file"
        accept=".json,application/json"
        aria-label="Import run (JSON)"
        disabled={reading}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = ''; // choosing the same file again imports it again
          if (file) void read(file);
        }}
      />
    </label>
  );
}

function HistoryItem({ run }: { run: StoredRun }) {
  const current = usePlayground((s) => s.currentRunId === run.id);
  const overlaid = usePlayground((s) => s.overlayIds.includes(run.id));
  // Actions one by one: selecting the whole state would re-render every item on every progress event.
  const selectRun = usePlayground((s) => s.selectRun);
  const renameRun = usePlayground((s) => s.renameRun);
  const deleteRun = usePlayground((s) => s.deleteRun);
  const applyRunSetup = usePlayground((s) => s.applyRunSetup);
  const toggleOverlay = usePlayground((s) => s.toggleOverlay);
  const exportRunToPytorch = usePlayground((s) => s.exportRunToPytorch);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const [confirming, setConfirming] = useState(false);
  const latest = run.evaluations.at(-1);
  // Runs imported from files written before exports held curves have no points, only a step count.
  const steps = Math.max(run.points.at(-1)?.step ?? 0, run.progress?.step ?? 0);
  const imported = run.imported;
  const keptHere = usePlayground((s) => s.keptStateIds.includes(run.id));

  return (
    <li className={`history__item${current ? ' history__item--current' : ''}`} aria-current={current ? 'true' : undefined}>
      <div className="history__head">
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void renameRun(run.id, name);
              setEditing(false);
            }}
          >
            <label>
              New name for {run.name}
              <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            </label>
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <button type="button" className="link history__name" onClick={() => selectRun(run.id)}>
            {run.name}
          </button>
        )}
        <span className="muted">{new Date(run.createdAt).toLocaleString()}</span>
      </div>
      <p className="history__facts">
        {run.datasetLabel} · {run.status} after {steps} steps
        {run.seconds > 0 ? ` in ${formatDuration(run.seconds)}` : ''}
        {run.backend ? ` on ${run.backend.backend}` : ''}
        {run.trainedElsewhere
          ? ` · trained elsewhere: ${run.trainedElsewhere.engine} ${run.trainedElsewhere.version} on ${run.trainedElsewhere.deviceName}${run.trainedElsewhere.processes > 1 ? `, ${run.trainedElsewhere.processes} processes` : ''}`
          : ''}
        {latest ? ` · ${formatSummary(latest.results[0].summary, latest.metric)} on ${latest.episodes} test episodes` : ''}
        {imported ? ` · imported from ${imported.fileName}` : ''}
        {run.kept && keptHere ? ` · state kept at step ${run.kept.step} (${formatBytes(run.kept.bytes)})` : ''}
      </p>
      <div className="history__actions">
        <label className="check">
          <input type="checkbox" checked={overlaid} disabled={current} onChange={() => toggleOverlay(run.id)} /> Overlay
        </label>
        <button type="button" onClick={() => applyRunSetup(run.id)} aria-label={`Apply setup of ${run.name}`}>
          Apply setup
        </button>
        <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${run.name}`}>
          Rename
        </button>
        <button type="button" onClick={() => downloadFile(fileNameFor(run, 'json'), runToJson(run), 'application/json')} aria-label={`Export ${run.name} as JSON`}>
          JSON
        </button>
        <button type="button" onClick={() => downloadFile(fileNameFor(run, 'csv'), runCurvesToCsv(run), 'text/csv')} aria-label={`Export the curves of ${run.name} as CSV`}>
          CSV
        </button>
        <button
          type="button"
          onClick={() => void exportRunToPytorch(run.id).then((file) => file && downloadFile(file.fileName, file.bytes, 'application/zip'))}
          aria-label={`Export ${run.name} for PyTorch (run.py, config, episodes, images, weights)`}
          title="A folder to train and evaluate this run with PyTorch on any GPU: python3 run.py --train (see the README)"
        >
          PyTorch
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => void deleteRun(run.id)}>
              Delete for good
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${run.name}`}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}
