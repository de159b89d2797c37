// A value that follows `value` at most once every `ms` milliseconds, the latest one always arriving
// (at most `ms` late). The live charts draw through it, so the curves are smoothed, thinned and
// drawn a couple of times a second however often the worker's progress arrives. The update is a
// transition: React renders it in slices and yields to input between them. A change of `key` (what
// is drawn, e.g. a run overlaid, rather than how far it got) shows at once.
import { startTransition, useEffect, useRef, useState } from 'react';

export function useThrottled<T>(value: T, ms: number, key?: unknown): T {
  const [shown, setShown] = useState({ value, key });
  const last = useRef(-Infinity);
  let current = shown;
  if (!Object.is(key, shown.key)) {
    // Updating state while rendering: React renders again at once with it, nothing is drawn stale.
    current = { value, key };
    setShown(current);
  }
  useEffect(() => {
    if (Object.is(value, current.value)) return;
    // A new value restarts the timer towards the same moment, so a steady stream still shows one
    // value every `ms` (the newest), and the first change after a quiet spell shows at once.
    const timer = setTimeout(() => {
      last.current = performance.now();
      startTransition(() => setShown({ value, key }));
    }, Math.max(0, last.current + ms - performance.now()));
    return () => clearTimeout(timer);
  }, [value, current.value, key, ms]);
  return current.value;
}
