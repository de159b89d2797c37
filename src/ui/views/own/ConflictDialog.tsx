// Asks before anything in the browser's store is replaced: an imported image set or model whose
// name is taken can replace the old one, be kept beside it under a new name, or not be imported.
import { useEffect, useRef } from 'react';
import { useOwnImages } from '../../state/ownImagesContext';

export function ConflictDialog() {
  const conflict = useOwnImages((s) => s.conflict);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), [conflict]);
  if (!conflict) return null;
  const what = conflict.what === 'dataset' ? 'an image set' : 'a model';
  return (
    <div className="conflict" role="alertdialog" aria-labelledby="conflict-title" aria-describedby="conflict-text">
      <h2 id="conflict-title">“{conflict.name}” is already in this browser</h2>
      <p id="conflict-text">This browser already keeps {what} with this name. Replace it, keep both (the new one gets a numbered name), or cancel the import.</p>
      <div className="button-row">
        <button type="button" ref={first} onClick={() => conflict.resolve('keepBoth')}>
          Keep both
        </button>
        <button type="button" className="danger" onClick={() => conflict.resolve('replace')}>
          Replace
        </button>
        <button type="button" onClick={() => conflict.resolve('cancel')}>
          Cancel import
        </button>
      </div>
    </div>
  );
}
