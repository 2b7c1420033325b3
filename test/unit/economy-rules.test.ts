import { describe, expect, it } from 'vitest';
import { loadEconomyConfig } from '../../server/economy/config/index.js';
import {
  achievementProgress,
  calculateUserTier,
  checkGiftLimits,
  giftAllowanceTokens,
  itemExpiresAt,
  newlyUnlockedAchievements,
  quoteRefund,
  receiveGiftBonus,
  referralEligibility,
  tierBasisAmount,
  tierProgress,
  type ReferralFacts,
} from '../../server/economy/rules/index.js';

const config = loadEconomyConfig();

describe('tiers', () => {
  it('calculateUserTier at every boundary', () => {
    expect([0, 99, 100, 499, 500, 999, 1000, 10 ** 9].map((n) => calculateUserTier(n, config))).toEqual([
      'bronze', 'bronze', 'silver', 'silver', 'gold', 'gold', 'platinum', 'platinum',
    ]);
  });

  it('progress to the next tier', () => {
    expect(tierProgress(250, config)).toMatchObject({ tier: 'silver', badge: '🥈', next: 'gold', nextThreshold: 500, remaining: 250, progress: 0.375 });
    expect(tierProgress(0, config)).toMatchObject({ tier: 'bronze', next: 'silver', remaining: 100, progress: 0 });
    expect(tierProgress(5000, config)).toMatchObject({ tier: 'platinum', next: null, nextThreshold: null, remaining: 0, progress: 1 });
    expect(tierProgress(5000, config).benefits.giftLimitDaily).toBeNull();
  });

  it('basis picks balance or lifetime earned', () => {
    const user = { balance: 20, lifetimeEarned: 700 };
    expect(tierBasisAmount(user, config)).toBe(700);
    expect(tierBasisAmount(user, loadEconomyConfig({ overrides: { tiers: { basis: 'balance' } } }))).toBe(20);
  });
});

describe('achievements', () => {
  it('unlocks what reached its threshold and nothing already unlocked', () => {
    const ids = newlyUnlockedAchievements({ messagesSent: 100, roomsCreated: 9 }, new Set(['first_message', 'first_room']), config).map((a) => a.id);
    expect(ids).toEqual(['first_100_messages']);
    expect(newlyUnlockedAchievements({ roomsCreated: 10 }, new Set(), config).map((a) => a.id)).toEqual(['first_room', 'created_10_rooms']);
    expect(newlyUnlockedAchievements({}, new Set(), config)).toEqual([]);
  });

  it('progress lists every achievement', () => {
    const p = achievementProgress({ filesShared: 49 }, config);
    expect(p).toHaveLength(config.achievements.length);
    expect(p.find((x) => x.achievement.id === 'first_50_files')).toMatchObject({ value: 49, unlocked: false });
  });
});

describe('referral', () => {
  const base: ReferralFacts = {
    inviterId: 'a',
    inviteeId: 'b',
    inviterAddress: '10.0.0.1',
    inviteeAddress: '10.0.0.2',
    inviteeRegisteredAt: new Date('2026-01-01T00:00:00Z'),
    inviteeMessagesSent: 5,
    inviteeDailyLoginsClaimed: 0,
    alreadyPaid: false,
  };
  const at = new Date('2026-01-02T00:00:00Z');

  it('pays when the invitee is active', () => {
    expect(referralEligibility(base, at, config)).toEqual({ eligible: true });
    expect(referralEligibility({ ...base, inviteeMessagesSent: 0, inviteeDailyLoginsClaimed: 1 }, at, config)).toEqual({ eligible: true });
  });

  it('refuses self-invites, same address, inactive, late and repeated', () => {
    expect(referralEligibility({ ...base, inviteeId: 'a' }, at, config)).toMatchObject({ reason: 'SELF_INVITE' });
    expect(referralEligibility({ ...base, inviteeAddress: '10.0.0.1' }, at, config)).toMatchObject({ reason: 'SAME_ADDRESS' });
    expect(referralEligibility({ ...base, inviteeMessagesSent: 4 }, at, config)).toMatchObject({ reason: 'NOT_ACTIVE_YET' });
    expect(referralEligibility(base, new Date('2026-02-01T00:00:01Z'), config)).toMatchObject({ reason: 'ACTIVE_TOO_LATE' });
    expect(referralEligibility({ ...base, alreadyPaid: true }, at, config)).toMatchObject({ reason: 'ALREADY_REWARDED' });
  });

  it('unknown addresses are not treated as the same', () => {
    expect(referralEligibility({ ...base, inviterAddress: null, inviteeAddress: null }, at, config)).toEqual({ eligible: true });
  });
});

