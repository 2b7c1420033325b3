import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createEngagementStore } from '../../server/stores/engagement.js';
import { EMPTY_LOGIN_RECORD, type EngagementStore, type LoginRecord } from '../../server/engagement/ports.js';
import { newId } from '../../server/lib/ids.js';

/** The engagement store's behaviour on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('engagement');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000 + 123);

const login = (overrides: Partial<LoginRecord>): LoginRecord => ({ ...EMPTY_LOGIN_RECORD, ...overrides });

describe.each(backends)('engagement store on $name', (factory) => {
  let backend: Backend;
  let store: EngagementStore;

  beforeEach(async () => {
    backend = await factory.open();
    store = await createEngagementStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  // Races run half here, half in a second process on the same data (a second connection on MongoDB).
  const other = useStoreRacer(() => factory.racerTarget(backend));
  const both = async (): Promise<EngagementStore[]> => [store, await other<EngagementStore>('engagement')];

  describe('login state', () => {
    it('is empty before the first claim and round-trips every field', async () => {
      const user = newId();
      expect(await store.login(user)).toEqual(EMPTY_LOGIN_RECORD);
      const first = login({ lastClaimDay: '2026-01-05', streakDays: 1, longestStreakDays: 4, activeMonth: '2026-01', activeMonthDays: 1, monthlyActivePaidFor: '2025-12', dailyLoginsClaimed: 9 });
      expect(await store.saveLogin(user, null, first)).toBe(true);
      expect(await store.login(user)).toEqual(first);
    });

    it('compare-and-set: a stale expected day writes nothing', async () => {
      const user = newId();
      const day1 = login({ lastClaimDay: '2026-01-05', streakDays: 1, dailyLoginsClaimed: 1 });
      expect(await store.saveLogin(user, null, day1)).toBe(true);
      expect(await store.saveLogin(user, null, login({ lastClaimDay: '2026-01-05', streakDays: 7 }))).toBe(false);
      const day2 = login({ lastClaimDay: '2026-01-06', streakDays: 2, dailyLoginsClaimed: 2 });
      expect(await store.saveLogin(user, '2026-01-04', day2)).toBe(false);
      expect(await store.login(user)).toEqual(day1);
      expect(await store.saveLogin(user, '2026-01-05', day2)).toBe(true);
      expect(await store.login(user)).toEqual(day2);
    });

    it('a state put back to "no claim yet" can be claimed again, once', async () => {
      const user = newId();
      const claimed = login({ lastClaimDay: '2026-01-05', streakDays: 1, dailyLoginsClaimed: 1 });
      expect(await store.saveLogin(user, null, claimed)).toBe(true);
      expect(await store.saveLogin(user, '2026-01-05', EMPTY_LOGIN_RECORD)).toBe(true);
      expect(await store.login(user)).toEqual(EMPTY_LOGIN_RECORD);
      const results = await Promise.all((await both()).map((s) => s.saveLogin(user, null, claimed)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.login(user)).toEqual(claimed);
    });

    it('two concurrent first claims: exactly one wins', async () => {
      const user = newId();
      const stores = await both();
      const results = await Promise.all([1, 2, 3].map((n) => stores[n % 2]!.saveLogin(user, null, login({ lastClaimDay: '2026-01-05', streakDays: n }))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('achievements', () => {
    it('unlocks once, lists with times, claims once, unclaims', async () => {
      const user = newId();
      expect(await store.achievements(user)).toEqual([]);
      expect(await store.unlockAchievement(user, 'first_message', at(1))).toBe(true);
      expect(await store.unlockAchievement(user, 'first_message', at(2))).toBe(false);
      expect(await store.unlockAchievement(user, 'first_room', at(3))).toBe(true);
      expect(await store.achievements(user)).toEqual([
        { achievementId: 'first_message', unlockedAt: at(1), claimedAt: null },
        { achievementId: 'first_room', unlockedAt: at(3), claimedAt: null },
      ]);
      expect(await store.claimAchievement(user, 'nope', at(4))).toBe('locked');
      expect(await store.claimAchievement(user, 'first_message', at(4))).toBe('claimed');
      expect(await store.claimAchievement(user, 'first_message', at(5))).toBe('already_claimed');
      expect((await store.achievements(user))[0]).toEqual({ achievementId: 'first_message', unlockedAt: at(1), claimedAt: at(4) });
      await store.unclaimAchievement(user, 'first_message');
      expect((await store.achievements(user))[0]?.claimedAt).toBeNull();
      expect(await store.achievements(newId())).toEqual([]);
    });

    it('concurrent unlocks and claims: one winner each', async () => {
      const user = newId();
      const stores = await both();
      const unlocks = await Promise.all([0, 1, 2, 3].map((i) => stores[i % 2]!.unlockAchievement(user, 'a', at(1))));
      expect(unlocks.filter(Boolean)).toHaveLength(1);
      const claims = await Promise.all([0, 1, 2, 3].map((i) => stores[i % 2]!.claimAchievement(user, 'a', at(2))));
      expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c === 'already_claimed')).toHaveLength(3);
    });
  });

  describe('referrals', () => {
    it('settles once per invitee, counts paid ones per inviter, reopens', async () => {
      const inviter = newId();
      const [a, b, c] = [newId(), newId(), newId()];
      expect(await store.referral(a)).toBeNull();
      expect(await store.settleReferral({ inviteeId: a, inviterId: inviter, status: 'paid', reason: null, settledAt: at(1) })).toBe(true);
      expect(await store.settleReferral({ inviteeId: a, inviterId: inviter, status: 'refused', reason: 'X', settledAt: at(2) })).toBe(false);
      expect(await store.settleReferral({ inviteeId: b, inviterId: inviter, status: 'refused', reason: 'SAME_ADDRESS', settledAt: at(3) })).toBe(true);
      expect(await store.settleReferral({ inviteeId: c, inviterId: inviter, status: 'paid', reason: null, settledAt: at(4) })).toBe(true);
      expect(await store.referral(a)).toEqual({ inviteeId: a, inviterId: inviter, status: 'paid', reason: null, settledAt: at(1) });
      expect(await store.referral(b)).toEqual({ inviteeId: b, inviterId: inviter, status: 'refused', reason: 'SAME_ADDRESS', settledAt: at(3) });
      expect(await store.countPaidReferrals(inviter)).toBe(2);
      await store.reopenReferral(c);
      expect(await store.referral(c)).toBeNull();
      expect(await store.countPaidReferrals(inviter)).toBe(1);
      expect(await store.countPaidReferrals(newId())).toBe(0);
    });

    it('concurrent settles: exactly one wins', async () => {
      const invitee = newId();
      const stores = await both();
      const results = await Promise.all([0, 1, 2].map((i) => stores[i % 2]!.settleReferral({ inviteeId: invitee, inviterId: 'x', status: 'paid', reason: null, settledAt: at(1) })));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('metrics', () => {
    it('increments from 0, atomically under concurrency, per user and metric', async () => {
      const user = newId();
      expect(await store.metrics(user)).toEqual({});
      expect(await store.incrementMetric(user, 'roomsJoined', 1)).toBe(1);
      const stores = await both();
      await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.incrementMetric(user, 'roomsJoined', 2)));
      expect(await store.incrementMetric(user, 'giftsSent', 3)).toBe(3);
      expect(await store.metrics(user)).toEqual({ roomsJoined: 21, giftsSent: 3 });
      expect(await store.metrics(newId())).toEqual({});
    });
  });
});
