import type { BudgetReservation, BudgetReserveInput, DailyBudgetCounter } from '../caps/index.js';
import type { EconomyConfig } from '../economy/config/schema.js';

/** Which of the three daily limits of a room reward refused it. */
export type RewardLimitRefusal =
  | { limit: 'room'; remainingTokens: number; budgetTokens: number }
  | { limit: 'recipient'; remainingTokens: number; capTokens: number }
  | { limit: 'granter'; remainingTokens: number; capTokens: number };

export type RewardLimitsResult = { ok: true; taken: BudgetReservation[]; roomUsedTokens: number } | { ok: false; refusal: RewardLimitRefusal };

/**
 * The daily limits one room reward must fit, each atomic across nodes (DailyBudgetCounter: Redis
 * Lua or in-process): the room's budget (scope `room-reward`, per room), and, issue 9, the tokens
 * one recipient receives by room rewards over all rooms (scope `reward-recipient`) and the tokens
 * one granter gives over all rooms (scope `reward-granter`). Whatever the number of rooms, an
 * owner moves at most `granterDailyTokens` a day, and an account receives at most
 * `recipientDailyTokens` a day. Taken in that order; a refusal gives back what was already taken,
 * so a refused reward uses up nothing. May throw CapsUnavailableError.
 */
export async function reserveRewardLimits(
  budgets: DailyBudgetCounter,
  r: { roomId: string; granterId: string; recipientId: string; amount: number; at: Date },
  config: EconomyConfig,
): Promise<RewardLimitsResult> {
  const limits = config.roomRewards;
  const steps: Array<{ input: BudgetReserveInput; refusal: (remainingTokens: number) => RewardLimitRefusal }> = [
    {
      input: { scope: 'room-reward', key: r.roomId, amount: r.amount, at: r.at, maxCount: null, maxTokens: limits.dailyBudgetTokens },
      refusal: (remainingTokens) => ({ limit: 'room', remainingTokens, budgetTokens: limits.dailyBudgetTokens }),
    },
    {
      input: { scope: 'reward-recipient', key: r.recipientId, amount: r.amount, at: r.at, maxCount: null, maxTokens: limits.recipientDailyTokens },
      refusal: (remainingTokens) => ({ limit: 'recipient', remainingTokens, capTokens: limits.recipientDailyTokens }),
    },
    {
      input: { scope: 'reward-granter', key: r.granterId, amount: r.amount, at: r.at, maxCount: null, maxTokens: limits.granterDailyTokens },
      refusal: (remainingTokens) => ({ limit: 'granter', remainingTokens, capTokens: limits.granterDailyTokens }),
    },
  ];
  const taken: BudgetReservation[] = [];
  const giveBack = (): Promise<unknown> => Promise.all(taken.map((t) => budgets.release(t)));
  let roomUsedTokens = 0;
  try {
    for (const step of steps) {
      const result = await budgets.reserve(step.input);
      if (!result.ok) {
        await giveBack();
        return { ok: false, refusal: step.refusal(result.remainingTokens ?? 0) };
      }
      taken.push(result.reservation);
      if (step.input.scope === 'room-reward') roomUsedTokens = result.usage.tokens;
    }
  } catch (err) {
    await giveBack().catch(() => undefined);
    throw err;
  }
  return { ok: true, taken, roomUsedTokens };
}
