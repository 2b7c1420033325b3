/**
 * The counter store (Redis) cannot be reached or failed. Infrastructure, not a refusal: the
 * award path turns it into `{ granted: 0, reason: 'CAPS_UNAVAILABLE' }`, gifts and PIN checks
 * into SERVICE_UNAVAILABLE. Raised quickly because the Redis client has no offline queue.
 */
export class CapsUnavailableError extends Error {
  override name = 'CapsUnavailableError';
  readonly code = 'CAPS_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isCapsUnavailable(err: unknown): err is CapsUnavailableError {
  return err instanceof CapsUnavailableError;
}
