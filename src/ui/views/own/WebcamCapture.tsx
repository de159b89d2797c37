// Webcam capture: a live preview from the user's camera, and a capture after a short countdown (so
// the user can put the object in view after pressing the button). Capture is offered only once the
// camera shows a picture: a camera takes a moment (longer on a busy machine) to deliver its first
// frame, and a capture before it has nothing to capture. Frames stay in the page: they go to the
// caller as JPEG bytes and nowhere else. The camera is released when the preview closes.
import { useEffect, useRef, useState } from 'react';
import { captureFrame } from '../../userData/prepareImage';

interface WebcamCaptureProps {
  /** Names the buttons, e.g. "cats" gives "Start camera for cats" and "Capture for cats". */
  purpose: string;
  onCapture(bytes: Uint8Array): void | Promise<void>;
  /** Seconds counted down before each capture (0: at once). */
  countdown?: number;
  disabled?: boolean;
}

function cameraMessage(error: unknown): string {
  const name = (error as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera access was refused. Allow the camera for this page in the browser, or add image files instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found. Connect one, or add image files instead.';
  if (name === 'NotReadableError') return 'The camera is in use by another program. Close it there and try again.';
  if (!navigator.mediaDevices?.getUserMedia) return 'This browser gives no camera access here (it needs a secure page: https or localhost).';
  return `The camera could not start: ${(error as Error)?.message ?? String(error)}`;
}

export function WebcamCapture({ purpose, onCapture, countdown = 3, disabled }: WebcamCaptureProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  /** Whether the preview has a frame to capture (the video's first frame has arrived). */
  const [showing, setShowing] = useState(false);
  const [count, setCount] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The latest callback, read when the countdown ends: a parent that passes a new function on every
  // render must not restart the countdown.
  const captured = useRef(onCapture);
  captured.current = onCapture;

  useEffect(() => {
    setShowing(false);
    if (video.current && stream) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((t) => t.stop());
  }, [stream]);

  const noteFrame = () => {
    const element = video.current;
    if (element && element.videoWidth > 0 && element.videoHeight > 0) setShowing(true);
  };

  useEffect(() => {
    if (count === null) return;
    if (count > 0) {
      const timer = setTimeout(() => setCount(count - 1), 1000);
      return () => clearTimeout(timer);
    }
    setCount(null);
    const element = video.current;
    if (!element) return;
    void captureFrame(element)
      .then((bytes) => captured.current(bytes))
      .catch((e: unknown) => setError(`The frame could not be captured: ${(e as Error).message}`));
  }, [count]);

  const startCamera = async () => {
    setError(null);
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no getUserMedia');
      setStream(await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false }));
    } catch (e) {
      setError(cameraMessage(e));
    }
  };

  const stopCamera = () => {
    setCount(null);
    setStream(null);
  };

  return (
    <div className="webcam">
      {!stream ? (
        <button type="button" onClick={() => void startCamera()} disabled={disabled}>
          Start camera for {purpose}
        </button>
      ) : (
        <>
          <div className="webcam__preview">
            <video
              ref={video}
              autoPlay
              playsInline
              muted
              aria-label={`Camera preview for ${purpose}`}
              onLoadedData={noteFrame}
              onPlaying={noteFrame}
              onResize={noteFrame}
            />
            {count !== null && count > 0 && (
              <span className="webcam__count" aria-live="assertive">
                {count}
              </span>
            )}
          </div>
          <div className="button-row">
            <button type="button" onClick={() => setCount(countdown)} disabled={disabled || count !== null || !showing}>
              Capture for {purpose}
            </button>
            <button type="button" onClick={stopCamera}>
              Stop camera
            </button>
          </div>
          {!showing && (
            <p className="muted" role="status">
              Waiting for the camera’s first picture…
            </p>
          )}
        </>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
