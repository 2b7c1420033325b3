import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { Logger } from '../lib/logger.js';
import { userAccount, type AccountState, type PostOutcome } from '../ledger/ports.js';
import { counterDelta } from '../ledger/rules.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { tierOfAccount } from './tiers.js';

/**
 * Pushes every balance change to the user's sockets (all tabs, any node through the adapter):
 * `tokens:balance { balance, tier }`, and `tier:changed { from, to, badge }` when the change moved
 * the user across a tier threshold.
 *
 * Anything that posts to the ledger calls `posted(outcome)` with what the ledger answered (awards,
 * gifts, admin awards, purchases, refunds). The tier before the change is derived from the entry
 * itself (the account after, minus this entry's legs), so no state is kept here and two nodes
 * never disagree about it.
 *
 * @example
 *   const outcome = await ctx.ledger.post(giftEntry(from, to, 25, { idempotencyKey }));
 *   ctx.balanceNotifier.posted(outcome); // pushes to both sender and recipient
 */
export interface BalanceNotifier {
  /** Notifies each user account a `posted` outcome touched; other outcomes changed nothing. */
  posted(outcome: PostOutcome): void;
}

/** `broadcast` is the Broadcaster port (server/realtime/broadcaster.ts): the notifier names users, never channels. */
export function createBalanceNotifier(deps: { broadcast: Broadcaster; economy: EconomyConfigHolder; logger: Logger }): BalanceNotifier {
  return {
    posted(outcome) {
      if (outcome.status !== 'posted') return;
      const config = deps.economy.current;
      for (const [userId, after] of Object.entries(outcome.accounts)) {
        const before = stateBefore(after, outcome.entry.kind, outcome.entry.legs.filter((l) => l.account === userAccount(userId)).map((l) => l.amount));
        const from = tierOfAccount(before, config);
        const to = tierOfAccount(after, config);
        const audience = { users: [userId] };
        deps.broadcast.emit(audience, 'tokens:balance', { balance: after.balance, tier: to });
        if (from !== to) {
          deps.broadcast.emit(audience, 'tier:changed', { from, to, badge: config.tiers.benefits[to].badge });
          deps.logger.info({ userId, from, to }, 'tier changed');
        }
      }
    },
  };
}

/** The account as it was before legs of `kind` with these amounts were applied. */
function stateBefore(after: AccountState, kind: Parameters<typeof counterDelta>[0], amounts: readonly number[]): Pick<AccountState, 'balance' | 'totalEarned'> {
  let balance = after.balance;
  let totalEarned = after.totalEarned;
  for (const amount of amounts) {
    balance -= amount;
    totalEarned -= counterDelta(kind, amount).totalEarned;
  }
  return { balance, totalEarned };
}
