// The width a chart is drawn at: the caller's explicit width (tests, fixed layouts) or the measured
// width of a wrapper element, with a fallback where nothing can be measured (jsdom, first render).
// Recharts' ResponsiveContainer measures 0x0 in jsdom, so the views use this instead.
import { useEffect, useRef, useState, type RefObject } from 'react';

export function useWidth<E extends HTMLElement = HTMLElement>(
  explicit: number | undefined,
  fallback = 480,
): [RefObject<E | null>, number] {
  const ref = useRef<E | null>(null);
  const [measured, setMeasured] = useState<number | null>(null);
  useEffect(() => {
    if (explicit !== undefined) return;
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    // Only the observer's own first notice, no measuring here: reading a box while the page has
    // just changed forces a layout of the whole page inside this task (44 ms when the training
    // charts first appeared mid-run). The observer reports after the browser's own layout, before
    // paint, so the first frame already has the measured width.
    const update = (entries: ResizeObserverEntry[]) => {
      const entry = entries[entries.length - 1];
      // The border box, as getBoundingClientRect measured it (contentRect leaves out padding).
      const w = Math.floor(entry.borderBoxSize?.[0]?.inlineSize ?? entry.contentRect.width);
      setMeasured(w > 0 ? w : null);
    };
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [explicit]);
  return [ref, explicit ?? measured ?? fallback];
}
