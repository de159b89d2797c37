// One of the user's classes: its name (renamable), a thumbnail of every image (each removable), and
// three ways to add images to it: a file picker, the webcam, or dropping files on the card.
import { useState } from 'react';
import type { OwnClassRecord } from '../../userData/ownDataset';
import { filesFromFileList } from '../../userData/dropFiles';
import { useOwnImages } from '../../state/ownImagesContext';
import { ConfirmButton } from './ConfirmButton';
import { Thumbnail } from './Thumbnail';
import { useDropTarget } from './useDropTarget';
import { WebcamCapture } from './WebcamCapture';

const IMAGE_TYPES = 'image/png,image/jpeg,image/webp';

export function ClassCard({ cls, disabled }: { cls: OwnClassRecord; disabled: boolean }) {
  const addFiles = useOwnImages((s) => s.addFiles);
  const renameClass = useOwnImages((s) => s.renameClass);
  const deleteClass = useOwnImages((s) => s.deleteClass);
  const deleteImage = useOwnImages((s) => s.deleteImage);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(cls.name);
  const drop = useDropTarget((files) => addFiles(files, cls.id));
  const [camera, setCamera] = useState(false);

  return (
    <li
      className={`class-card${drop.dragging ? ' class-card--drop' : ''}`}
      aria-label={`Class ${cls.name}, ${cls.images.length} images`}
      {...drop.handlers}
    >
      <div className="class-card__head">
        {editing ? (
          <form
            className="class-card__rename"
            onSubmit={(e) => {
              e.preventDefault();
              setEditing(false);
              if (name.trim() !== cls.name) void renameClass(cls.id, name);
            }}
          >
            <input aria-label={`New name for class ${cls.name}`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit">Save</button>
            <button type="button" onClick={() => { setEditing(false); setName(cls.name); }}>
              Cancel
            </button>
          </form>
        ) : (
          <h3 className="class-card__name">
            {cls.name} <span className="muted">({cls.images.length} {cls.images.length === 1 ? 'image' : 'images'})</span>
          </h3>
        )}
        {!editing && (
          <div className="button-row">
            <button type="button" aria-label={`Rename class ${cls.name}`} onClick={() => setEditing(true)} disabled={disabled}>
              Rename
            </button>
            <ConfirmButton
              label={`Delete class ${cls.name}`}
              question={`Delete ${cls.name} and its ${cls.images.length} images?`}
              onConfirm={() => void deleteClass(cls.id)}
              disabled={disabled}
            />
          </div>
        )}
      </div>
      {cls.images.length === 0 ? (
        <p className="muted">No images yet: add files, capture from the camera, or drop images here.</p>
      ) : (
        <ul className="thumbnails" aria-label={`Images of ${cls.name}`}>
          {cls.images.map((image) => (
            <li key={image.id} className="thumbnails__item">
              <Thumbnail bytes={image.bytes} type={image.type} alt={`${cls.name}: ${image.name}`} />
              <button
                type="button"
                className="thumbnails__remove"
                aria-label={`Remove ${image.name} from ${cls.name}`}
                title={`Remove ${image.name}`}
                onClick={() => void deleteImage(cls.id, image.id)}
                disabled={disabled}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <label className={`file-button${disabled ? ' file-button--disabled' : ''}`}>
          Add files to {cls.name}
          <input
            type="file"
            multiple
            accept={IMAGE_TYPES}
            disabled={disabled}
            onChange={(e) => {
              const files = filesFromFileList(e.target.files ?? []);
              e.target.value = '';
              void addFiles(files, cls.id);
            }}
          />
        </label>
        <button type="button" onClick={() => setCamera(!camera)} aria-expanded={camera} disabled={disabled}>
          {camera ? 'Hide camera' : 'Camera…'}
        </button>
      </div>
      {camera && (
        <WebcamCapture
          purpose={cls.name}
          onCapture={(bytes) => addFiles([{ path: `webcam-${new Date().toISOString().replace(/[:.]/g, '-')}.jpg`, read: async () => bytes }], cls.id)}
        />
      )}
    </li>
  );
}
