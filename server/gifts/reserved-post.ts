import type { BudgetReservation, DailyBudgetCounter } from '../caps/index.js';
import type { DraftInput } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { PostOutcome } from '../ledger/ports.js';
import type { Logger } from '../lib/logger.js';

/**
 * Posts `draft` against a daily budget already reserved for it. Anything but `posted` (a throw,
 * insufficient funds, a duplicate of an earlier request) gives the reservation back, so a failed
 * or repeated request never uses up the budget.
 */
export async function postWithReservation(
  deps: { ledger: LedgerService; budgets: DailyBudgetCounter; logger: Logger },
  reservation: BudgetReservation | readonly BudgetReservation[],
  draft: DraftInput,
): Promise<PostOutcome> {
  // A room reward holds several budgets at once (room, recipient, granter; server/rewards/reward-limits.ts).
  const all: readonly BudgetReservation[] = Array.isArray(reservation) ? reservation : [reservation as BudgetReservation];
  const giveBack = async (): Promise<void> => {
    await Promise.all(all.map((r) => deps.budgets.release(r).catch((err: unknown) => deps.logger.error({ err, reservation: r }, 'daily budget release failed'))));
  };
  let outcome: PostOutcome;
  try {
    outcome = await deps.ledger.post(draft);
  } catch (err) {
    await giveBack();
    throw err;
  }
  if (outcome.status !== 'posted') await giveBack();
  return outcome;
}
