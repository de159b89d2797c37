// @vitest-environment jsdom
// Offline support without a browser: the build plugin's precache list, version and generated service
// worker; the page's status from the worker's cache summary; the status bar's indicator text and
// tooltip; and registration where it must not happen (vite dev, no service workers).
import { act, render, screen } from '@testing-library/react';
import { createElement } from 'react';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OfflineIndicator, describeCache, offlineText } from '../../../src/ui/offline/OfflineIndicator';
import { createOfflineStatus, registerOfflineSupport, statusFromSummary } from '../../../src/ui/offline/registerOffline';
import { precacheList, precacheVersion, serviceWorkerSource } from '../../../vite/offlinePrecache';

const entries = [
  { url: 'index.html', bytes: 1000 },
  { url: 'assets/index-a.js', bytes: 2_000_000 },
  { url: 'assets/entry-b.js', bytes: 2_500_000 },
  { url: 'assets/index-c.css', bytes: 10_000 },
  { url: 'assets/tfjs-backend-wasm-x.wasm', bytes: 400_000 },
  { url: 'assets/tfjs-backend-wasm-simd-y.wasm', bytes: 400_000 },
  { url: 'assets/tfjs-backend-wasm-threaded-simd-z.wasm', bytes: 400_000 },
  { url: 'favicon.svg', bytes: 500 },
];

describe('the precache plugin', () => {
  it('lists every built file but sw.js, relative and sorted, and versions them by content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offline-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html></html>');
    writeFileSync(join(dir, 'sw.js'), 'old');
    writeFileSync(join(dir, 'assets', 'a.wasm'), 'wasm');
    writeFileSync(join(dir, 'assets', 'a.js.map'), '{}');
    const files = precacheList(dir);
    expect(files).toEqual(['assets/a.wasm', 'index.html']);
    const version = precacheVersion(dir, files);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(dir, 'index.html'), '<html>changed</html>');
    expect(precacheVersion(dir, files)).not.toBe(version);
  });

  it('writes a service worker with the list, same-origin only, keeping the isolation headers', () => {
    const source = serviceWorkerSource(['index.html', 'assets/a.wasm'], 'abc');
    expect(source).toContain('"assets/a.wasm"');
    expect(source).toContain('"abc"');
    expect(source).toContain("'Cross-Origin-Embedder-Policy': 'require-corp'");
    expect(source).toContain('url.origin !== self.location.origin');
    // Valid JavaScript.
    expect(() => new Function(source)).not.toThrow();
  });
});

describe('the offline status', () => {
  it('is ready once every listed file is cached, with the total size', () => {
    expect(statusFromSummary({ expected: 9, entries })).toMatchObject({ state: 'installing', files: 8 });
    expect(statusFromSummary({ expected: 8, entries })).toMatchObject({ state: 'ready', files: 8, bytes: 5_711_500 });
  });

  it('says what is cached', () => {
    expect(offlineText({ state: 'ready', bytes: 5_711_500 })).toBe('Offline ready: app, WASM and glyphs cached (5.4 MB)');
    expect(offlineText({ state: 'installing' })).toBe('Saving for offline use…');
    expect(offlineText({ state: 'unsupported' })).toBeNull();
    const text = describeCache(entries);
    expect(text).toContain('app code and styles: 3 files');
    expect(text).toContain('WASM binaries: 3 (1.1 MB)');
    expect(text).toContain('pages: index.html');
    expect(text).toContain('glyphs dataset');
  });

  it('shows in the status bar as the worker caches, and not at all where unsupported', () => {
    const status = createOfflineStatus({ state: 'unsupported' });
    const { container } = render(createElement(OfflineIndicator, { source: status }));
    expect(container).toBeEmptyDOMElement();
    act(() => status.set({ state: 'installing' }));
    expect(screen.getByText('Saving for offline use…')).toBeInTheDocument();
    act(() => status.set(statusFromSummary({ expected: 8, entries })));
    const indicator = screen.getByTestId('offline-indicator');
    expect(indicator).toHaveTextContent('Offline ready: app, WASM and glyphs cached (5.4 MB)');
    expect(indicator.getAttribute('title')).toContain('WASM binaries: 3');
  });

  it('registers nothing in vite dev or without service workers', async () => {
    const status = createOfflineStatus();
    expect(await registerOfflineSupport({ enabled: false, status })).toMatchObject({ state: 'unsupported' });
    expect(await registerOfflineSupport({ enabled: true, status, navigator: {} as Navigator, baseUrl: 'http://x/a/' })).toMatchObject({ state: 'unsupported' });
  });
});
