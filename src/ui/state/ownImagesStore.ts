// The store of the "Your images" page (zustand): the user's datasets (kept in IndexedDB), the
// backbone in use (a pretrained MobileNet downloaded on request, a TensorFlow.js model imported from
// disk, or a run trained in the playground), the few-shot classifier fitted on the user's classes,
// its accuracy estimate, the last classification, a batch of unlabelled images classified, and exports. It is composed of slices, one
// purpose each (./ownImages/*Slice.ts; their state and actions are typed in ./ownImages/types.ts),
// over one env holding what they share; the playground is read only through its named selectors
// (./ownImages/playgroundRuns.ts). The worker client, the storage and the download are injected, so
// the actions are tested without a browser and run for real on the page.
import { createStore } from 'zustand/vanilla';
import { createBackboneSlice } from './ownImages/backboneSlice';
import { createBatchSlice } from './ownImages/batchSlice';
import { createClassifierSlice } from './ownImages/classifierSlice';
import { ownImagesEnv } from './ownImages/env';
import { createImageSetsSlice } from './ownImages/imageSetsSlice';
import { createImportExportSlice } from './ownImages/importExportSlice';
import { createSessionSlice } from './ownImages/sessionSlice';
import type { OwnImagesDeps, OwnImagesState, OwnImagesStore } from './ownImages/types';

export type { BackboneChoice, BackboneState, OwnImagesClient, OwnImagesDeps, OwnImagesState, OwnImagesStore, ReplaceOffer, Task, TrainedRun } from './ownImages/types';
export { freeName } from './ownImages/env';
export { backboneRuns } from './ownImages/playgroundRuns';
export { modelNameOf } from './ownImages/backboneSlice';
export { readiness } from './ownImages/classifierSlice';

export function createOwnImagesStore(deps: OwnImagesDeps): OwnImagesStore {
  const env = ownImagesEnv(deps);
  return createStore<OwnImagesState>()((...a) => ({
    ...createSessionSlice(env)(...a),
    ...createImageSetsSlice(env)(...a),
    ...createBackboneSlice(env)(...a),
    ...createClassifierSlice(env)(...a),
    ...createBatchSlice(env)(...a),
    ...createImportExportSlice(env)(...a),
  }));
}
