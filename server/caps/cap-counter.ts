import type { ActivityId } from '../economy/config/schema.js';
import type { CapLimits, CapReason, CapRemaining, CapUsage } from '../economy/rules/caps.js';

/**
 * Per-user earning caps: the activity's events per UTC day and the tokens credited per UTC day
 * and per ISO week. Both adapters (Redis, in-process) apply `decideCap` atomically.
 *
 * Flow of an award: `computeAward` -> `reserve({ amount: credit })` -> write `granted` to the
 * ledger -> if the write fails, `release(reservation)`.
 */
export interface CapCounter {
  /** One atomic check-and-increment. Throws CapsUnavailableError when the store is down. */
  reserve(input: CapReserveInput): Promise<CapReserveResult>;
  /** Gives back what `reserve` took (events and tokens). Safe on a reservation that took nothing. */
  release(reservation: CapReservation): Promise<void>;
  /** Current usage and what remains (for check-cap). */
  usage(input: { userId: string; activity: ActivityId; at: Date; limits: CapLimits }): Promise<CapUsageResult>;
}

export interface CapReserveInput {
  userId: string;
  activity: ActivityId;
  /** Whole tokens asked for (after multipliers). */
  amount: number;
  at: Date;
  limits: CapLimits;
}

export interface CapReservation {
  userId: string;
  activity: ActivityId;
  /** Period keys at reservation time, so a release after midnight still gives back to the right day. */
  day: string;
  week: string;
  events: number;
  tokens: number;
}

export interface CapReserveResult {
  granted: number;
  reason?: CapReason;
  reservation: CapReservation;
  /** Usage after this reservation. */
  usage: CapUsage;
}

export interface CapUsageResult {
  usage: CapUsage;
  remaining: CapRemaining;
  day: string;
  week: string;
}

export const CAP_REASON_CODES: readonly (CapReason | undefined)[] = [undefined, 'ACTIVITY_CAP', 'DAILY_CAP', 'WEEKLY_CAP'];

export function assertReserveInput(input: CapReserveInput): void {
  if (!Number.isSafeInteger(input.amount) || input.amount < 0) throw new RangeError('amount must be a non-negative integer');
}
