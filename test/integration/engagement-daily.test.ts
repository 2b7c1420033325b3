import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser } from './chat-fixtures.js';
import { PLAIN_MULTIPLIERS, as, balanceOf, claimDaily, day, writeOverrides } from './engagement-fixtures.js';

/**
 * POST /api/tokens/claim-daily over real HTTP and SQLite, with a ManualClock: UTC day and week
 * boundaries, streak breaks, weekly_streak at 7 and 14, monthly_active at 20 distinct days.
 * Multipliers are switched off (PLAIN_MULTIPLIERS) so every amount is its base.
 */
const clock = new ManualClock(day('2026-01-05'));
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: writeOverrides(PLAIN_MULTIPLIERS) } });
});
afterAll(async () => {
  await srv.stop();
});

describe('daily claim', () => {
  it('pays once per UTC day; the next UTC midnight is a new day; a gap breaks the streak', async () => {
    clock.set('2026-01-05T00:00:00.000Z');
    const u = await registerUser(srv, 'daily');
    const start = await balanceOf(srv, u);

    const first = await claimDaily(srv, u);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ streak: 1, longestStreak: 1, award: { activity: 'daily_login', granted: 10 }, nextClaimAt: '2026-01-06T00:00:00.000Z' });

    clock.set('2026-01-05T23:59:59.999Z');
    const again = await claimDaily(srv, u);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ALREADY_CLAIMED', details: { nextClaimAt: '2026-01-06T00:00:00.000Z' } });

    clock.set('2026-01-06T00:00:00.000Z');
    expect((await claimDaily(srv, u)).body).toMatchObject({ streak: 2, award: { granted: 10 } });

    clock.set(day('2026-01-08'));
    const broken = await claimDaily(srv, u);
    expect(broken.body).toMatchObject({ streak: 1, longestStreak: 2 });
    expect(await balanceOf(srv, u)).toBe(start + 30);
    // The streak the award pipeline sees: today's streak, and 0 once a whole day was missed.
    expect(await srv.ctx.engagement.streakSource.streakDays(u.id, new Date(day('2026-01-09')))).toBe(1);
    expect(await srv.ctx.engagement.streakSource.streakDays(u.id, new Date(day('2026-01-10')))).toBe(0);
  });

  it('weekly_streak on day 7 and 14 of a streak (across ISO weeks), never in between', async () => {
    clock.set(day('2026-01-01'));
    const u = await registerUser(srv, 'weekly');
    const start = await balanceOf(srv, u);
    const weeklyDays: number[] = [];
    for (let d = 1; d <= 15; d++) {
      clock.set(day(`2026-01-${String(d).padStart(2, '0')}`));
      const res = await claimDaily(srv, u);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.streak).toBe(d);
      if (res.body.weeklyStreakAward) {
        expect(res.body.weeklyStreakAward).toEqual({ activity: 'weekly_streak', granted: 50 });
        weeklyDays.push(d);
      }
    }
    expect(weeklyDays).toEqual([7, 14]);
    expect(await balanceOf(srv, u)).toBe(start + 15 * 10 + 2 * 50);
  });

  it('monthly_active on the claim that makes 20 distinct days in a UTC month, once; a new month counts again', async () => {
    clock.set(day('2026-03-01'));
    const u = await registerUser(srv, 'monthly');
    const paidOn: string[] = [];
    // 19 days, a gap (the streak breaks, the month count does not), then day 21 is the 20th claim.
    const days = [...Array.from({ length: 19 }, (_, i) => i + 1), 21, 22, 31];
    for (const d of days) {
      const date = `2026-03-${String(d).padStart(2, '0')}`;
      clock.set(day(date));
      const res = await claimDaily(srv, u);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (res.body.monthlyActiveAward) {
        expect(res.body.monthlyActiveAward).toEqual({ activity: 'monthly_active', granted: 200 });
        paidOn.push(date);
      }
    }
    expect(paidOn).toEqual(['2026-03-21']);
    clock.set(day('2026-04-01'));
    expect((await claimDaily(srv, u)).body.monthlyActiveAward).toBeUndefined();
    const history = await as(srv, u).get(`/api/tokens/history/${u.id}?limit=100`);
    expect(history.body.items.filter((e: { activity: string }) => e.activity === 'monthly_active')).toHaveLength(1);
  });

  it('concurrent claims of one day pay exactly once', async () => {
    clock.set(day('2026-05-04'));
    const u = await registerUser(srv, 'race');
    const start = await balanceOf(srv, u);
    const results = await Promise.all(Array.from({ length: 6 }, () => claimDaily(srv, u)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await balanceOf(srv, u)).toBe(start + 10);
  });

  it('requires authentication', async () => {
    const res = await client(srv.url).post('/api/tokens/claim-daily');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('daily claim with the default multipliers', () => {
  it('the streak multiplier applies from day 3 (x1.1: 11 tokens on a weekday)', async () => {
    const c = new ManualClock(day('2026-01-05'));
    const plain = await startTestServer({ clock: c });
    try {
      const u = await registerUser(plain, 'mult');
      const granted: number[] = [];
      for (const d of ['2026-01-05', '2026-01-06', '2026-01-07']) {
        c.set(day(d));
        granted.push((await claimDaily(plain, u)).body.award.granted);
      }
      expect(granted).toEqual([10, 10, 11]);
    } finally {
      await plain.stop();
    }
  });
});