describe('gift limits', () => {
  it('tier allowance in tokens, platinum unlimited', () => {
    expect((['bronze', 'silver', 'gold', 'platinum'] as const).map((t) => giftAllowanceTokens(t, config))).toEqual([50, 200, 500, null]);
  });

  it('10 gifts a day and the token allowance', () => {
    expect(checkGiftLimits({ amount: 50, tier: 'bronze', sentToday: { count: 0, tokens: 0 } }, config)).toEqual({ allowed: true });
    expect(checkGiftLimits({ amount: 1, tier: 'bronze', sentToday: { count: 1, tokens: 50 } }, config)).toMatchObject({ allowed: false, reason: 'GIFT_TOKEN_LIMIT', remainingTokens: 0 });
    expect(checkGiftLimits({ amount: 1, tier: 'platinum', sentToday: { count: 10, tokens: 0 } }, config)).toMatchObject({ allowed: false, reason: 'GIFT_COUNT_LIMIT' });
    expect(checkGiftLimits({ amount: 10 ** 6, tier: 'platinum', sentToday: { count: 9, tokens: 10 ** 6 } }, config)).toEqual({ allowed: true });
  });

  it('receive_gift bonus is flat unless a percent is configured', () => {
    expect(receiveGiftBonus(100, config)).toBe(1);
    const pct = loadEconomyConfig({ overrides: { gifts: { receiveBonusPercentOfGift: 10 } } });
    expect(receiveGiftBonus(100, pct)).toBe(10);
    expect(receiveGiftBonus(5, pct)).toBe(1);
  });
});

describe('refunds', () => {
  const bought = new Date('2026-01-05T12:00:00Z');
  const after = (min: number): Date => new Date(bought.getTime() + min * 60_000);
  const timed = { duration: { kind: 'timed' as const, hours: 720 } };

  it('timed items: 100% within 1h, 50% within 24h, none after', () => {
    expect(quoteRefund({ item: timed, cost: 75, purchasedAt: bought, at: after(60), used: true }, config)).toEqual({ percent: 100, amount: 75, rule: 'TIMED_FULL' });
    expect(quoteRefund({ item: timed, cost: 75, purchasedAt: bought, at: after(61), used: true }, config)).toEqual({ percent: 50, amount: 37, rule: 'TIMED_PARTIAL' });
    expect(quoteRefund({ item: timed, cost: 75, purchasedAt: bought, at: after(1440), used: true }, config)).toMatchObject({ percent: 50 });
    expect(quoteRefund({ item: timed, cost: 75, purchasedAt: bought, at: after(1441), used: true }, config)).toEqual({ percent: 0, amount: 0, rule: 'TIMED_EXPIRED' });
  });

  it('permanent: none; unused consumable: 90%; used consumable: none', () => {
    expect(quoteRefund({ item: { duration: { kind: 'permanent' } }, cost: 100, purchasedAt: bought, at: after(1), used: false }, config)).toMatchObject({ amount: 0, rule: 'PERMANENT_NO_REFUND' });
    const consumable = { duration: { kind: 'consumable' as const, per: 'call' as const } };
    expect(quoteRefund({ item: consumable, cost: 25, purchasedAt: bought, at: after(5000), used: false }, config)).toEqual({ percent: 90, amount: 22, rule: 'UNUSED' });
    expect(quoteRefund({ item: consumable, cost: 25, purchasedAt: bought, at: after(1), used: true }, config)).toMatchObject({ amount: 0, rule: 'CONSUMED' });
  });

  it('timed items expire after their hours', () => {
    expect(itemExpiresAt(timed, bought)?.toISOString()).toBe('2026-02-04T12:00:00.000Z');
    expect(itemExpiresAt({ duration: { kind: 'permanent' } }, bought)).toBeNull();
  });
});
