// A label and its control on one line, tied by id (not by wrapping): a wrapping label would give
// a select the text of all its options as part of its accessible name.
import { useId, type ReactNode } from 'react';

export function InlineField({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <span className="field--inline">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </span>
  );
}
