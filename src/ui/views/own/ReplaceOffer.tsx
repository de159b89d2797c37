// What happened when an imported image set or model had a name already in this browser: it was
// kept beside the earlier one under a numbered name (nothing replaced, nothing lost), and the user
// may replace the earlier one with it instead. Never blocks: other work goes on meanwhile.
import { useOwnImages } from '../../state/ownImagesContext';

export function ReplaceOffer() {
  const offer = useOwnImages((s) => s.replaceOffer);
  const resolve = useOwnImages((s) => s.resolveReplaceOffer);
  if (!offer) return null;
  const what = offer.what === 'dataset' ? 'an image set' : 'a model';
  return (
    <div className="replace-offer" role="status" aria-labelledby="replace-offer-text">
      <p id="replace-offer-text">
        This browser already kept {what} named “{offer.name}”, so the new one was kept beside it as “{offer.keptAs}”. Nothing was replaced.
      </p>
      <div className="button-row">
        <button type="button" className="danger" onClick={() => void resolve('replace')}>
          Replace the earlier “{offer.name}”
        </button>
        <button type="button" onClick={() => void resolve('keepBoth')}>
          Keep both
        </button>
      </div>
    </div>
  );
}
