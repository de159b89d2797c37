// Pixel conversions the dataset readers rely on: channel conversion (alpha over white), exact
// area resizing (105 -> 28 Omniglot, upscaling), centre crop and inversion.

import { describe, expect, it } from 'vitest';
import type { DecodedImage } from '../../src/core/data/dataset';
import { centreCrop, fitImage, invert, resizeArea, toChannels } from '../../src/core/data/resize';
import { Rng } from '../../src/core/rng';
import { greyPicture } from './fixtures/images';

function grey(width: number, height: number, data: ArrayLike<number>): DecodedImage {
  return { width, height, channels: 1, data: Uint8Array.from(data) };
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

describe('toChannels', () => {
  it('converts RGB to grey by luma and grey to RGB by copying', () => {
    const rgb: DecodedImage = { width: 4, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) };
    expect([...toChannels(rgb, 1).data]).toEqual([76, 150, 29, 255]); // 0.299, 0.587, 0.114 of 255
    const back = toChannels(grey(2, 1, [10, 200]), 3);
    expect(back.channels).toBe(3);
    expect([...back.data]).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('composites transparency over white, so a transparent background becomes paper', () => {
    const rgba: DecodedImage = {
      width: 3,
      height: 1,
      channels: 4,
      // transparent black, opaque black, half-transparent black
      data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128]),
    };
    expect([...toChannels(rgba, 1).data]).toEqual([255, 0, 127]);
    expect([...toChannels(rgba, 3).data]).toEqual([255, 255, 255, 0, 0, 0, 127, 127, 127]);
  });
});

describe('resizeArea', () => {
  it('maps a 105x105 block aligned to the 3.75-pixel grid onto exact 28x28 pixels', () => {
    // Rows and columns [15, 30) of 105 are output pixels [4, 8) of 28 exactly (15 / 3.75 = 4).
    const source = greyPicture(105, 105, [{ top: 15, left: 15, bottom: 30, right: 30 }], 255, 0);
    const out = resizeArea(grey(105, 105, source), 28, 28);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        expect(out[y * 28 + x], `pixel ${y},${x}`).toBe(y >= 4 && y < 8 && x >= 4 && x < 8 ? 255 : 0);
      }
    }
  });

  it('weights partly covered source pixels by their overlap (non-integer ratio)', () => {
    // A 2x2 bright block in the corner: output pixel 0 covers 3.75 x 3.75 source pixels, of
    // which 2 x 2 are bright: 255 * (2 / 3.75)^2 = 72.5 -> 73. A bright column 3 (covering
    // [3, 4) of which output pixel 0 has [3, 3.75) and pixel 1 has [3.75, 4)) splits 0.75 : 0.25.
    const corner = resizeArea(grey(105, 105, greyPicture(105, 105, [{ top: 0, left: 0, bottom: 2, right: 2 }], 255, 0)), 28, 28);
    expect(corner[0]).toBe(73);
    expect(corner[1]).toBe(0);
    expect(corner[28]).toBe(0);
    const column = resizeArea(grey(105, 105, greyPicture(105, 105, [{ top: 0, left: 3, bottom: 105, right: 4 }], 255, 0)), 28, 28);
    expect(column[0]).toBe(Math.round((255 * 0.75) / 3.75)); // 51
    expect(column[1]).toBe(Math.round((255 * 0.25) / 3.75)); // 17
  });

  it('conserves the mean brightness of a random image (up to rounding)', () => {
    const rng = new Rng(7);
    for (const [height, width, outHeight, outWidth] of [
      [105, 105, 28, 28],
      [100, 64, 33, 17],
      [50, 80, 84, 84],
    ]) {
      const source = Uint8Array.from({ length: height * width }, () => rng.int(256));
      const out = resizeArea(grey(width, height, source), outHeight, outWidth);
      expect(out.length).toBe(outHeight * outWidth);
      expect(Math.abs(mean(out) - mean(source)), `${height}x${width} -> ${outHeight}x${outWidth}`).toBeLessThan(0.5);
    }
  });

  it('upscales by copying (integer ratio) or blending the two source pixels an output pixel straddles', () => {
    expect([...resizeArea(grey(2, 1, [0, 200]), 1, 4)]).toEqual([0, 0, 200, 200]);
    // 2 -> 3: output pixel 1 spans [2/3, 4/3), half over each source pixel.
    expect([...resizeArea(grey(2, 1, [0, 200]), 1, 3)]).toEqual([0, 100, 200]);
  });

  it('keeps channels apart and copies an image of the target size unchanged', () => {
    const rgb: DecodedImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([255, 0, 10, 255, 100, 30]) };
    expect([...resizeArea(rgb, 1, 1)]).toEqual([255, 50, 20]);
    const same = grey(3, 2, [1, 2, 3, 4, 5, 6]);
    expect([...resizeArea(same, 2, 3)]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('centreCrop and fitImage', () => {
  it('crops the centre of the longer side to the target aspect ratio', () => {
    // 6 wide x 2 high, columns numbered; a square crop keeps columns 2 and 3.
    const wide = grey(6, 2, [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
    const square = centreCrop(wide, 5, 5);
    expect([square.width, square.height]).toEqual([2, 2]);
    expect([...square.data]).toEqual([2, 3, 12, 13]);
    // 2 wide x 6 high cropped to 1:2 (height:width) keeps one row, the upper of the middle two.
    const tall = grey(2, 6, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    const flat = centreCrop(tall, 1, 2);
    expect([flat.width, flat.height]).toEqual([2, 1]);
    expect([...flat.data]).toEqual([2, 2]);
    expect(centreCrop(tall, 3, 1)).toBe(tall); // already 3:1
  });

  it('fits a non-square photo: crop to square, resize, convert to grey', () => {
    // 40 x 20 RGB: left and right quarters red (cropped away), centre 20x20 blue.
    const data = new Uint8Array(40 * 20 * 3);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 40; x++) {
        const at = (y * 40 + x) * 3;
        if (x < 10 || x >= 30) data[at] = 255;
        else data[at + 2] = 255;
      }
    }
    const out = fitImage({ width: 40, height: 20, channels: 3, data }, { height: 5, width: 5, channels: 1 }, true);
    expect([...out]).toEqual(new Array(25).fill(29)); // pure blue: 0.114 * 255
    const stretched = fitImage({ width: 40, height: 20, channels: 3, data }, { height: 1, width: 4, channels: 3 }, false);
    expect([...stretched]).toEqual([255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0]);
  });

  it('inverts in place', () => {
    const pixels = Uint8Array.from([0, 1, 128, 255]);
    expect(invert(pixels)).toBe(pixels);
    expect([...pixels]).toEqual([255, 254, 127, 0]);
  });
});
