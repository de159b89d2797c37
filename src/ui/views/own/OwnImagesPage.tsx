// The "Your images" page: the user's classes on the left; backbone, adaptation with its accuracy
// estimate, classification of new images and export on the right, numbered in the order a
// first-time user goes through them. Everything runs in this browser.
import { useOwnImages } from '../../state/ownImagesContext';
import { BackbonePanel } from './BackbonePanel';
import { ClassesPanel } from './ClassesPanel';
import { ClassifierPanel } from './ClassifierPanel';
import { ClassifyPanel } from './ClassifyPanel';
import { ReplaceOffer } from './ReplaceOffer';
import { ExportPanel } from './ExportPanel';
import './own.css';

export function OwnImagesPage() {
  const notice = useOwnImages((s) => s.notice);
  const dismissNotice = useOwnImages((s) => s.dismissNotice);
  return (
    <main className="own">
      <ReplaceOffer />
      {notice && (
        <p className="notice" role="status">
          {notice}{' '}
          <button type="button" onClick={dismissNotice}>
            Dismiss
          </button>
        </p>
      )}
      <div className="app__layout own__layout">
        <ClassesPanel />
        <div className="app__main">
          <BackbonePanel />
          <ClassifierPanel />
          <ClassifyPanel />
          <ExportPanel />
        </div>
      </div>
    </main>
  );
}
