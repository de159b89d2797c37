// The "Your images" page as the app loads it (a separate chunk, on first visit of the tab): builds
// its store once, over the page's compute client and playground store, with the browser's storage,
// image decoding and downloads, and starts it. Exposed as window.fewShotLab.ownImages for tests.
import { useMemo } from 'react';
import type { ComputeClient } from '../../../worker/client';
import { loadPretrainedModel } from '../../models/loadPretrained';
import { modelStore } from '../../models/modelStore';
import { modelFilesFromPicked } from '../../models/pickedModelFiles';
import { createRunHistory } from '../../history/runHistory';
import { OwnImagesContext } from '../../state/ownImagesContext';
import { createOwnImagesStore, type OwnImagesStore } from '../../state/ownImagesStore';
import type { PlaygroundStore } from '../../state/store';
import { ownDatasetStore } from '../../userData/ownDatasetStore';
import { prepareImage } from '../../userData/prepareImage';
import { OwnImagesPage } from './OwnImagesPage';

let created: OwnImagesStore | null = null;

function ownImagesStore(client: ComputeClient, playground: PlaygroundStore): OwnImagesStore {
  if (created) return created;
  const models = modelStore();
  created = createOwnImagesStore({
    client,
    playground,
    datasets: ownDatasetStore(),
    models,
    prepare: prepareImage,
    loadPretrained: (model, options) => loadPretrainedModel(model, { ...options, store: models }),
    readModelFiles: (files) => modelFilesFromPicked(files.map((f) => ({ name: f.path.split('/').pop()!, read: f.read }))),
    runStates: createRunHistory(),
  });
  void created.getState().start();
  const exposed = (window as unknown as { fewShotLab?: Record<string, unknown> }).fewShotLab;
  if (exposed) exposed.ownImages = created;
  return created;
}

export default function OwnImagesRoot({ client, playground }: { client: ComputeClient; playground: PlaygroundStore }) {
  const store = useMemo(() => ownImagesStore(client, playground), [client, playground]);
  return (
    <OwnImagesContext.Provider value={store}>
      <OwnImagesPage />
    </OwnImagesContext.Provider>
  );
}
