// The user's image sets and classes: choosing, creating, importing and exporting a set (zip in the
// <class>/<image> layout), adding a folder of class folders ("Add images") or dropping one, adding
// a class by name, and every class as a card. Files that could not be used are listed one by one;
// what else happened to the files added (kept under a new name, duplicates skipped) is a line per class.
import { useState } from 'react';
import { datasetToZip, datasetZipName } from '../../userData/datasetZip';
import { filesFromFileList } from '../../userData/dropFiles';
import type { UserFile } from '../../userData/ingest';
import { datasetStats } from '../../userData/ownDataset';
import { useOwnImages } from '../../state/ownImagesContext';
import { InlineField } from './InlineField';
import { downloadFile } from '../../download';
import { ClassCard } from './ClassCard';
import { ConfirmButton } from './ConfirmButton';
import { useDropTarget } from './useDropTarget';

function isZip(name: string): boolean {
  return /\.zip$/i.test(name);
}

export function ClassesPanel() {
  const datasets = useOwnImages((s) => s.datasets);
  const datasetId = useOwnImages((s) => s.datasetId);
  const storage = useOwnImages((s) => s.storage);
  const storageMessage = useOwnImages((s) => s.storageMessage);
  const reading = useOwnImages((s) => s.reading);
  const fileProblems = useOwnImages((s) => s.fileProblems);
  const fileNotes = useOwnImages((s) => s.fileNotes);
  const datasetMessage = useOwnImages((s) => s.datasetMessage);
  const newDataset = useOwnImages((s) => s.newDataset);
  const selectDataset = useOwnImages((s) => s.selectDataset);
  const deleteDataset = useOwnImages((s) => s.deleteDataset);
  const addClass = useOwnImages((s) => s.addClass);
  const addFiles = useOwnImages((s) => s.addFiles);
  const importZip = useOwnImages((s) => s.importZip);
  const [className, setClassName] = useState('');
  const dataset = datasets.find((d) => d.id === datasetId) ?? null;
  const busy = reading !== null;
  const stats = dataset ? datasetStats(dataset) : null;

  /** A dropped zip becomes its own image set; dropped folders and images join the current one. */
  const receive = async (files: UserFile[]) => {
    const zips = files.filter((f) => isZip(f.path));
    for (const zip of zips) {
      await importZip(zip.path.split('/').pop()!, await zip.read());
    }
    const rest = files.filter((f) => !isZip(f.path));
    if (rest.length > 0) await addFiles(rest);
  };
  const drop = useDropTarget(receive);

  return (
    <section className="panel own-classes" aria-labelledby="own-classes-title">
      <h2 id="own-classes-title">1. Your classes</h2>
      {storage === 'unavailable' && (
        <p className="field__error" role="alert">
          {storageMessage}
        </p>
      )}
      <div className="own-classes__sets">
        <label htmlFor="own-image-set">Image set</label>
        <select id="own-image-set" value={datasetId ?? ''} onChange={(e) => selectDataset(e.target.value)} disabled={busy || datasets.length === 0}>
          {datasets.length === 0 && <option value="">(none yet)</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void newDataset('My images')} disabled={busy}>
          New image set
        </button>
        <label className={`file-button${busy ? ' file-button--disabled' : ''}`}>
          Import image set (zip)
          <input
            type="file"
            accept=".zip,application/zip"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (!file) return;
              void file.arrayBuffer().then((buffer) => importZip(file.name, new Uint8Array(buffer)));
            }}
          />
        </label>
        {dataset && (
          <>
            <button type="button" onClick={() => downloadFile(datasetZipName(dataset), datasetToZip(dataset), 'application/zip')} disabled={busy || dataset.classes.length === 0}>
              Export image set (zip)
            </button>
            <ConfirmButton
              label={`Delete image set ${dataset.name}`}
              text="Delete image set"
              question={`Delete the image set ${dataset.name} (${stats?.images ?? 0} images) from this browser?`}
              onConfirm={() => void deleteDataset(dataset.id)}
              disabled={busy}
            />
          </>
        )}
      </div>

      <div
        className={`dropzone${drop.dragging ? ' dropzone--active' : ''}`}
        {...drop.handlers}
      >
        <p>
          Drop folders here, one per class (<code>cats/</code>, <code>dogs/</code>, … each holding its images), or a zip laid out the same way. PNG, JPEG and WebP;
          big photos are scaled down. Your images stay in this browser.
        </p>
        <label className={`file-button file-button--primary${busy ? ' file-button--disabled' : ''}`}>
          Add images
          <input
            type="file"
            multiple
            // A folder of class folders (or one class folder): each image's class is its folder.
            {...{ webkitdirectory: '', directory: '' }}
            disabled={busy}
            onChange={(e) => {
              const files = filesFromFileList(e.target.files ?? []);
              e.target.value = '';
              void receive(files);
            }}
          />
        </label>
        <span className="muted"> (a folder with one sub-folder per class)</span>
      </div>

      <form
        className="own-classes__add"
        onSubmit={(e) => {
          e.preventDefault();
          // An empty name makes "Class N"; a refused name stays in the field (the reason is shown) so it can be corrected.
          void addClass(className).then((added) => added && setClassName(''));
        }}
      >
        <InlineField label="New class name">
          {(id) => (
            <input id={id} value={className} onChange={(e) => setClassName(e.target.value)} placeholder="e.g. mugs" disabled={busy} />
          )}
        </InlineField>
        <button type="submit" disabled={busy}>
          Add class
        </button>
      </form>

      {reading && (
        <p className="muted" role="status">
          Reading images: {reading.done} of {reading.total}…
        </p>
      )}
      {datasetMessage && (
        <p className="field__error" role="alert">
          {datasetMessage}
        </p>
      )}
      {fileProblems.length > 0 && (
        <div className="file-problems" role="alert">
          <p>
            {fileProblems.length === 1 ? 'One file or folder was skipped' : `${fileProblems.length} files or folders were skipped`} (the rest loaded):
          </p>
          <ul>
            {fileProblems.map((problem, i) => (
              <li key={i}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      {fileNotes.length > 0 && (
        // Nothing went wrong and nothing was lost: a status, not an alert.
        <div className="file-notes muted" role="status" aria-label="What happened to the files added">
          <ul>
            {fileNotes.map((note, i) => (
              <li key={i}>{note}</li>
            ))}
          </ul>
        </div>
      )}
      {dataset && stats && (
        <p className="muted">
          {dataset.name}: {stats.classes} {stats.classes === 1 ? 'class' : 'classes'}, {stats.images} images, kept in this browser
          {storage === 'ready' ? '' : ' for this visit only'}.
        </p>
      )}
      {dataset && dataset.classes.length > 0 && (
        <ul className="class-cards">
          {dataset.classes.map((cls) => (
            <ClassCard key={cls.id} cls={cls} disabled={busy} />
          ))}
        </ul>
      )}
    </section>
  );
}
