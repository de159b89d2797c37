// Step 4: classifying a new image (a file, a pasted image, or a webcam frame) with the classifier
// fitted on the user's classes, or with an imported one; every class's calibrated probability as a
// bar, the most likely first, and "not sure" with the runner-up when the top one is too low. The
// result names its file; the image is shown beside its bars and stays in the page. Below it, a whole
// folder or zip at once (BatchPanel).
import { useEffect, useState } from 'react';
import { isNotSure, notSureBelow } from '../../../core/features/calibrate';
import { useOwnImages } from '../../state/ownImagesContext';
import { BatchPanel } from './BatchPanel';
import { WebcamCapture } from './WebcamCapture';

function imageUrlOf(bytes: Uint8Array, type = 'image/jpeg'): string {
  return URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
}

export function ClassifyPanel() {
  const classify = useOwnImages((s) => s.classify);
  const classification = useOwnImages((s) => s.classification);
  const ready = useOwnImages((s) => s.backbone.status === 'ready');
  const [camera, setCamera] = useState(false);

  const classifyFile = async (file: Blob, name: string) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    await classify(bytes, imageUrlOf(bytes, file.type || 'image/jpeg'), name);
  };

  // A pasted image (Ctrl+V anywhere on this page) is classified, unless a text field has focus.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      const item = [...(event.clipboardData?.items ?? [])].find((i) => i.kind === 'file' && i.type.startsWith('image/'));
      const file = item?.getAsFile();
      if (!file) return;
      event.preventDefault();
      void classifyFile(file, file.name && file.name !== 'image.png' ? `${file.name} (pasted)` : 'pasted image');
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  });

  const result = classification.status === 'done' ? classification.result : undefined;
  const ranked = result ? result.classes.map((name, i) => ({ name, p: result.probabilities[0][i] })).sort((a, b) => b.p - a.p) : [];
  const unsure = result ? isNotSure(result.probabilities[0]) : false;
  const shown = (p: number) => `${(100 * p).toFixed(1)}%`;

  return (
    <section className="panel own-classify" aria-labelledby="own-classify-title">
      <h2 id="own-classify-title">4. Classify a new image</h2>
      <div className="button-row">
        <label className={`file-button file-button--primary${ready ? '' : ' file-button--disabled'}`}>
          Classify image
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={!ready}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void classifyFile(file, file.name);
            }}
          />
        </label>
        <button type="button" onClick={() => setCamera(!camera)} aria-expanded={camera} disabled={!ready}>
          {camera ? 'Hide camera' : 'Classify a webcam frame…'}
        </button>
        <span className="muted">or paste an image (Ctrl+V / ⌘V)</span>
      </div>
      {!ready && <p className="muted">Pick a backbone and add your classes first.</p>}
      {camera && <WebcamCapture purpose="classifying" countdown={0} onCapture={(bytes) => classify(bytes, imageUrlOf(bytes), `webcam frame at ${new Date().toLocaleTimeString('en-GB')}`)} />}
      {classification.status === 'working' && (
        <p role="status" className="muted">
          Classifying…
        </p>
      )}
      {classification.status === 'error' && (
        <p className="field__error" role="alert">
          {classification.message}
        </p>
      )}
      {(classification.status === 'done' || classification.status === 'working') && (
        <div className="own-classify__result">
          {classification.imageUrl && <img className="own-classify__image" src={classification.imageUrl} alt={`The image being classified: ${classification.name ?? 'image'}`} />}
          {result && (
            <div>
              <p className="own-classify__file">{result.names[0]}</p>
              <p className="own-classify__headline" aria-live="polite">
                {unsure ? (
                  <>
                    Not sure: <strong>{ranked[0].name}</strong> ({shown(ranked[0].p)}) or <strong>{ranked[1].name}</strong> ({shown(ranked[1].p)})
                  </>
                ) : (
                  <>
                    Most likely: <strong>{ranked[0].name}</strong> ({shown(ranked[0].p)})
                  </>
                )}
              </p>
              <p className="own-classify__bars-title">{result.calibrated ? 'Calibrated probabilities' : 'Raw scores (not calibrated)'}</p>
              <ul className="probability-bars" aria-label={result.calibrated ? 'Calibrated class probabilities' : 'Class scores, not calibrated'}>
                {ranked.map(({ name, p }, i) => (
                  <li key={name} className={`probability-bars__row${i === 0 ? ' probability-bars__row--top' : ''}`}>
                    <span className="probability-bars__name">{name}</span>
                    <span className="probability-bars__track" role="meter" aria-label={`${name} probability`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(1000 * p) / 10}>
                      <span className="probability-bars__fill" style={{ width: `${(100 * p).toFixed(1)}%` }} />
                    </span>
                    <span className="probability-bars__value">{(100 * p).toFixed(1)}%</span>
                  </li>
                ))}
              </ul>
              <p className="muted">
                {result.calibrated
                  ? `Calibrated probabilities (temperature ${result.temperature.toFixed(2)}, fitted on your own images): of answers given at 80%, about 80% should be right.`
                  : 'Not calibrated (see step 3: calibration needs more images): these are the classifier’s raw scores and are often too sure.'}{' '}
                “Not sure” below {Math.round(100 * notSureBelow(result.classes.length))}% (halfway between chance and certainty). Probabilities over your{' '}
                {result.classes.length} classes only: an image of something else still gets one of them.
              </p>
            </div>
          )}
        </div>
      )}
      <BatchPanel />
    </section>
  );
}
