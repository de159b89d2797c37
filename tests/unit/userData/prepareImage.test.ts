// The browser half of preparing images (src/ui/userData/prepareImage.ts), with createImageBitmap
// and OffscreenCanvas stood in for (Node has neither; a real browser is needed for real decoding):
// it refuses non-images, turns a decoder failure into "could not decode", keeps small images'
// bytes, and draws big ones and webcam frames downscaled onto white as JPEG at quality 0.9.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureFrame, prepareImage } from '../../../src/ui/userData/prepareImage';
import { UnusableImageError } from '../../../src/ui/userData/imageFormat';
import { jpeg, png, text } from './helpers';

const JPEG_OUT = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

/** Stubs createImageBitmap (giving a bitmap of the given size) and OffscreenCanvas (recording what is drawn). */
function stubBrowser(size: { width: number; height: number } | Error) {
  const drawn: Array<{ canvas: [number, number]; calls: unknown[][]; blob?: unknown }> = [];
  const closed: boolean[] = [];
  vi.stubGlobal('createImageBitmap', async (_blob: Blob, options: unknown) => {
    expect(options).toEqual({ imageOrientation: 'from-image' });
    if (size instanceof Error) throw size;
    const bitmap = { ...size, close: () => closed.push(true) };
    return bitmap;
  });
  vi.stubGlobal(
    'OffscreenCanvas',
    class {
      record: { canvas: [number, number]; calls: unknown[][]; blob?: unknown };
      constructor(width: number, height: number) {
        this.record = { canvas: [width, height], calls: [] };
        drawn.push(this.record);
      }
      getContext() {
        const calls = this.record.calls;
        return new Proxy(
          {},
          {
            get: (_target, key) => (...args: unknown[]) => calls.push([key, ...args]),
            set: (_target, key, value) => (calls.push([key, value]), true),
          },
        );
      }
      async convertToBlob(options: unknown) {
        this.record.blob = options;
        return new Blob([JPEG_OUT as BlobPart], { type: 'image/jpeg' });
      }
    },
  );
  return { drawn, closed };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('prepareImage', () => {
  it('refuses bytes that are not PNG, JPEG or WebP before decoding', async () => {
    await expect(prepareImage(text('hello'), 'notes.txt')).rejects.toThrow(new UnusableImageError('not a PNG, JPEG or WebP image'));
  });

  it('says the browser could not decode an image its decoder rejects', async () => {
    stubBrowser(new DOMException('The source image could not be decoded.', 'InvalidStateError'));
    const error = await prepareImage(png(1), 'broken.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnusableImageError);
    expect((error as Error).message).toBe('the browser could not decode this image');
  });

  it('keeps the bytes of an image that is small enough', async () => {
    const { drawn, closed } = stubBrowser({ width: 512, height: 300 });
    const bytes = jpeg(1);
    const prepared = await prepareImage(bytes, 'a.jpg');
    expect(prepared).toEqual({ bytes, type: 'image/jpeg', width: 512, height: 300 });
    expect(prepared.bytes).toBe(bytes);
    expect(drawn).toEqual([]);
    expect(closed).toEqual([true]);
  });

  it('downscales a big photo to 512 px on its longest side, on white, as JPEG quality 0.9', async () => {
    const { drawn, closed } = stubBrowser({ width: 4032, height: 3024 });
    const prepared = await prepareImage(png(1), 'IMG_0001.png');
    expect(prepared).toEqual({ bytes: JPEG_OUT, type: 'image/jpeg', width: 512, height: 384 });
    expect(drawn).toHaveLength(1);
    expect(drawn[0].canvas).toEqual([512, 384]);
    expect(drawn[0].calls).toContainEqual(['fillStyle', '#ffffff']);
    expect(drawn[0].calls).toContainEqual(['fillRect', 0, 0, 512, 384]);
    expect(drawn[0].calls.find((c) => c[0] === 'drawImage')?.slice(2)).toEqual([0, 0, 4032, 3024, 0, 0, 512, 384]);
    expect(drawn[0].blob).toEqual({ type: 'image/jpeg', quality: 0.9 });
    expect(closed).toEqual([true]);
  });
});

describe('captureFrame', () => {
  it("encodes the webcam's current frame as JPEG, downscaled like any image", async () => {
    const { drawn } = stubBrowser({ width: 1, height: 1 });
    const video = { videoWidth: 1280, videoHeight: 720 } as HTMLVideoElement;
    expect(await captureFrame(video)).toEqual(JPEG_OUT);
    expect(drawn[0].canvas).toEqual([512, 288]);
  });

  it('says to wait when the camera shows no picture yet', async () => {
    await expect(captureFrame({ videoWidth: 0, videoHeight: 0 } as HTMLVideoElement)).rejects.toThrow(
      'The camera shows no picture yet: wait until it appears, then capture again.',
    );
  });
});
