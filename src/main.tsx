// The page's entry on the main thread: creates the compute client (TensorFlow.js loads only
// inside its worker), the run history and the Omniglot archive source, builds the store and renders
// the app. The client, store and history are also exposed as window.fewShotLab for the browser
// tests and the browser benchmarks, which drive the same worker and storage the page uses.
import { lazy, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { cachedArchive, loadOmniglot, OMNIGLOT_BACKGROUND } from './ui/datasets/omniglotArchive';
import { createRunHistory } from './ui/history/runHistory';
import { browserRunLocks } from './ui/state/runLocks';
import { StoreContext } from './ui/state/context';
import { createPlaygroundStore } from './ui/state/store';
import { embedOptionsFromQuery, fullPlaygroundUrl } from './ui/embed/embedOptions';
import { connectHostApi } from './ui/embed/hostApi';
import { setupFromQuery } from './ui/state/urlState';
import { HiddenControls } from './ui/views/hiddenControls';
import { mirrorSetupInUrl } from './ui/state/urlSync';
import { App } from './ui/views/App';
import { createComputeClient } from './worker/createWorker';
import { registerOfflineSupport } from './ui/offline/registerOffline';
import './ui/styles.css';

const client = createComputeClient();
// A shared link sets up the same experiment; what it got wrong is said, not silently dropped.
const linked = setupFromQuery(location.search);
// Embedded in a course page: compact, chosen controls hidden, driven by the host through postMessage.
const embedding = embedOptionsFromQuery(location.search);
const runHistory = createRunHistory();
const store = createPlaygroundStore({
  client,
  history: runHistory,
  locks: browserRunLocks(),
  omniglot: {
    size: OMNIGLOT_BACKGROUND.size,
    isCached: async () => (await cachedArchive(OMNIGLOT_BACKGROUND.name)) !== null,
    load: (options) => loadOmniglot(options),
  },
}, linked.setup);
const notices = [...linked.notices, ...embedding.notices];
if (notices.length > 0) store.setState({ notice: notices.join(' ') });
mirrorSetupInUrl(store, location, history);
(window as unknown as { fewShotLab: unknown }).fewShotLab = { client, store, history: runHistory };
// "Your images" loads as its own chunk the first time its tab opens.
const OwnImagesRoot = lazy(() => import('./ui/views/own/OwnImagesRoot'));
const OwnImages = () => <OwnImagesRoot client={client} playground={store} />;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <HiddenControls.Provider value={embedding.embed ? embedding.hidden : new Set()}>
        <App omniglotSize={OMNIGLOT_BACKGROUND.size} ownImages={OwnImages} embed={embedding.embed ? { fullPlaygroundUrl: fullPlaygroundUrl(location) } : undefined} />
      </HiddenControls.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);
void store
  .getState()
  .start()
  .then(() => {
    // After start-up, so the host's "ready" describes the loaded state.
    if (embedding.embed) connectHostApi({ store, window, allowedOrigins: embedding.allowedOrigins });
    // After start-up, so caching for offline use never competes with loading the page.
    void registerOfflineSupport({ enabled: import.meta.env.PROD });
  });
