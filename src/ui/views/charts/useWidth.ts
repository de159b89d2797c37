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
    const update = () => {
      const w = Math.floor(el.getBoundingClientRect().width);
      setMeasured(w > 0 ? w : null);
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [explicit]);
  return [ref, explicit ?? measured ?? fallback];
}
