// One labelled control with its hint and its error: the label is visible and names the control,
// the hint and the error are tied to it with aria-describedby, and an error marks it invalid, so
// keyboard and screen-reader users get the same message sighted users see next to the control.
// Fields side by side (FieldRow) show their errors below the row, across its width.
import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  hint?: string;
  error?: string;
  /** Where the error is shown when not inside the field (a FieldRow's errors go below the row). */
  errorId?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}

export function Field({ label, hint, error, errorId: shownAt, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? (shownAt ?? `${id}-error`) : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {error && !shownAt && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * Fields side by side, with their errors below the row at its full width: a message inside one
 * narrow column would read one word per line. Each field passes the `id` of its error here and as
 * its own `errorId`, so the error still describes the field it is about.
 */
export function FieldRow({ errors, children }: { errors: ReadonlyArray<{ id: string; message?: string }>; children: ReactNode }) {
  return (
    <>
      <div className="field-row">{children}</div>
      {errors.map(
        ({ id, message }) =>
          message && (
            <p key={id} id={id} className="field__error" role="alert">
              {message}
            </p>
          ),
      )}
    </>
  );
}

interface NumberFieldProps {
  label: string;
  value: number;
  onChange: (value: number) => void;
  hint?: string;
  error?: string;
  min?: number;
  max?: number;
  step?: number | 'any';
  disabled?: boolean;
  errorId?: string;
}

/** A number input; an empty or unparsable entry becomes NaN, which the setup check reports. */
export function NumberField({ label, value, onChange, hint, error, errorId, min, max, step = 1, disabled }: NumberFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} errorId={errorId}>
      {(a11y) => (
        <input
          {...a11y}
          type="number"
          inputMode="decimal"
          value={Number.isFinite(value) ? value : ''}
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value === '' ? NaN : Number(e.target.value))}
        />
      )}
    </Field>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
  hint?: string;
  error?: string;
  disabled?: boolean;
}

export function SelectField<T extends string>({ label, value, options, onChange, hint, error, disabled }: SelectFieldProps<T>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => (
        <select {...a11y} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
