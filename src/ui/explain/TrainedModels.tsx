// "Start from a trained model": the snapshots the app ships (src/snapshots), as a button beside
// Train for the setup's dataset, method, ways and shots (StartFromSnapshotButton), "Continue" (train
// on) for a run started from one, and the list of every trained model in the Teaching group
// (TrainedModels), which says which setups have one. No button's name contains "train": the
// playground's tests and users' scripts find Train by that word, so these say "ready" and
// "Continue" (the text around them says trained). Loading a snapshot fetches its two files (about 0.1 to 0.3 MB)
// from the app itself, precached for offline use.
import { snapshotsMatching, type SnapshotEntry } from '../../snapshots/snapshot';
import { usePlayground } from '../state/context';
import { TRAIN_ON_STEPS } from '../state/playground/snapshotsSlice';
import { isTraining } from '../state/selectors';
import './explain.css';

/** "93.1% ± 0.6%" or, for sine waves, "MSE 0.412 ± 0.031 after 1 step". */
export function headlineOf(entry: SnapshotEntry): string {
  const r = entry.evaluation.shipped[0];
  if (!r) return '';
  return entry.evaluation.metric === 'accuracy' ? `${(100 * r.mean).toFixed(1)}% ± ${(100 * r.ci95).toFixed(1)}%` : `${r.label} ${r.mean.toFixed(3)} ± ${r.ci95.toFixed(3)}`;
}

/** The button beside Train: start from the trained model for this setup, or train a snapshot's run on. */
export function StartFromSnapshotButton() {
  const setup = usePlayground((s) => s.setup);
  const entries = usePlayground((s) => s.snapshotEntries());
  const run = usePlayground((s) => s.runs.find((r) => r.id === s.currentRunId));
  const busy = usePlayground((s) => isTraining(s) || (!!s.evaluation && !s.evaluation.error) || s.snapshotStatus?.status === 'loading');
  const startFromSnapshot = usePlayground((s) => s.startFromSnapshot);
  const trainOn = usePlayground((s) => s.trainOn);
  const match = snapshotsMatching(entries, setup)[0];
  const sameSetup = !!run?.snapshot && !!match && run.snapshot.id === match.id;
  if (run?.snapshot && (run.status === 'done' || run.status === 'stopped') && (sameSetup || !match)) {
    return (
      <button type="button" onClick={() => busy || void trainOn(run.id)} aria-disabled={busy || undefined}
        title={`Trains ${TRAIN_ON_STEPS} more steps from the trained weights, on the episodes that follow; a fresh Adam optimiser (snapshots keep only the weights).`}>
        Continue (+{TRAIN_ON_STEPS} steps)
      </button>
    );
  }
  if (!match) return null;
  return (
    <button type="button" onClick={() => busy || void startFromSnapshot(match.id)} aria-disabled={busy || undefined}
      title={`${match.title}, ${match.setupLabel}: ${match.steps} training steps, ${headlineOf(match)} on ${match.evaluation.episodes} held-out test episodes.`}>
      Start from a ready model
    </button>
  );
}

/** Loading a snapshot, or why it could not be: a line under the run buttons. */
export function SnapshotStatusLine() {
  const status = usePlayground((s) => s.snapshotStatus);
  const dismiss = usePlayground((s) => s.dismissSnapshotStatus);
  if (!status) return null;
  if (status.status === 'loading') return <p className="muted">Loading the trained model…</p>;
  return (
    <p className="field__error" role="alert">
      {status.message}{' '}
      <button type="button" className="link" onClick={dismiss}>
        Dismiss
      </button>
    </p>
  );
}

/** Every trained model the app ships, each with a button that starts from it (Teaching group). */
export function TrainedModels() {
  const entries = usePlayground((s) => s.snapshotEntries());
  const busy = usePlayground((s) => isTraining(s) || s.snapshotStatus?.status === 'loading');
  const startFromSnapshot = usePlayground((s) => s.startFromSnapshot);
  if (entries.length === 0) return null;
  return (
    <details className="trained-models">
      <summary>Ready models ({entries.length})</summary>
      <p className="muted">
        Models trained in advance, to explore at once: each was trained with its setup below by <code>npm run snapshots</code> and evaluated on held-out classes (600 test episodes, seed 2017). Starting
        from one adds its run, curves and evaluation to the history; "Continue" trains it on with a fresh optimiser.
      </p>
      <ul className="trained-models__list">
        {entries.map((e) => (
          <li key={e.id}>
            <button type="button" className="link" onClick={() => busy || void startFromSnapshot(e.id)} aria-disabled={busy || undefined}>
              {e.title}, {e.setupLabel}
            </button>{' '}
            <span className="muted">
              {e.steps} steps, {headlineOf(e)}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
