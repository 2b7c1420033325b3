import type { z } from 'zod';
import { AppError } from '../lib/app-error.js';

/** A zod failure as the catalogued VALIDATION_FAILED, naming each bad field. */
export function validationError(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new AppError('VALIDATION_FAILED', `Invalid request: ${summary}`.slice(0, 500), { issues });
}

/** Parses `input` with `schema` or throws VALIDATION_FAILED (PAYLOAD_NOT_OBJECT for non-objects). */
export function parseOrThrow<S extends z.ZodTypeAny>(schema: S, input: unknown, mustBeObject = true): z.output<S> {
  if (mustBeObject && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new AppError('PAYLOAD_NOT_OBJECT');
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
