import { describe, expect, it } from 'vitest';
import { statWindows } from '../../server/engagement/stats.js';
import { BoundedCache } from '../../server/engagement/bounded-cache.js';
import { dailyKeys } from '../../server/engagement/daily-claim.js';
import { achievementKey } from '../../server/engagement/achievements.js';
import { referralKey } from '../../server/engagement/referrals.js';

describe('statWindows (UTC)', () => {
  it('starts today at 00:00Z, the week on Monday 00:00Z and the month on the 1st', () => {
    const w = statWindows(new Date('2026-01-14T23:59:59.999Z')); // a Wednesday
    expect(w.today.toISOString()).toBe('2026-01-14T00:00:00.000Z');
    expect(w.thisWeek.toISOString()).toBe('2026-01-12T00:00:00.000Z');
    expect(w.thisMonth.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a Sunday belongs to the week that started the Monday before; a Monday starts its own', () => {
    expect(statWindows(new Date('2026-01-11T23:59:59.999Z')).thisWeek.toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(statWindows(new Date('2026-01-12T00:00:00.000Z')).thisWeek.toISOString()).toBe('2026-01-12T00:00:00.000Z');
  });

  it('an ISO week may start in the previous month and year', () => {
    const w = statWindows(new Date('2027-01-02T08:00:00.000Z')); // Saturday of 2026-W53
    expect(w.thisWeek.toISOString()).toBe('2026-12-28T00:00:00.000Z');
    expect(w.thisMonth.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('BoundedCache', () => {
  it('drops the oldest insertion past its bound; a re-set moves a key to the newest', () => {
    const c = new BoundedCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('a', 3);
    c.set('c', 4);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(3);
    expect(c.get('c')).toBe(4);
    c.delete('a');
    expect(c.get('a')).toBeUndefined();
  });
});

describe('idempotency keys', () => {
  it('derive from the user and the day, month, achievement or invitee', () => {
    expect(dailyKeys.dailyLogin('U1', '2026-01-05')).toBe('earn:daily_login:U1:2026-01-05');
    expect(dailyKeys.weeklyStreak('U1', '2026-01-11')).toBe('earn:weekly_streak:U1:2026-01-11');
    expect(dailyKeys.monthlyActive('U1', '2026-01')).toBe('earn:monthly_active:U1:2026-01');
    expect(achievementKey('U1', 'first_room')).toBe('earn:achievement:U1:first_room');
    expect(referralKey('U1', 'U2')).toBe('earn:invite_friend:U1:U2');
  });
});
