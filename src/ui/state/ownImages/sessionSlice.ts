// Starting the "Your images" page: listening to the worker, reading the image sets and models the
// browser keeps (all image sets: they are small, so switching is instant); and the notice.
import type { WorkerEvent } from '../../../worker/protocol';
import { message, type OwnImagesEnv, type OwnImagesSlice } from './env';
import type { OwnSessionSlice } from './types';

export const createSessionSlice =
  (env: OwnImagesEnv): OwnImagesSlice<OwnSessionSlice> =>
  (set, get) => {
    const { deps } = env;
    const onEvent = (event: WorkerEvent | { type: 'restarted' }) => {
      if (event.type === 'featureProgress' && env.loaded === event.backboneId) {
        set((s) => ({ backbone: { ...s.backbone, progress: { done: event.done, total: event.total, what: event.what } } }));
      }
      if (event.type === 'restarted') {
        // The worker's classifiers were lost with it; the backbone is reloaded by the client.
        if (get().classifier.status === 'done' && !get().backbone.summary?.classifier) set({ classifier: { status: 'idle' } });
      }
    };
    return {
      notice: null,

      async start() {
        deps.client.on(onEvent);
        // Datasets are small (downscaled photos): all are read, so switching between them is instant.
        const readAll = async () => (await Promise.all((await deps.datasets.list()).map((d) => deps.datasets.get(d.id)))).filter((d) => d !== undefined);
        const [datasets, models] = await Promise.allSettled([readAll(), deps.models.list()]);
        if (datasets.status === 'rejected') {
          set({
            storage: 'unavailable',
            storageMessage: `${message(datasets.reason)} Your images work for this visit but are not kept after a reload.`,
          });
        } else {
          const sorted = [...datasets.value].sort((a, b) => b.updatedAt - a.updatedAt);
          set({ storage: 'ready', datasets: sorted, datasetId: sorted[0]?.id ?? null });
        }
        if (models.status === 'fulfilled') set({ models: models.value });
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  };
