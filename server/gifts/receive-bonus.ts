import type { AwardOutcome } from '../../shared/events.js';
import { receiveGiftBonus } from '../economy/rules/gifts.js';
import { idempotencyKeys } from '../ledger/rules.js';
import type { AppContext } from '../context.js';

/**
 * The recipient's `receive_gift` earning for one posted gift, through the award pipeline (the
 * recipient's multipliers and caps apply, the balance push included). Keyed by the gift's entry
 * id, so a retried gift pays it at most once. Never throws: the gift is already committed.
 *
 * `justPosted`: the caller posted the gift entry a moment ago (its id is new), so the pipeline's
 * idempotency lookup is skipped (issue 16: one lookup per gift). A retry of the same gift racing
 * this one still pays once: the ledger answers the second post `duplicate` (ALREADY_REWARDED) and
 * the pipeline gives its cap reservation back. A replay (`justPosted` false) looks the key up first.
 */
export function payReceiveGiftBonus(
  ctx: Pick<AppContext, 'awards' | 'economy'>,
  g: { recipientId: string; giftEntryId: string; amount: number; roomId: string | null; justPosted?: boolean },
): Promise<AwardOutcome> {
  return ctx.awards.grant({
    userId: g.recipientId,
    activity: 'receive_gift',
    idempotencyKey: idempotencyKeys.earn('receive_gift', g.giftEntryId),
    base: receiveGiftBonus(g.amount, ctx.economy.current),
    roomId: g.roomId,
    metadata: { giftId: g.giftEntryId },
    ...(g.justPosted ? { newEvent: true } : {}),
  });
}
