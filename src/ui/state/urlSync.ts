// Keeps the setup in the page's URL (the page starts from the link's settings with setupFromQuery,
// each bad value skipped with a notice), and every change of a control rewrites the query (replaceState, so the
// back button is not flooded). Keys of other features (embed mode) are left in place.
import { RESERVED_KEYS, setupToQuery } from './urlState';
import type { PlaygroundStore } from './store';
import type { Setup } from './setup';

/** The page's query for this setup, keeping the reserved keys already in `search`. */
export function queryWithSetup(search: string, setup: Setup): string {
  const kept = new URLSearchParams(search);
  for (const key of [...kept.keys()]) if (!RESERVED_KEYS.includes(key)) kept.delete(key);
  const parts = [kept.toString(), setupToQuery(setup)].filter(Boolean);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Mirrors the store's setup in the URL from now on; returns the unsubscribe function. */
export function mirrorSetupInUrl(store: PlaygroundStore, location: Location, history: History): () => void {
  let last = store.getState().setup;
  return store.subscribe((state) => {
    if (state.setup === last) return;
    last = state.setup;
    const query = queryWithSetup(location.search, state.setup);
    if (query !== location.search) history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
  });
}
