// @vitest-environment jsdom
// The webcam capture control: Capture is offered only once the camera shows a picture. A camera
// takes a moment to deliver its first frame (longer on a busy machine); a capture before it used to
// fail with "The camera shows no picture yet", so a webcam classification sometimes showed nothing.
// The frame grab itself (canvas, JPEG) is stood in for here: jsdom has no canvas; Chromium's fake
// camera covers the real one in tests/browser/ownImages.test.ts.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const FRAME = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
vi.mock('../../../src/ui/userData/prepareImage', () => ({
  captureFrame: vi.fn(async (video: HTMLVideoElement) => {
    if (!video.videoWidth) throw new Error('The camera shows no picture yet');
    return FRAME;
  }),
}));

import { WebcamCapture } from '../../../src/ui/views/own/WebcamCapture';

const stop = vi.fn();

beforeEach(() => {
  stop.mockClear();
  const stream = { getTracks: () => [{ stop }] } as unknown as MediaStream;
  Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: { getUserMedia: vi.fn(async () => stream) } });
});

afterEach(() => {
  Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: undefined });
});

/** What the browser does when the camera's first frame reaches the preview. */
function firstFrameArrives() {
  const video = screen.getByLabelText('Camera preview for cats') as HTMLVideoElement;
  Object.defineProperty(video, 'videoWidth', { configurable: true, value: 640 });
  Object.defineProperty(video, 'videoHeight', { configurable: true, value: 480 });
  fireEvent.loadedData(video);
}

describe('WebcamCapture', () => {
  it('offers Capture only once the camera shows a picture, then captures that frame once', async () => {
    const user = userEvent.setup();
    const captured: Uint8Array[] = [];
    const { rerender } = render(<WebcamCapture purpose="cats" countdown={0} onCapture={(bytes) => void captured.push(bytes)} />);
    await user.click(screen.getByRole('button', { name: 'Start camera for cats' }));

    const capture = await screen.findByRole('button', { name: 'Capture for cats' });
    expect(capture).toBeDisabled();
    expect(screen.getByRole('status')).toHaveTextContent('Waiting for the camera’s first picture…');

    firstFrameArrives();
    expect(capture).toBeEnabled();
    expect(screen.queryByRole('status')).toBeNull();
    await user.click(capture);
    await waitFor(() => expect(captured).toEqual([FRAME]));
    expect(screen.queryByRole('alert')).toBeNull();

    // A parent that passes a new callback on every render does not capture again.
    rerender(<WebcamCapture purpose="cats" countdown={0} onCapture={(bytes) => void captured.push(bytes)} />);
    await waitFor(() => expect(capture).toBeEnabled());
    expect(captured).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Stop camera' }));
    expect(stop).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Start camera for cats' })).toBeEnabled();
  });

  it('waits for the picture again when the camera is restarted', async () => {
    const user = userEvent.setup();
    render(<WebcamCapture purpose="cats" countdown={0} onCapture={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Start camera for cats' }));
    firstFrameArrives();
    expect(screen.getByRole('button', { name: 'Capture for cats' })).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Stop camera' }));
    await user.click(screen.getByRole('button', { name: 'Start camera for cats' }));
    expect(await screen.findByRole('button', { name: 'Capture for cats' })).toBeDisabled();
  });
});
