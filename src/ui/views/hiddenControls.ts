// Which parts of the playground an embedding page hid (`?embed=1&hide=...`): a context the views read,
// so each decides for itself whether to render. Empty outside embed mode.
import { createContext, useContext } from 'react';
import type { HideableControl } from '../embed/embedOptions';

export const HiddenControls = createContext<ReadonlySet<HideableControl>>(new Set());

export function useHidden(control: HideableControl): boolean {
  return useContext(HiddenControls).has(control);
}
