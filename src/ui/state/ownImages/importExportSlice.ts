// Image sets in and classifiers out: importing a zip of <class>/<image> as a new image set,
// exporting the fitted classifier as a model (kept in the browser and downloaded), and the offer to
// replace an earlier image set or model whose name an import took.
import { datasetFromZip } from '../../userData/datasetZip';
import { modelFilesBytes } from '../../models/modelStore';
import { freeName, keepingBoth, message, ownImagesTools, summaryOf, type OwnImagesEnv, type OwnImagesSlice } from './env';
import type { ImportExportSlice } from './types';

export const createImportExportSlice =
  (env: OwnImagesEnv): OwnImagesSlice<ImportExportSlice> =>
  (set, get) => {
    const { deps } = env;
    const { saveDataset, saveNewModel, needsFreshClassifier } = ownImagesTools(env, set, get);
    return {
      replaceOffer: null,

      async importZip(fileName, bytes) {
        set({ reading: { done: 0, total: 0 }, fileProblems: [], fileNotes: [], datasetMessage: undefined });
        let imported: Awaited<ReturnType<typeof datasetFromZip>>;
        try {
          imported = await datasetFromZip(bytes, fileName, deps.prepare, { onProgress: (done: number, total: number) => set({ reading: { done, total } }) });
        } catch (error) {
          set({ datasetMessage: message(error), reading: null });
          return;
        }
        const { dataset, problems, notes } = imported;
        set({ reading: null, fileProblems: problems, fileNotes: notes });
        if (dataset.classes.length === 0) {
          set({ datasetMessage: `${fileName} holds no image in a class folder; nothing was imported. Expected <class>/<image> inside.` });
          return;
        }
        const elsewhere = () => saveDataset({ ...dataset, name: freeName(dataset.name, get().datasets.map((d) => d.name)) });
        if (get().storage !== 'ready') {
          await elsewhere();
          return;
        }
        // A name the browser already keeps: kept beside the earlier set as "name (2)", with the offer to replace it.
        try {
          const saved = await keepingBoth(
            () => deps.datasets.saveImported(dataset).then((r) => r.dataset),
            () => deps.datasets.saveImported(dataset, { onConflict: 'keepBoth' }).then((r) => r.dataset),
            (conflict, kept) => set({ replaceOffer: { what: 'dataset', name: conflict.takenName, keptAs: kept.name, earlierId: conflict.existingId, importedId: kept.id } }),
          );
          set((s) => ({ datasets: [saved, ...s.datasets.filter((d) => d.id !== saved.id)], datasetId: saved.id }));
        } catch (error) {
          await elsewhere();
          set({ datasetMessage: `Your images are shown but could not be saved in the browser: ${message(error)}` });
        }
      },

      async exportModel(name) {
        // The export is the classifier of the classes shown: fitted again if they changed since.
        if (get().classifier.status === 'done' && !get().backbone.summary?.classifier && needsFreshClassifier()) await get().adapt();
        const classifier = get().classifier.result;
        if (get().classifier.status !== 'done' || !classifier) {
          set({ notice: get().classifier.message ?? 'Adapt to your classes first: the exported model is the classifier fitted on them.' });
          return null;
        }
        const trimmed = name.trim() || 'few-shot-classifier';
        try {
          const files = await deps.client.exportClassifier(classifier.classifierId, trimmed);
          const record = await saveNewModel({
            id: env.nextId('model'),
            name: trimmed,
            origin: 'exported',
            files,
            bytes: modelFilesBytes(files),
            savedAt: env.now(),
          });
          set({ notice: `Saved "${record.name}" in this browser (pick it under Backbone to use it again) and downloaded its files.` });
          return files;
        } catch (error) {
          set({ notice: message(error) });
          return null;
        }
      },

      async resolveReplaceOffer(choice) {
        const offer = get().replaceOffer;
        set({ replaceOffer: null });
        if (!offer || choice === 'keepBoth') return;
        try {
          if (offer.what === 'dataset') {
            const imported = get().datasets.find((d) => d.id === offer.importedId);
            if (!imported) return;
            await get().deleteDataset(offer.earlierId);
            await saveDataset({ ...imported, name: offer.name });
          } else {
            const imported = await deps.models.get(offer.importedId);
            if (!imported) return;
            const renamed = { ...imported, name: offer.name };
            await deps.models.put(renamed);
            await deps.models.delete(offer.earlierId);
            set((s) => ({ models: s.models.filter((m) => m.id !== offer.earlierId).map((m) => (m.id === renamed.id ? summaryOf(renamed) : m)) }));
            const { backbone } = get();
            if (backbone.choice?.kind === 'stored' && backbone.choice.id === offer.earlierId) {
              // The earlier model was the backbone in use: the import takes its place there too.
              await get().chooseBackbone({ kind: 'stored', id: renamed.id });
            } else if (backbone.summary && backbone.choice?.kind === 'stored' && backbone.choice.id === renamed.id) {
              set({ backbone: { ...backbone, summary: { ...backbone.summary, name: renamed.name } } });
            }
          }
        } catch (error) {
          set({ notice: `The earlier ${offer.what === 'dataset' ? 'image set' : 'model'} could not be replaced: ${message(error)}` });
        }
      },
    };
  };
