// Shared test setup: DOM matchers (toBeInTheDocument, toHaveAccessibleName, ...) for the component
// tests, and unmounting React trees after each test so tests do not see each other's DOM.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  if (typeof document !== 'undefined') cleanup();
});
