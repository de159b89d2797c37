// The user's image sets (kept in IndexedDB when the browser allows): making, choosing and deleting
// one, editing its classes and images, and adding files (dropped, picked, captured).
import type { IngestedClass } from '../../userData/ingest';
import { ingestFiles } from '../../userData/ingest';
import type { OwnDatasetRecord } from '../../userData/ownDataset';
import { addClass, addImages, createDataset, deleteClass, deleteImage, mergeClasses, renameClass } from '../../userData/ownDataset';
import { freeName, message, ownImagesTools, type OwnImagesEnv, type OwnImagesSlice } from './env';
import type { ImageSetsSlice } from './types';

/** Images added through a class's own picker (or webcam) go into that class. */
function addIngested(dataset: OwnDatasetRecord, classId: string, classes: IngestedClass[]) {
  const images = classes.flatMap((c) => c.images);
  return addImages(dataset, classId, images);
}

export const createImageSetsSlice =
  (env: OwnImagesEnv): OwnImagesSlice<ImageSetsSlice> =>
  (set, get) => {
    const { deps } = env;
    const { current, saveDataset } = ownImagesTools(env, set, get);

    /** Runs an edit of the current dataset; an edit the data model refuses is said, nothing changes. */
    const editDataset = async (edit: (d: OwnDatasetRecord) => OwnDatasetRecord): Promise<boolean> => {
      const dataset = current();
      if (!dataset) return false;
      let next: OwnDatasetRecord;
      try {
        next = edit(dataset);
      } catch (error) {
        set({ datasetMessage: message(error) });
        return false;
      }
      set({ datasetMessage: undefined });
      await saveDataset(next);
      return true;
    };

    return {
      storage: 'loading',
      datasets: [],
      datasetId: null,
      fileProblems: [],
      fileNotes: [],
      reading: null,

      async newDataset(name) {
        const trimmed = name.trim() || 'My images';
        await saveDataset(createDataset(freeName(trimmed, get().datasets.map((d) => d.name))));
        set({ fileProblems: [], fileNotes: [] });
      },

      selectDataset(id) {
        set({ datasetId: id, fileProblems: [], fileNotes: [], datasetMessage: undefined, estimate: { status: 'idle' }, classification: { status: 'idle' } });
      },

      async deleteDataset(id) {
        set((s) => {
          const datasets = s.datasets.filter((d) => d.id !== id);
          return { datasets, datasetId: s.datasetId === id ? (datasets[0]?.id ?? null) : s.datasetId };
        });
        if (get().storage === 'ready') {
          try {
            await deps.datasets.delete(id);
          } catch (error) {
            set({ datasetMessage: message(error) });
          }
        }
      },

      async addClass(name) {
        if (!current()) await get().newDataset('My images');
        // No name given: "Class 1", "Class 2", ... (the first free one), to be renamed at leisure.
        const taken = current()!.classes.map((c) => c.name.toLowerCase());
        let n = current()!.classes.length + 1;
        while (taken.includes(`class ${n}`)) n++;
        return editDataset((d) => addClass(d, name.trim() || `Class ${n}`));
      },

      async renameClass(classId, name) {
        await editDataset((d) => renameClass(d, classId, name));
      },
      async deleteClass(classId) {
        await editDataset((d) => deleteClass(d, classId));
      },
      async deleteImage(classId, imageId) {
        await editDataset((d) => deleteImage(d, classId, imageId));
      },

      async addFiles(files, classId) {
        if (!current()) await get().newDataset('My images');
        const dataset = current()!;
        const intoClass = classId ? dataset.classes.find((c) => c.id === classId)?.name : undefined;
        set({ reading: { done: 0, total: files.length }, fileProblems: [], fileNotes: [], datasetMessage: undefined });
        try {
          const ingested = await ingestFiles(files, deps.prepare, {
            intoClass,
            onProgress: (done: number, total: number) => set({ reading: { done, total } }),
          });
          const latest = current() ?? dataset;
          const added = classId ? addIngested(latest, classId, ingested.classes) : mergeClasses(latest, ingested.classes);
          set({ fileProblems: [...ingested.problems, ...added.problems], fileNotes: added.notes });
          await saveDataset(added.dataset);
        } catch (error) {
          set({ datasetMessage: message(error) });
        } finally {
          set({ reading: null });
        }
      },
    };
  };
