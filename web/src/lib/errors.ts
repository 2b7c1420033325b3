import { ERROR_CATALOGUE, type ErrorBody } from '../../../shared/errors.js';
import type { AwardReason } from '../../../shared/events.js';

/**
 * What the UI says for a server error: the server's message (it may be more precise than the
 * catalogue's, e.g. "At most 500 tokens per reward"), else the catalogue's words for the code,
 * plus the wait when the server tells one.
 */
export function errorText(error: ErrorBody): string {
  const base = error.message || ERROR_CATALOGUE[error.code]?.message || 'Something went wrong';
  const d = error.details ?? {};
  const seconds = typeof d['retryAfterSeconds'] === 'number' ? d['retryAfterSeconds'] : typeof d['retryAfterMs'] === 'number' ? Math.ceil(d['retryAfterMs'] / 1000) : null;
  return seconds !== null ? `${base} (try again in ${seconds} s)` : base;
}

/** The catalogue's words for why an award paid less than full (shown in "+N" toasts). */
export const AWARD_REASON_TEXT: Record<AwardReason, string> = {
  DAILY_CAP: 'daily cap reached',
  WEEKLY_CAP: 'weekly cap reached',
  ACTIVITY_CAP: 'daily limit for this activity reached',
  ALREADY_REWARDED: 'already rewarded',
  CAPS_UNAVAILABLE: ERROR_CATALOGUE.CAPS_UNAVAILABLE.message,
  LEDGER_UNAVAILABLE: 'the ledger is unavailable',
  ECONOMY_DISABLED: 'earning is off on this server',
  NOT_ELIGIBLE: 'not eligible',
  EARNING_SUSPENDED: 'earning suspended',
  TOO_FAST: 'too fast to earn',
  DUPLICATE_CONTENT: 'repeated message earns nothing',
  PEER_NOT_ELIGIBLE: 'only independent members count for this',
};

/** Human words for an activity id (`send_message` -> "send message"). */
export function activityText(activity: string): string {
  return activity.replace(/^shop:/, 'shop: ').replace(/_/g, ' ');
}
