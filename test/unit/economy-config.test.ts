import { describe, expect, it } from 'vitest';
import { EconomyConfigError, EconomyConfigHolder, loadEconomyConfig } from '../../server/economy/config/index.js';

describe('economy config presets', () => {
  it('current preset carries the seed current rates and EARNING_CAPS', () => {
    const c = loadEconomyConfig();
    expect(c.preset).toBe('current');
    const tokens = Object.fromEntries(Object.entries(c.activities).map(([k, v]) => [k, v.tokens]));
    expect(tokens).toEqual({
      registration: 10,
      create_room: 10,
      join_room: 5,
      send_message: 1,
      share_file: 3,
      daily_login: 10,
      weekly_streak: 50,
      monthly_active: 200,
      invite_friend: 25,
      receive_gift: 1,
      room_moderator: 100,
      popular_message: 5,
      helpful_content: 10,
      media_shared: 2,
    });
    expect(c.activities.popular_message.reactionThreshold).toBe(10);
    expect(c.activities.media_shared.viewThreshold).toBe(10);
    expect(c.caps.activityDailyEvents.send_message).toBe(100);
    expect(c.caps.activityDailyEvents.share_file).toBe(20);
    expect(c.caps.activityDailyEvents.join_room).toBe(10);
    expect(c.caps.dailyTotalTokens).toBe(500);
    expect(c.caps.weeklyTotalTokens).toBe(3000);
    expect(c.multipliers.streak).toEqual([
      { days: 3, multiplier: 1.1 },
      { days: 7, multiplier: 1.25 },
      { days: 14, multiplier: 1.5 },
      { days: 30, multiplier: 2 },
    ]);
    expect(c.multipliers.tier).toEqual({ bronze: 1, silver: 1.1, gold: 1.25, platinum: 1.5 });
    expect(c.multipliers.event).toMatchObject({ weekend: { enabled: true, multiplier: 1.2 }, holiday: 1.5, specialEvent: 2 });
    // Issue 9: the default basis is lifetime earned (a tier cannot be borrowed); 'balance' stays selectable.
    expect(c.tiers.basis).toBe('lifetimeEarned');
    expect(c.tiers.thresholds).toEqual({ bronze: 0, silver: 100, gold: 500, platinum: 1000 });
    const b = c.tiers.benefits;
    expect([b.bronze.giftLimitDaily, b.silver.giftLimitDaily, b.gold.giftLimitDaily, b.platinum.giftLimitDaily]).toEqual([50, 200, 500, null]);
    expect([b.bronze.storageGb, b.silver.storageGb, b.gold.storageGb, b.platinum.storageGb]).toEqual([1, 5, 25, 100]);
    expect([b.bronze.roomsMax, b.silver.roomsMax, b.gold.roomsMax, b.platinum.roomsMax]).toEqual([10, 50, 100, null]);
    expect([b.bronze.fileSizeMb, b.silver.fileSizeMb, b.gold.fileSizeMb, b.platinum.fileSizeMb]).toEqual([10, 25, 50, 100]);
    expect([b.bronze.badge, b.silver.badge, b.gold.badge, b.platinum.badge]).toEqual(['🥉', '🥈', '🥇', '💎']);
    expect(b.bronze.features.privateRooms).toBe(false);
    expect(b.silver.features.customAvatar).toBe(true);
    expect(b.gold.features.privateRooms).toBe(true);
    expect(b.platinum.features.customThemes).toBe(true);
    expect(c.achievements.length).toBeGreaterThanOrEqual(15);
    const ach = Object.fromEntries(c.achievements.map((a) => [a.id, a]));
    expect(ach['first_100_messages']).toMatchObject({ metric: 'messagesSent', threshold: 100, reward: 50 });
    expect(ach['first_50_files']).toMatchObject({ metric: 'filesShared', threshold: 50, reward: 50 });
    expect(ach['created_10_rooms']).toMatchObject({ metric: 'roomsCreated', threshold: 10, reward: 100 });
    expect(c.shop.map((s) => [s.id, s.cost])).toEqual([
      ['custom_avatar_frame', 100],
      ['custom_chat_color', 50],
      ['animated_emoji', 150],
      ['profile_badge', 200],
      ['private_room_create', 50],
      ['room_customization', 100],
      ['pin_important_message', 10],
      ['boost_room_visibility', 25],
      ['extra_5gb_storage', 100],
      ['increase_file_size_50mb', 75],
      ['unlimited_rooms', 200],
      ['priority_video_call', 20],
      ['screen_share_quality', 30],
      ['voice_message_premium', 15],
      ['streak_freeze', 30], // issue 13 (chosen), not from the seed
    ]);
    expect(c.refundPolicy).toEqual({
      permanentPercent: 0,
      timed: { fullWithinMinutes: 60, fullPercent: 100, partialWithinMinutes: 1440, partialPercent: 50, afterPercent: 0 },
      unusedPercent: 90,
    });
    expect(c.gifts).toMatchObject({ maxPerDay: 10, messageMaxChars: 280 });
    expect(c.pin).toMatchObject({ maxFailures: 5, lockMinutes: 15 });
    expect(c.antiAbuse.penalties.map((p) => p.action)).toEqual(['warning', 'earning_suspension', 'token_reset', 'account_ban']);
  });

  it('recommended preset carries the seed Recommended Starting Values and ITEM_COSTS', () => {
    const c = loadEconomyConfig({ preset: 'recommended' });
    expect(c.activities.registration.tokens).toBe(50);
    expect(c.activities.daily_login.tokens).toBe(10);
    expect(c.activities.send_message.tokens).toBe(1);
    expect(c.activities.share_file.tokens).toBe(3);
    expect(c.activities.create_room.tokens).toBe(15);
    expect(c.activities.join_room.tokens).toBe(5);
    expect(c.activities.invite_friend.tokens).toBe(100);
    expect(c.activities.weekly_streak.tokens).toBe(100);
    expect(c.caps.activityDailyEvents.send_message).toBe(50);
    expect(c.caps.activityDailyEvents.share_file).toBe(30);
    for (const a of c.achievements) {
      expect(a.reward).toBeGreaterThanOrEqual(50);
      expect(a.reward).toBeLessThanOrEqual(500);
    }
    expect(Object.fromEntries(c.shop.map((s) => [s.id, s.cost]))).toEqual({
      avatar_frame: 150,
      chat_color: 100,
      custom_emoji: 200,
      private_room: 75,
      file_storage_5gb: 200,
      increased_file_size: 150,
      tier_upgrade: 500,
      priority_support: 300,
      custom_theme: 400,
      streak_freeze: 30, // issue 13 (chosen), not from the seed
    });
  });
});

