import { ERROR_CATALOGUE, type ErrorBody, type ErrorCode } from '../../shared/errors.js';

/**
 * An expected failure with a catalogued code. Thrown by services for refusals that end the
 * request (bad input, forbidden, not found); the HTTP and socket layers turn it into the typed
 * error body. Infrastructure failures stay plain `Error`s and become INTERNAL.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details;
  }

  toBody(): ErrorBody {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
