import { useCallback, useState } from 'react';
import { toErrorBody } from '../api/http.js';
import type { ErrorBody } from '../api/types.js';

/**
 * Runs one user action at a time: `busy` while it runs, `error` (in words, from the server's
 * code) when it fails. Nothing is swallowed: a failure always lands in `error`.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(toErrorBody(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
