// The status region: which backend computes and why it was chosen, always visible and announced
// politely to screen readers; and notices that belong to no control (a restarted worker).
import { OfflineIndicator } from '../../offline/OfflineIndicator';
import { usePlayground } from '../../state/context';

export function StatusRegion() {
  const backend = usePlayground((s) => s.backend);
  const status = usePlayground((s) => s.backendStatus);
  const message = usePlayground((s) => s.backendMessage);
  const notice = usePlayground((s) => s.notice);
  const dismiss = usePlayground((s) => s.dismissNotice);
  return (
    <div className="status-bar">
      <p role="status" aria-live="polite" className="status-bar__backend">
        {status === 'choosing' && 'Backend: choosing…'}
        {status === 'ready' && backend && (
          <>
            Backend: <strong>{backend.backend}</strong> ({backend.info}). Why: {backend.reason}.
          </>
        )}
        {status === 'error' && `Backend: none could start. ${message ?? ''}`}
        {status === 'idle' && 'Backend: not chosen yet'}
      </p>
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
