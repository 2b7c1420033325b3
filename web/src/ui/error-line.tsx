import type { ErrorBody } from '../api/types.js';
import { errorText } from '../lib/errors.js';

/** A server error in words, announced to screen readers (role="alert"). */
export function ErrorLine({ error }: { error: ErrorBody | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-code={error.code}>
      {errorText(error)}
    </p>
  );
}
