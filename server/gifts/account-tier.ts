import type { TierName } from '../../shared/events.js';
import type { EconomyConfig } from '../economy/config/schema.js';
import { calculateUserTier, tierBasisAmount } from '../economy/rules/tiers.js';
import type { AccountState } from '../ledger/ports.js';
import { userChannel } from '../realtime/channels.js';
import type { AppContext } from '../context.js';

/** The tier and badge an account has under `config` (basis: balance or lifetime earned). */
export function accountTier(account: AccountState, config: EconomyConfig): { tier: TierName; badge: string } {
  const tier = calculateUserTier(tierBasisAmount({ balance: account.balance, lifetimeEarned: account.totalEarned }, config), config);
  return { tier, badge: config.tiers.benefits[tier].badge };
}

/** Pushes `tokens:balance` to every open socket of `userId`, on any node. */
export function pushBalance(ctx: Pick<AppContext, 'io' | 'economy'>, userId: string, account: AccountState): void {
  ctx.io.to(userChannel(userId)).emit('tokens:balance', { balance: account.balance, tier: accountTier(account, ctx.economy.current).tier });
}
