// The playground's entry on the main thread: creates the compute client (TensorFlow.js loads only
// inside its worker), the run history and the Omniglot archive source, builds the store and renders
// the app. The client and store are also exposed as window.fewShotLab for the browser tests and
// `npm run bench:browser`, which drive the same worker the page uses.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { cachedArchive, loadOmniglot, OMNIGLOT_BACKGROUND } from './ui/datasets/omniglotArchive';
import { createRunHistory } from './ui/history/runHistory';
import { StoreContext } from './ui/state/context';
import { createPlaygroundStore } from './ui/state/store';
import { setupFromQuery } from './ui/state/urlState';
import { mirrorSetupInUrl } from './ui/state/urlSync';
import { App } from './ui/views/App';
import { createComputeClient } from './worker/createWorker';
import './ui/styles.css';

const client = createComputeClient();
// A shared link sets up the same experiment; what it got wrong is said, not silently dropped.
const linked = setupFromQuery(location.search);
const store = createPlaygroundStore({
  client,
  history: createRunHistory(),
  omniglot: {
    size: OMNIGLOT_BACKGROUND.size,
    isCached: async () => (await cachedArchive(OMNIGLOT_BACKGROUND.name)) !== null,
    load: (options) => loadOmniglot(options),
  },
}, linked.setup);
if (linked.notices.length > 0) store.setState({ notice: linked.notices.join(' ') });
mirrorSetupInUrl(store, location, history);
(window as unknown as { fewShotLab: unknown }).fewShotLab = { client, store };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App omniglotSize={OMNIGLOT_BACKGROUND.size} />
    </StoreContext.Provider>
  </StrictMode>,
);
void store.getState().start();
