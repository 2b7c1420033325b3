import { describe, expect, it } from 'vitest';
import { loadEconomyConfig } from '../../server/economy/config/load.js';
import { assignPersonas, planDay, PERSONAS } from '../../sim/personas.js';
import { createRng } from '../../sim/prng.js';
import { pickItem } from '../../sim/actor.js';
import { evaluateTargets } from '../../sim/targets.js';
import { mergeWeek, type ShardWeek, type WeekFigures } from '../../sim/figures.js';
import { shardMembers } from '../../sim/shard.js';
import { mergeTallies } from '../../sim/simulate.js';

const count = (actions: ReturnType<typeof planDay>, kind: string) => actions.filter((a) => a.kind === kind).length;

describe('simulator personas', () => {
  const config = loadEconomyConfig({ preset: 'current' });

  it('the average and power users do exactly the seed day', () => {
    const avg = planDay('average', 3, config, createRng(1));
    expect([count(avg, 'login'), count(avg, 'message'), count(avg, 'file'), count(avg, 'join')]).toEqual([1, 10, 2, 1]);
    const power = planDay('power', 3, config, createRng(1));
    expect([count(power, 'login'), count(power, 'message'), count(power, 'file'), count(power, 'join')]).toEqual([1, 50, 10, 3]);
    expect(avg[0]).toEqual({ kind: 'login' });
  });

  it('the farmer goes past every event cap of the config', () => {
    const farmer = planDay('farmer', 0, config, createRng(1));
    expect(count(farmer, 'message')).toBeGreaterThan(config.caps.activityDailyEvents.send_message!);
    expect(count(farmer, 'file')).toBeGreaterThan(config.caps.activityDailyEvents.share_file!);
    expect(count(farmer, 'join')).toBeGreaterThan(config.caps.activityDailyEvents.join_room!);
  });

  it('the shopper buys on the seed cadence: cosmetic every 2 weeks, functional every 4, premium every 8', () => {
    const buys = (day: number) => planDay('shopper', day, config, createRng(1)).flatMap((a) => (a.kind === 'buy' ? [a.itemClass] : []));
    expect(buys(6)).toEqual([]);
    expect(buys(13)).toEqual(['cosmetic']);
    expect(buys(27)).toEqual(['cosmetic', 'functional']);
    expect(buys(55)).toEqual(['cosmetic', 'functional', 'premium']);
    expect(buys(54)).toEqual([]);
  });

  it('the same seed gives the same plan', () => {
    const a = Array.from({ length: 20 }, (_, d) => planDay('lurker', d, config, createRng(9).fork(`d${d}`)));
    const b = Array.from({ length: 20 }, (_, d) => planDay('lurker', d, config, createRng(9).fork(`d${d}`)));
    expect(b).toEqual(a);
  });

  it('assigns every persona in proportion, each at least once from 6 users', () => {
    expect(new Set(assignPersonas(6))).toEqual(new Set(PERSONAS));
    const big = assignPersonas(500);
    expect(big).toHaveLength(500);
    expect(big.filter((p) => p === 'average')).toHaveLength(200);
    expect(assignPersonas(3)).toHaveLength(3);
  });

  it('picks the cheapest item of a class that needs no room, a permanent one only once', () => {
    const shop = loadEconomyConfig({ preset: 'recommended' }).shop;
    expect(pickItem(shop, 'cosmetic', new Set())?.id).toBe('chat_color');
    expect(pickItem(shop, 'cosmetic', new Set(['chat_color']))?.id).toBe('avatar_frame');
    expect(pickItem(shop, 'cosmetic', new Set(['chat_color', 'avatar_frame', 'custom_emoji']))).toBeNull();
    expect(pickItem(shop, 'premium', new Set())?.id).toBe('priority_support');
    expect(pickItem(loadEconomyConfig({ preset: 'current' }).shop, 'premium', new Set())).toBeNull();
  });
});

describe('simulator targets', () => {
  const week = (n: number, average: number, power: number, inflation: number | null, tiers: Partial<WeekFigures['tiers']> = {}): WeekFigures => {
    const spread = (v: number) => ({ users: 1, median: v, mean: v, min: v, max: v });
    const allTiers = { bronze: 0, silver: 0, gold: 0, platinum: 0, ...tiers };
    return {
      week: n, minted: 0, burned: 0, mintedThisWeek: 0, burnedThisWeek: 0, supply: 0, circulating: 0, inflationRatePct: inflation, medianBalance: 0,
      tiers: allTiers,
      tiersByPersona: { average: allTiers, power: allTiers, lurker: allTiers, gifter: allTiers, shopper: allTiers, farmer: allTiers },
      earnings: { average: spread(average), power: spread(power), lurker: spread(0), gifter: spread(0), shopper: spread(0), farmer: spread(0) },
    };
  };

  it('judges each target from the figures, and says what it could not measure', () => {
    const weeks = [week(1, 210, 600, null, { silver: 1 }), week(2, 300, 1000, 50, { gold: 1 }), week(3, 301, 900, 30, { gold: 1 }), week(4, 250, 800, 31, { platinum: 1 })];
    const byId = Object.fromEntries(evaluateTargets({ weeks, shopping: { cosmetic: { shoppers: 10, missed: 1 }, functional: { shoppers: 10, missed: 2 } } }).map((t) => [t.id, t.status]));
    expect(byId).toEqual({
      average_weekly: 'missed', // 301 in week 3
      power_weekly: 'met',
      gold_by_week_2: 'met',
      platinum_by_week_4: 'met',
      afford_cosmetic: 'met', // 90%
      afford_functional: 'missed', // 80%
      afford_premium: 'not measured',
      no_inflation_spiral: 'missed', // 30 -> 31
    });
  });
});

