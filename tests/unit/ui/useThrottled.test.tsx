// @vitest-environment jsdom
// useThrottled, what the live training charts draw through: new values at most once per interval
// (the newest one, never lost), a change of key (another choice of runs) at once.
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useThrottled } from '../../../src/ui/views/charts/useThrottled';

describe('useThrottled', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the first change after a quiet spell at once, then the newest at most once per interval', async () => {
    const { result, rerender } = renderHook(({ value }) => useThrottled(value, 500, 'runs'), { initialProps: { value: 1 } });
    expect(result.current).toBe(1);
    rerender({ value: 2 });
    await act(async () => vi.advanceTimersByTime(0));
    expect(result.current).toBe(2);
    rerender({ value: 3 });
    rerender({ value: 4 });
    await act(async () => vi.advanceTimersByTime(100));
    expect(result.current).toBe(2); // within the interval: not yet
    await act(async () => vi.advanceTimersByTime(500));
    expect(result.current).toBe(4); // the newest, none lost at the end
  });

  it('shows a change of key at once', () => {
    const { result, rerender } = renderHook(({ value, key }) => useThrottled(value, 500, key), { initialProps: { value: 1, key: 'a' } });
    rerender({ value: 2, key: 'a' });
    expect(result.current).toBe(1);
    rerender({ value: 3, key: 'a,b' });
    expect(result.current).toBe(3);
  });
});
