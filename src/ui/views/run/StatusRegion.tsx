// The status region: which backend computes, as a one-line chip ("WASM · SIMD · 2 threads") whose
// disclosure says why (driver names, why not WebGPU), and notices that belong to no control (a
// restarted worker). The whole sentence, backend and why, is the polite live status screen readers
// hear; the chip is what sighted users see, so the header, and the Train button below it, never grow.
import { OfflineIndicator } from '../../offline/OfflineIndicator';
import { usePlayground } from '../../state/context';
import { chipParts, reasonsOf } from './backendChip';

export function StatusRegion() {
  const backend = usePlayground((s) => s.backend);
  const status = usePlayground((s) => s.backendStatus);
  const message = usePlayground((s) => s.backendMessage);
  const notice = usePlayground((s) => s.notice);
  const dismiss = usePlayground((s) => s.dismissNotice);
  const ready = status === 'ready' && backend;
  return (
    <div className="status-bar">
      <p role="status" aria-live="polite" className="sr-only">
        {status === 'choosing' && 'Backend: choosing…'}
        {ready && `Backend: ${backend.backend} (${backend.info}). Why: ${backend.reason}.`}
        {status === 'error' && `Backend: none could start. ${message ?? ''}`}
        {status === 'idle' && 'Backend: not chosen yet'}
      </p>
      {ready ? (
        <details className="backend-chip">
          <summary>
            <span className="sr-only">Backend: </span>
            <span className="backend-chip__text">{chipParts(backend).join(' · ')}</span>
            <span className="sr-only"> (why this backend)</span>
          </summary>
          <div className="backend-chip__why">
            <p>
              <strong>{chipParts(backend)[0]}</strong>: {backend.info}.
            </p>
            <p>Why:</p>
            <ul>
              {reasonsOf(backend.reason).map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        </details>
      ) : status === 'error' ? (
        // Open from the start: why nothing can compute is what the user must read first.
        <details className="backend-chip backend-chip--error" open>
          <summary>Backend: none could start</summary>
          <div className="backend-chip__why">
            <p>{message}</p>
          </div>
        </details>
      ) : (
        // The live status above already says it; this is its visible copy.
        <p className="backend-chip backend-chip--plain" aria-hidden="true">
          {status === 'choosing' ? 'Backend: choosing…' : 'Backend: not chosen yet'}
        </p>
      )}
      <OfflineIndicator />
      {notice && (
        <p className="status-bar__notice" role="alert">
          {notice}{' '}
          <button type="button" className="link" onClick={dismiss}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