describe('overrides', () => {
  it('deep-merges single values and leaves the rest of the preset', () => {
    const c = loadEconomyConfig({ preset: 'recommended', overrides: { caps: { dailyTotalTokens: 800 }, tiers: { benefits: { gold: { roomsMax: 7 } } } } });
    expect(c.caps.dailyTotalTokens).toBe(800);
    expect(c.caps.weeklyTotalTokens).toBe(3000);
    expect(c.caps.activityDailyEvents.send_message).toBe(50);
    expect(c.tiers.benefits.gold.roomsMax).toBe(7);
    expect(c.tiers.benefits.gold.storageGb).toBe(25);
    expect(loadEconomyConfig({ preset: 'recommended' }).caps.dailyTotalTokens).toBe(500);
  });

  it('a bad value throws naming its path', () => {
    expect(() => loadEconomyConfig({ overrides: { caps: { dailyTotalTokens: -5 } } })).toThrow(/caps\.dailyTotalTokens/);
    expect(() => loadEconomyConfig({ overrides: { multipliers: { tier: { silver: 1.0001 } } } })).toThrow(/multipliers\.tier\.silver/);
    expect(() => loadEconomyConfig({ overrides: { tiers: { thresholds: { gold: 50 } } } })).toThrow(/tiers\.thresholds/);
  });

  it('an unknown key throws naming its parent path', () => {
    try {
      loadEconomyConfig({ overrides: { activities: { send_mesage: { tokens: 2 } } } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EconomyConfigError);
      expect((err as EconomyConfigError).issues[0]!.path).toBe('activities');
      expect((err as Error).message).toMatch(/send_mesage/);
    }
  });

  it('event windows are validated (start before end)', () => {
    const windows = [{ id: 'x', kind: 'holiday', name: 'X', startsAt: '2026-12-26T00:00:00Z', endsAt: '2026-12-25T00:00:00Z' }];
    expect(() => loadEconomyConfig({ overrides: { multipliers: { event: { windows } } } })).toThrow(/multipliers\.event\.windows\.0\.endsAt/);
  });

  it('loaded config is frozen', () => {
    const c = loadEconomyConfig();
    expect(() => {
      (c.caps as { dailyTotalTokens: number }).dailyTotalTokens = 1;
    }).toThrow();
  });
});

describe('EconomyConfigHolder', () => {
  it('reload picks up a changed file and keeps the old config when the new one is invalid', () => {
    let file = JSON.stringify({ caps: { dailyTotalTokens: 600 } });
    const holder = new EconomyConfigHolder({ preset: 'current', overridesFile: '/x.json', readFile: () => file });
    expect(holder.current.caps.dailyTotalTokens).toBe(600);
    const seen: number[] = [];
    holder.onChange((c) => seen.push(c.caps.dailyTotalTokens));

    file = JSON.stringify({ caps: { dailyTotalTokens: 700 } });
    const ok = holder.reload();
    expect(ok.ok).toBe(true);
    expect(holder.current.caps.dailyTotalTokens).toBe(700);
    expect(holder.version).toBe(2);

    file = JSON.stringify({ caps: { dailyTotalTokens: 'lots' } });
    const bad = holder.reload();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/caps\.dailyTotalTokens/);
    expect(holder.current.caps.dailyTotalTokens).toBe(700);

    file = '{ not json';
    expect(holder.reload().ok).toBe(false);
    expect(holder.current.caps.dailyTotalTokens).toBe(700);
    expect(holder.version).toBe(2);
    expect(seen).toEqual([700]);
  });

  it('an invalid initial config throws', () => {
    expect(() => new EconomyConfigHolder({ preset: 'current', overridesFile: '/x.json', readFile: () => '{"pin":{"maxFailures":0}}' })).toThrow(/pin\.maxFailures/);
  });

  it('without an overrides file holds the preset', () => {
    expect(new EconomyConfigHolder({ preset: 'recommended' }).current.activities.registration.tokens).toBe(50);
  });
});
