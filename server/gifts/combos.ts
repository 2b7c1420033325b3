import type { GiftCombo, GiftView } from '../../shared/events.js';
import type { GiftComboCounter } from '../caps/gift-combos.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import type { Logger } from '../lib/logger.js';

/**
 * Issue 13: the combo a delivered gift belongs to (docs/gifts.md "Combos"), or undefined when
 * combos are off (`gifts.comboWindowSeconds` 0) or the counters cannot answer: a combo is
 * presentation, so its failure is logged and the gift is announced without one.
 */
export async function comboOf(
  deps: { counters: { combos: GiftComboCounter }; economy: { readonly current: EconomyConfig }; logger: Logger },
  gift: Pick<GiftView, 'giftId' | 'from' | 'to' | 'amount'>,
  at: Date,
): Promise<GiftCombo | undefined> {
  const windowSeconds = deps.economy.current.gifts.comboWindowSeconds;
  if (windowSeconds === 0) return undefined;
  try {
    return await deps.counters.combos.record({ senderId: gift.from.id, recipientId: gift.to.id, giftId: gift.giftId, amount: gift.amount, at, windowMs: windowSeconds * 1000 });
  } catch (err) {
    deps.logger.warn({ err, giftId: gift.giftId }, 'gift combo not counted: announced without one');
    return undefined;
  }
}
