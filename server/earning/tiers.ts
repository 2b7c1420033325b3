import type { EconomyConfig, TierId } from '../economy/config/schema.js';
import { calculateUserTier, tierBasisAmount } from '../economy/rules/tiers.js';
import type { AccountState } from '../ledger/ports.js';

/** A user's tier from their ledger account, per the config's basis (balance or lifetime earned). */
export function tierOfAccount(account: Pick<AccountState, 'balance' | 'totalEarned'>, config: EconomyConfig): TierId {
  return calculateUserTier(tierBasisAmount({ balance: account.balance, lifetimeEarned: account.totalEarned }, config), config);
}
