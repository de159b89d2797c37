// How the "Your images" views reach their store: a React context holding it and a selecting hook,
// so a test can render any of these views over a store of its own (as usePlayground does).
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { OwnImagesState, OwnImagesStore } from './ownImagesStore';

export const OwnImagesContext = createContext<OwnImagesStore | null>(null);

export function useOwnImages<T>(selector: (state: OwnImagesState) => T): T {
  const store = useContext(OwnImagesContext);
  if (!store) throw new Error('useOwnImages needs an OwnImagesContext.Provider around the view.');
  return useStore(store, selector);
}