describe('balanced preset', () => {
  it('is selectable with ECONOMY_PRESET=balanced and validates like the others', async () => {
    const { loadConfig } = await import('../../server/config/env.js');
    const { economyConfigSchema } = await import('../../server/economy/config/schema.js');
    const { PRESETS } = await import('../../server/economy/config/presets.js');
    expect(loadConfig({ ECONOMY_PRESET: 'balanced' }).economyPreset).toBe('balanced');
    expect(() => economyConfigSchema.parse(PRESETS.balanced)).not.toThrow();
    const c = loadEconomyConfig({ preset: 'balanced', overrides: { caps: { dailyTotalTokens: 400 } } });
    expect(c.preset).toBe('balanced');
    expect(c.caps.dailyTotalTokens).toBe(400);
    expect(c.multipliers.maxCombined).toBe(1.1);
    expect(c.tiers.basis).toBe('lifetimeEarned');
    // Four cosmetics: a cosmetic every 2 weeks has something new to buy for 8 weeks.
    expect(c.shop.filter((i) => i.category === 'cosmetic')).toHaveLength(4);
  });
});

describe('simulator shards', () => {
  it('deals the population round the shards: every user once, the persona mix in each, sizes within one', () => {
    const personas = assignPersonas(500);
    const shards = [0, 1, 2].map((i) => shardMembers(personas, i, 3));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(personas.map((_, i) => i));
    for (const s of shards) {
      expect(Math.abs(s.length - 500 / 3)).toBeLessThan(1);
      for (const p of PERSONAS) {
        const share = s.filter((i) => personas[i] === p).length;
        expect(Math.abs(share - personas.filter((q) => q === p).length / 3)).toBeLessThanOrEqual(1);
      }
    }
    expect(shardMembers(personas, 0, 1)).toEqual(personas.map((_, i) => i));
  });

  it('merges weeks over the users of every shard: totals summed, medians of the merged population, not averaged', () => {
    const a: ShardWeek = { week: 1, minted: 100, burned: 10, circulating: 90, personas: ['average', 'average', 'power'], earned: [20, 30, 50], tiers: ['bronze', 'silver', 'gold'], balances: [1, 2, 3] };
    const b: ShardWeek = { week: 1, minted: 60, burned: 0, circulating: 60, personas: ['average', 'average'], earned: [40, 20], tiers: ['silver', 'silver'], balances: [10, 20] };
    const w1 = mergeWeek([a, b], null);
    expect([w1.minted, w1.burned, w1.supply, w1.circulating, w1.mintedThisWeek, w1.inflationRatePct]).toEqual([160, 10, 150, 150, 160, null]);
    // Balances 1, 2, 3, 10, 20: the median is 3 (the shards' medians 2 and 15 would average 8.5).
    expect(w1.medianBalance).toBe(3);
    // Average users earned 20, 30, 40, 20: median (20 + 30) / 2.
    expect(w1.earnings.average).toEqual({ users: 4, median: 25, mean: 27.5, min: 20, max: 40 });
    expect(w1.tiers).toEqual({ bronze: 1, silver: 3, gold: 1, platinum: 0 });
    expect(w1.tiersByPersona.average).toEqual({ bronze: 1, silver: 3, gold: 0, platinum: 0 });
    const w2 = mergeWeek([{ ...a, week: 2, minted: 130 }, { ...b, week: 2, minted: 80 }], w1);
    expect([w2.week, w2.mintedThisWeek, w2.inflationRatePct]).toEqual([2, 50, 33.3]);
    expect(() => mergeWeek([a, { ...b, week: 2 }], null)).toThrow(/different weeks/);
  });

  it('merges tallies: counts added, a missed buyer counted once', () => {
    const t = (missed: number[]) => ({
      gifts: { sent: 2, tokens: 30, refused: { GIFT_NEW_ACCOUNT_ALLOWANCE_EXCEEDED: 1 } },
      purchases: { shopper: { cosmetic: { attempted: 2, bought: 1, refused: { INSUFFICIENT_FUNDS: 1 } } } },
      missedBuyers: { cosmetic: new Set(missed) },
    });
    const m = mergeTallies([t([4]), t([4, 9])]);
    expect(m.gifts).toEqual({ sent: 4, tokens: 60, refused: { GIFT_NEW_ACCOUNT_ALLOWANCE_EXCEEDED: 2 } });
    expect(m.purchases.shopper?.cosmetic).toEqual({ attempted: 4, bought: 2, refused: { INSUFFICIENT_FUNDS: 2 } });
    expect([...m.missedBuyers.cosmetic!].sort()).toEqual([4, 9]);
  });
});
