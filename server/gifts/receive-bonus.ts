import type { AwardOutcome } from '../../shared/events.js';
import { isCapsUnavailable } from '../caps/index.js';
import { capLimitsFor } from '../economy/rules/caps.js';
import { receiveGiftBonus } from '../economy/rules/gifts.js';
import { earnEntry } from '../ledger/entries.js';
import { idempotencyKeys } from '../ledger/rules.js';
import type { AccountState } from '../ledger/ports.js';
import type { AppContext } from '../context.js';

type BonusDeps = Pick<AppContext, 'ledger' | 'counters' | 'economy' | 'clock' | 'logger'>;

export interface BonusResult {
  outcome: AwardOutcome;
  /** The recipient's account after the bonus, when one was credited. */
  account: AccountState | null;
}

/**
 * The recipient's `receive_gift` earning for one posted gift: the config's bonus, within the
 * recipient's caps (reserved first, released when nothing is written), as an `earn` entry keyed
 * by the gift's entry id, so a retried gift pays it at most once. Never throws: the gift is
 * already committed, so a refusal or an outage is reported in the outcome.
 */
export async function payReceiveGiftBonus(deps: BonusDeps, g: { recipientId: string; giftEntryId: string; amount: number }): Promise<BonusResult> {
  const activity = 'receive_gift';
  const idempotencyKey = idempotencyKeys.earn(activity, g.giftEntryId);
  const config = deps.economy.current;
  const base = receiveGiftBonus(g.amount, config);
  if (base <= 0) return { outcome: { activity, granted: 0, reason: 'NOT_ELIGIBLE' }, account: null };
  try {
    if (await deps.ledger.findByIdempotencyKey(idempotencyKey)) return { outcome: { activity, granted: 0, reason: 'ALREADY_REWARDED' }, account: null };
    const cap = await deps.counters.caps.reserve({ userId: g.recipientId, activity, amount: base, at: deps.clock.now(), limits: capLimitsFor(activity, config) });
    if (cap.granted === 0) {
      await deps.counters.caps.release(cap.reservation);
      return { outcome: { activity, granted: 0, ...(cap.reason ? { reason: cap.reason } : {}) }, account: null };
    }
    const entry = earnEntry(g.recipientId, cap.granted, { idempotencyKey, activity, metadata: { giftId: g.giftEntryId } });
    let posted;
    try {
      posted = await deps.ledger.post(entry);
    } catch (err) {
      await deps.counters.caps.release(cap.reservation);
      throw err;
    }
    if (posted.status !== 'posted') {
      await deps.counters.caps.release(cap.reservation);
      return { outcome: { activity, granted: 0, reason: 'ALREADY_REWARDED' }, account: null };
    }
    return {
      outcome: { activity, granted: cap.granted, ...(cap.reason ? { reason: cap.reason } : {}) },
      account: posted.accounts[g.recipientId] ?? null,
    };
  } catch (err) {
    if (isCapsUnavailable(err)) return { outcome: { activity, granted: 0, reason: 'CAPS_UNAVAILABLE' }, account: null };
    deps.logger.error({ err, giftId: g.giftEntryId }, 'receive_gift bonus failed');
    return { outcome: { activity, granted: 0, reason: 'LEDGER_UNAVAILABLE' }, account: null };
  }
}
