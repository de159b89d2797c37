// The datasets the worker holds: loading one (Omniglot from the browser's cache; the built-in ones
// as soon as they are chosen, so the setup is checked against them while it is edited), and
// downloading Omniglot when the user asks.
import type { DatasetSource, DatasetSummary } from '../../../worker/protocol';
import type { DatasetChoice } from '../setup';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import type { DatasetsSlice } from './types';

function datasetSource(dataset: DatasetChoice, bytes?: Uint8Array): DatasetSource {
  if (dataset === 'omniglot') return { kind: 'omniglot', name: 'images_background.zip', bytes: bytes! };
  return { kind: dataset };
}

export const createDatasetsSlice =
  (env: PlaygroundEnv): PlaygroundSlice<DatasetsSlice> =>
  (set, get) => {
    const { deps } = env;
    const { setDataset } = playgroundTools(env, set, get);
    let download: AbortController | null = null;
    /** Loads under way: Train pressed while a chosen dataset loads waits for that load, not a second one. */
    const loading = new Map<DatasetChoice, Promise<DatasetSummary | null>>();

    const load = async (dataset: DatasetChoice): Promise<DatasetSummary | null> => {
      const state = get().datasets[dataset];
      let bytes: Uint8Array | undefined;
      if (dataset === 'omniglot') {
        if (!state?.cached) {
          setDataset('omniglot', { status: 'absent', message: 'Download Omniglot first (button below the Dataset control), or pick the built-in glyphs.' });
          return null;
        }
        try {
          bytes = await deps.omniglot.load({ onProgress: () => {}, signal: new AbortController().signal });
        } catch (error) {
          setDataset('omniglot', { status: 'error', message: (error as Error).message });
          return null;
        }
      }
      setDataset(dataset, { status: 'loading', message: undefined });
      try {
        const summary = await deps.client.loadDataset(dataset, datasetSource(dataset, bytes));
        setDataset(dataset, { status: 'ready', summary });
        if (get().setup.dataset === dataset) get().recheckSetup();
        return summary;
      } catch (error) {
        setDataset(dataset, { status: 'error', message: (error as Error).message });
        return null;
      }
    };

    return {
      datasets: {},

      async loadDataset(dataset = get().setup.dataset): Promise<DatasetSummary | null> {
        const state = get().datasets[dataset];
        if (state?.status === 'ready') return state.summary!;
        const pending = loading.get(dataset) ?? load(dataset).finally(() => loading.delete(dataset));
        loading.set(dataset, pending);
        return pending;
      },

      prepareDataset(dataset) {
        // Omniglot is read from its archive only when asked (its button, or Train); a failed load
        // is tried again by Train, not over and over here.
        const status = get().datasets[dataset]?.status;
        if (dataset !== 'omniglot' && status !== 'ready' && status !== 'error') void get().loadDataset(dataset);
      },

      async downloadOmniglot() {
        download?.abort();
        download = new AbortController();
        setDataset('omniglot', { status: 'downloading', progress: { received: 0, total: deps.omniglot.size }, message: undefined });
        try {
          await deps.omniglot.load({
            signal: download.signal,
            onProgress: (received, total) => setDataset('omniglot', { progress: { received, total } }),
          });
          setDataset('omniglot', { status: 'absent', cached: true, progress: undefined });
          await get().loadDataset('omniglot');
        } catch (error) {
          setDataset('omniglot', { status: 'error', message: (error as Error).message, progress: undefined });
        } finally {
          download = null;
        }
      },

      cancelDownload() {
        download?.abort();
      },
    };
  };
