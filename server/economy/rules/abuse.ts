import type { DecayPolicy, FakeActivityPolicy, PenaltyStep } from '../config/schema.js';

/**
 * Pure anti-abuse decisions (docs/anti-abuse.md): the penalty ladder, time-based validation of
 * rewarded messages, the accounts-per-IP rule and inactivity decay. No I/O and no clock: every
 * time is passed in as epoch milliseconds.
 */

export type PenaltyAction = PenaltyStep['action'];

/** The order of the ladder: each offense takes the next step; after the last one, `severe`. */
const LADDER_ORDER = ['first', 'second', 'third'] as const;

/**
 * The step for a user's next penalty, given how many they already have. `severe` skips the
 * ladder. Beyond the configured steps the `severe` step applies (the seed's account ban).
 */
export function nextPenaltyStep(priorPenalties: number, severe: boolean, ladder: readonly PenaltyStep[]): PenaltyStep {
  const byOffense = new Map(ladder.map((s) => [s.offense, s]));
  const severeStep = byOffense.get('severe') ?? { offense: 'severe', action: 'account_ban', durationHours: null };
  if (severe) return severeStep;
  const offense = LADDER_ORDER[priorPenalties];
  return (offense && byOffense.get(offense)) || severeStep;
}

/** What the recorded penalties mean now: the end of the latest suspension and whether a ban stands. */
export interface PenaltyStanding {
  suspendedUntilMs: number | null;
  banned: boolean;
}

/** A penalty an admin lifted (`liftedAt` set, server/admin/) no longer counts toward the standing. */
export function penaltyStanding(penalties: ReadonlyArray<{ action: PenaltyAction; suspendedUntil: Date | null; liftedAt?: Date | null }>): PenaltyStanding {
  let suspendedUntilMs: number | null = null;
  let banned = false;
  for (const p of penalties) {
    if (p.liftedAt) continue;
    if (p.action === 'account_ban') banned = true;
    if (p.suspendedUntil) suspendedUntilMs = Math.max(suspendedUntilMs ?? 0, p.suspendedUntil.getTime());
  }
  return { suspendedUntilMs, banned };
}

export function isSuspended(standing: PenaltyStanding, nowMs: number): boolean {
  return standing.suspendedUntilMs !== null && nowMs < standing.suspendedUntilMs;
}

/** When a suspension of `durationHours` starting now ends; null for steps without a duration. */
export function suspensionEndMs(step: PenaltyStep, nowMs: number): number | null {
  return step.action === 'earning_suspension' && step.durationHours !== null ? nowMs + step.durationHours * 3_600_000 : null;
}

export type ActivityVerdict = 'TOO_FAST' | 'DUPLICATE_CONTENT' | null;

/**
 * Time-based validation of one rewarded message. `lastMessageMs` is the user's previous message
 * (rewarded or not: a flood keeps earning nothing until it slows down), `sameContentMs` when the
 * same body last earned. The Redis script in server/abuse/redis-activity-guard.ts mirrors this.
 */
export function activityVerdict(
  prior: { lastMessageMs: number | null; sameContentMs: number | null },
  nowMs: number,
  policy: FakeActivityPolicy,
): ActivityVerdict {
  if (policy.minMessageIntervalMs > 0 && prior.lastMessageMs !== null && nowMs - prior.lastMessageMs < policy.minMessageIntervalMs) return 'TOO_FAST';
  if (policy.duplicateWindowMs > 0 && prior.sameContentMs !== null && nowMs - prior.sameContentMs < policy.duplicateWindowMs) return 'DUPLICATE_CONTENT';
  return null;
}

/**
 * Accounts-per-IP rule: `rank` is the account's 1-based position among that IP's registrations of
 * the UTC day (ordered by id, i.e. creation). Accounts past the limit still register, unpaid.
 */
export function registrationEligible(rank: number, accountsPerIpDaily: number | null): boolean {
  return accountsPerIpDaily === null || rank <= accountsPerIpDaily;
}

const DAY_MS = 86_400_000;

/** Inactive when the last own activity is more than `inactiveDays` ago. */
export function isInactive(lastActiveMs: number, nowMs: number, policy: Pick<DecayPolicy, 'inactiveDays'>): boolean {
  return nowMs - lastActiveMs > policy.inactiveDays * DAY_MS;
}

/** Tokens one week of decay removes: a whole-token share of the balance, rounded down. */
export function decayAmount(balance: number, policy: Pick<DecayPolicy, 'percentPerWeek'>): number {
  if (balance <= 0) return 0;
  return Math.floor((balance * policy.percentPerWeek) / 100);
}
