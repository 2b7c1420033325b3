/**
 * Client-made idempotency keys (clientMessageId, requestId): made once per user action and reused
 * on every retry of it, so a retry never posts twice. Letters, digits and `-` only, as
 * shared/schemas.ts `requestId` allows.
 */
export function newRequestId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
