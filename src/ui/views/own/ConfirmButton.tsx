// A destructive button that asks once more in place ("Delete for good" / "Keep") instead of a
// browser dialog, so nothing is lost by a stray click and keyboard users stay where they were.
import { useState } from 'react';

interface ConfirmButtonProps {
  /** Accessible name of the first button, e.g. "Delete class cats". */
  label: string;
  text?: string;
  /** What will be lost, said next to the confirmation. */
  question: string;
  onConfirm(): void;
  disabled?: boolean;
  /** The confirming button's text. */
  confirmText?: string;
}

export function ConfirmButton({ label, text = 'Delete', question, onConfirm, disabled, confirmText = 'Delete for good' }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" aria-label={label} onClick={() => setAsking(true)} disabled={disabled}>
        {text}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm__question">{question}</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmText}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
