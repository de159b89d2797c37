// How views reach the store: a React context holding it and a hook that selects from it, so a test
// can render any view over a store of its own.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { PlaygroundState, PlaygroundStore } from './store';

export const StoreContext = createContext<PlaygroundStore | null>(null);

export function usePlayground<T>(selector: (state: PlaygroundState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('usePlayground needs a StoreContext.Provider around the view.');
  return useStore(store, selector);
}
