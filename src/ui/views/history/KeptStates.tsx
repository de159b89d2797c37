// How much the browser keeps of runs' states (checkpoints to resume, trained states to evaluate,
// inspect and use as backbones), against what the site may store, and dropping them to free room.
// Curves, results and setups stay when states are dropped; only resuming and re-using the trained
// weights go.
import { useEffect, useState } from 'react';
import { formatBytes } from '../../../core/data/archiveDownload';
import { usePlayground } from '../../state/context';
import { keptStorage } from '../../state/selectors';
import { ConfirmButton } from '../own/ConfirmButton';

/** What the browser says this site uses and may use (undefined where it does not say). */
function useStorageEstimate(deps: unknown): { usage: number; quota: number } | undefined {
  const [estimate, setEstimate] = useState<{ usage: number; quota: number }>();
  useEffect(() => {
    const storage = (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
    if (typeof storage?.estimate !== 'function') return;
    let live = true;
    storage
      .estimate()
      .then((e) => live && e.usage !== undefined && e.quota !== undefined && setEstimate({ usage: e.usage, quota: e.quota }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [deps]);
  return estimate;
}

export function KeptStates() {
  // Two numbers, selected one by one (an object would be new on every store change).
  const kept = { runs: usePlayground((s) => keptStorage(s).runs), bytes: usePlayground((s) => keptStorage(s).bytes) };
  const dropKeptStates = usePlayground((s) => s.dropKeptStates);
  const estimate = useStorageEstimate(kept.bytes);
  if (kept.runs === 0) return null;
  return (
    <div className="history__kept">
      <p>
        Kept states of {kept.runs} {kept.runs === 1 ? 'run' : 'runs'}: {formatBytes(kept.bytes)} (to resume, evaluate and inspect them on later visits)
        {estimate ? `; this site uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows it.` : '.'}
      </p>
      <ConfirmButton
        label="Drop kept states"
        text="Drop kept states"
        question="Drop the kept states? Curves and results stay; interrupted runs can no longer resume, and earlier runs can no longer be evaluated or inspected."
        confirmText="Drop them"
        onConfirm={() => void dropKeptStates()}
      />
    </div>
  );
}
