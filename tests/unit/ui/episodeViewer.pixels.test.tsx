// Converting the worker's raw episode pixels into RGBA and into a BMP data URL for <img>.
import { describe, it, expect } from 'vitest';
import { base64, pixelsToDataUrl, rgbaToBmp, toRgba } from '../../../src/ui/views/episode/pixels';

describe('toRgba', () => {
  it('spreads grayscale to opaque RGBA', () => {
    const img = toRgba(new Uint8ClampedArray([0, 128, 255, 7]), [2, 2, 1]);
    expect(img.width).toBe(2);
    expect(img.height).toBe(2);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 7, 7, 7, 255]);
  });

  it('adds opaque alpha to RGB and keeps RGBA', () => {
    const rgb = toRgba([10, 20, 30, 40, 50, 60], [1, 2, 3]);
    expect(Array.from(rgb.data)).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
    const rgba = toRgba([1, 2, 3, 4], [1, 1, 4]);
    expect(Array.from(rgba.data)).toEqual([1, 2, 3, 4]);
  });

  it('clamps values outside 0-255 and rejects wrong shapes', () => {
    expect(Array.from(toRgba([-5, 300], [1, 2, 1]).data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(() => toRgba([1, 2, 3], [2, 2, 1])).toThrow(/Expected 2x2x1 = 4 values; got 3/);
    expect(() => toRgba([1, 2], [1, 1, 2])).toThrow(/1, 3 or 4 channels/);
  });
});

describe('rgbaToBmp and the data URL', () => {
  it('writes a bottom-up 24-bit BMP with rows padded to 4 bytes', () => {
    // 2 wide x 2 high: top row red, green; bottom row blue, white.
    const img = toRgba([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], [2, 2, 3]);
    const bmp = rgbaToBmp(img);
    const view = new DataView(bmp.buffer);
    expect(String.fromCharCode(bmp[0], bmp[1])).toBe('BM');
    const rowSize = 8; // 2 * 3 bytes padded to 8
    expect(bmp.length).toBe(54 + 2 * rowSize);
    expect(view.getUint32(2, true)).toBe(bmp.length);
    expect(view.getInt32(18, true)).toBe(2);
    expect(view.getInt32(22, true)).toBe(2);
    expect(view.getUint16(28, true)).toBe(24);
    // First stored row is the bottom row (blue, white), as BGR.
    expect(Array.from(bmp.slice(54, 54 + 6))).toEqual([255, 0, 0, 255, 255, 255]);
    // Second stored row is the top row (red, green).
    expect(Array.from(bmp.slice(54 + rowSize, 54 + rowSize + 6))).toEqual([0, 0, 255, 0, 255, 0]);
  });

  it('encodes base64 like the platform does', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100]) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 73 + 11) % 256);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('makes a BMP data URL from grayscale pixels', () => {
    const url = pixelsToDataUrl(new Uint8ClampedArray(28 * 28).fill(200), [28, 28, 1]);
    expect(url.startsWith('data:image/bmp;base64,')).toBe(true);
    const bytes = Buffer.from(url.slice('data:image/bmp;base64,'.length), 'base64');
    expect(bytes.length).toBe(54 + 28 * 84);
    expect(bytes[54]).toBe(200);
  });
});
