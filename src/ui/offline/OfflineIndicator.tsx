// The status bar's offline indicator: "Saving for offline use…" while the service worker caches the
// app, then "Offline ready: app, WASM and glyphs cached (5.9 MB)" with a tooltip listing what is
// cached; nothing where offline use is unavailable (no service worker, or `vite dev`).
import { useSyncExternalStore } from 'react';
import { offlineStatus, type CachedFile, type OfflineStatus, type OfflineStatusSource } from './registerOffline';

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

/** The cached files grouped for people: the app's code and styles, the WASM binaries, the rest. */
export function describeCache(entries: CachedFile[]): string {
  const group = (test: (url: string) => boolean) => {
    const files = entries.filter((entry) => test(entry.url));
    return { count: files.length, bytes: files.reduce((sum, entry) => sum + entry.bytes, 0) };
  };
  const wasm = group((url) => url.endsWith('.wasm'));
  const code = group((url) => /\.(js|css)$/.test(url));
  const pages = entries.filter((entry) => /\.html$/.test(entry.url)).map((entry) => entry.url);
  // The trained models (public/snapshots): each a run .json and its .bin weights.
  const snapshots = group((url) => url.startsWith('snapshots/'));
  const other = entries.length - wasm.count - code.count - pages.length - snapshots.count;
  return [
    'Cached for offline use:',
    `• app code and styles: ${code.count} files (${formatBytes(code.bytes)}), including the compute worker and the built-in glyphs dataset, which the code generates`,
    `• WASM binaries: ${wasm.count} (${formatBytes(wasm.bytes)})`,
    `• pages: ${pages.join(', ') || 'none'}`,
    ...(snapshots.count > 0 ? [`• trained models: ${snapshots.count / 2} (${formatBytes(snapshots.bytes)})`] : []),
    ...(other > 0 ? [`• other files: ${other}`] : []),
    'Omniglot, once downloaded, is kept separately in this browser (IndexedDB).',
  ].join('\n');
}

export function offlineText(status: OfflineStatus): string | null {
  switch (status.state) {
    case 'installing':
      return 'Saving for offline use…';
    case 'ready':
      return `Offline ready: app, WASM and glyphs cached (${formatBytes(status.bytes ?? 0)})`;
    case 'error':
      return 'Offline use unavailable';
    default:
      return null;
  }
}

export function useOfflineStatus(source: OfflineStatusSource = offlineStatus): OfflineStatus {
  return useSyncExternalStore(source.subscribe, source.get, source.get);
}

export function OfflineIndicator({ source = offlineStatus }: { source?: OfflineStatusSource }) {
  const status = useOfflineStatus(source);
  const text = offlineText(status);
  if (!text) return null;
  const title =
    status.state === 'ready' ? describeCache(status.entries ?? []) : status.state === 'error' ? (status.message ?? '') : 'The service worker is caching the app, its WASM binaries and the glyphs dataset.';
  return (
    <p className={`status-bar__offline status-bar__offline--${status.state}`} title={title} data-testid="offline-indicator" style={{ margin: '0.3rem 0 0', color: 'var(--muted)', fontSize: '0.85rem' }}>
      {text}
    </p>
  );
}
