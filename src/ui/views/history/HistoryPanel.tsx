// The run history: every run of this browser (kept in IndexedDB, so it survives a reload), newest
// first, with its setup, outcome and result; each can be shown, overlaid on the charts, renamed,
// deleted, exported (JSON: config and results; CSV: curves) or have its setup applied again.
import { useState } from 'react';
import { downloadText } from '../../history/download';
import { fileNameFor, runCurvesToCsv, runToJson } from '../../history/exportRun';
import { usePlayground } from '../../state/context';
import type { StoredRun } from '../../state/runTypes';
import { formatDuration, formatSummary } from '../run/format';

export function HistoryPanel() {
  const runs = usePlayground((s) => s.runs);
  const message = usePlayground((s) => s.historyMessage);
  return (
    <section className="panel history" aria-labelledby="history-title">
      <h2 id="history-title">Run history</h2>
      {message && (
        <p className="field__error" role="alert">
          {message}
        </p>
      )}
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

function HistoryItem({ run }: { run: StoredRun }) {
  const current = usePlayground((s) => s.currentRunId === run.id);
  const overlaid = usePlayground((s) => s.overlayIds.includes(run.id));
  // Actions one by one: selecting the whole state would re-render every item on every progress event.
  const selectRun = usePlayground((s) => s.selectRun);
  const renameRun = usePlayground((s) => s.renameRun);
  const deleteRun = usePlayground((s) => s.deleteRun);
  const applyRunSetup = usePlayground((s) => s.applyRunSetup);
  const toggleOverlay = usePlayground((s) => s.toggleOverlay);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const [confirming, setConfirming] = useState(false);
  const latest = run.evaluations.at(-1);
  const last = run.points.at(-1);

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
        {run.datasetLabel} · {run.status} after {last?.step ?? 0} steps
        {run.seconds > 0 ? ` in ${formatDuration(run.seconds)}` : ''}
        {run.backend ? ` on ${run.backend.backend}` : ''}
        {latest ? ` · ${formatSummary(latest.results[0].summary, latest.metric)} on ${latest.episodes} test episodes` : ''}
      </p>
      <div className="history__actions">
        <label className="check">
          <input type="checkbox" checked={overlaid} disabled={current} onChange={() => toggleOverlay(run.id)} /> Overlay
        </label>
        <button type="button" onClick={() => applyRunSetup(run.id)} aria-label={`Apply the setup of ${run.name}`}>
          Apply setup
        </button>
        <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${run.name}`}>
          Rename
        </button>
        <button type="button" onClick={() => downloadText(fileNameFor(run, 'json'), runToJson(run), 'application/json')} aria-label={`Export ${run.name} as JSON`}>
          JSON
        </button>
        <button type="button" onClick={() => downloadText(fileNameFor(run, 'csv'), runCurvesToCsv(run), 'text/csv')} aria-label={`Export the curves of ${run.name} as CSV`}>
          CSV
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
