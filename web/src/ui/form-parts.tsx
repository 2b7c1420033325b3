import type { ErrorBody } from '../api/types.js';
import { ErrorLine } from './error-line.js';

/** The end of every dialog form: the error in words, Cancel, and the submit button. */
export function FormFooter(props: { error: ErrorBody | null; busy: boolean; submitLabel: string; onCancel?: () => void; disabled?: boolean }) {
  return (
    <>
      <ErrorLine error={props.error} />
      <div className="row end">
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={props.busy || props.disabled}>
          {props.submitLabel}
        </button>
      </div>
    </>
  );
}

/** The 4-digit transaction PIN field (named "PIN" for assistive technology and tests). */
export function PinField(props: { value: string; onChange(v: string): void; label?: string }) {
  return (
    <label>
      {props.label ?? 'PIN'}
      <input type="password" inputMode="numeric" autoComplete="off" maxLength={4} value={props.value} onChange={(e) => props.onChange(e.target.value)} required />
    </label>
  );
}

/** A password field with its visible label (the label is its accessible name). */
export function PasswordField(props: { label: string; value: string; onChange(v: string): void; autoComplete: 'current-password' | 'new-password' }) {
  return (
    <label>
      {props.label}
      <input type="password" autoComplete={props.autoComplete} value={props.value} onChange={(e) => props.onChange(e.target.value)} required />
    </label>
  );
}
