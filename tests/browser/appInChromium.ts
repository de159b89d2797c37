// The app under test for one browser test file: the production build served by vite preview and
// one Debian Chromium, started before the file's tests and closed after them (the tests open their
// own contexts and pages in it).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, startPreview, type PreviewServer } from '../../src/node/browser';

export interface AppInChromium {
  /** Set once the file's beforeAll has run. */
  server: PreviewServer;
  browser: Browser;
}

/** Registers the hooks; call at the top of a test file and read `server` and `browser` in tests. */
export function appInChromium(chromiumArgs: string[] = []): AppInChromium {
  const app = {} as AppInChromium;
  beforeAll(async () => {
    app.server = await startPreview();
    app.browser = await launchChromium(chromiumArgs);
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}
