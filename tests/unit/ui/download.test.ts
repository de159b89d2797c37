// @vitest-environment jsdom
// Saving an export as a file: a Blob behind a clicked <a download>, removed and revoked afterwards;
// text as UTF-8, bytes (zips, model weights) exactly as given.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { downloadFile } from '../../../src/ui/download';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('downloadFile', () => {
  it('clicks a download link to a UTF-8 blob of the text, then cleans up', async () => {
    vi.useFakeTimers();
    // jsdom has no object URLs; these stand in for the browser's.
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:export-1'));
    URL.revokeObjectURL = vi.fn();
    let clicked: HTMLAnchorElement | undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked = this;
      expect(document.body.contains(this)).toBe(true);
    });

    downloadFile('run_2024-05-01_09-05.csv', 'run,step\r\n"a, b",1\r\n', 'text/csv');

    expect(clicked?.download).toBe('run_2024-05-01_09-05.csv');
    expect(clicked?.getAttribute('href')).toBe('blob:export-1');
    expect(document.querySelector('a')).toBeNull();
    expect(created[0].type).toBe('text/csv;charset=utf-8');
    expect(await created[0].text()).toBe('run,step\r\n"a, b",1\r\n');
    expect(URL.revokeObjectURL).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:export-1');
  });

  it('saves bytes exactly, with the type given and no charset', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:export-2'));
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 255]);
    downloadFile('my images.zip', bytes, 'application/zip');
    expect(created[0].type).toBe('application/zip');
    expect(new Uint8Array(await created[0].arrayBuffer())).toEqual(bytes);
  });
});
