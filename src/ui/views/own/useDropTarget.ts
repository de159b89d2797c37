// Dropping files or folders on an element: the handlers an element spreads, and whether something
// is being dragged over it (for a highlight). The files are taken from the drop event at once, as
// a DataTransfer is emptied when its handler returns, and handed over as UserFiles.
import { useState, type DragEvent } from 'react';
import { filesFromDataTransfer } from '../../userData/dropFiles';
import type { UserFile } from '../../userData/ingest';

export function useDropTarget(onFiles: (files: UserFile[]) => unknown) {
  const [dragging, setDragging] = useState(false);
  return {
    dragging,
    handlers: {
      onDragOver(e: DragEvent) {
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave() {
        setDragging(false);
      },
      onDrop(e: DragEvent) {
        e.preventDefault();
        // A drop on a class card is that class's; the page's drop zone must not take it too.
        e.stopPropagation();
        setDragging(false);
        void filesFromDataTransfer(e.dataTransfer).then(onFiles);
      },
    },
  };
}
