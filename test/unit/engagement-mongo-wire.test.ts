import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import mongoose from 'mongoose';
import { createMongoEngagementStore } from '../../server/stores/mongo/engagement-store.js';
import { EMPTY_LOGIN_RECORD, type EngagementStore, type LoginRecord } from '../../server/engagement/ports.js';
import { commandName, cursor, duplicateKey, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * The MongoDB engagement store on the wire, against the protocol stand-in (no MongoDB runs here;
 * the behaviour is the contract suite's job when a replica set is reachable). Pinned here: the
 * conditions each compare-and-set sends, how the answers map to results, duplicate keys, and that
 * the unique indexes exist before the first write.
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const wire = useWireHarness();
let store: EngagementStore;
const find = (name: string, collection: string): Command[] => wire.sent(name, collection);

const claimed: LoginRecord = { ...EMPTY_LOGIN_RECORD, lastClaimDay: '2026-01-05', streakDays: 1, longestStreakDays: 1, activeMonth: '2026-01', activeMonthDays: 1, dailyLoginsClaimed: 1 };

beforeEach(() => {
  store = createMongoEngagementStore(wire.connection, createIndexBuilds());
});

describe('MongoDB engagement store on the wire', () => {
  it('builds the unique indexes before the first write', async () => {
    await store.unlockAchievement('U1', 'first_message', T);
    expect(wire.indexesAtFirstWrite).toEqual(expect.arrayContaining(['userId_achievementId_unique', 'userId_metric_unique', 'inviterId_status']));
  });

  it('saveLogin: a compare-and-set on lastClaimDay; a first claim inserts; a duplicate insert loses', async () => {
    wire.setHandler((c) => (commandName(c) === 'update' ? { n: 0, nModified: 0, ok: 1 } : undefined));
    expect(await store.saveLogin('U1', '2026-01-04', claimed)).toBe(false);
    expect(find('update', 'engagement_logins')[0]).toMatchObject({
      updates: [{ q: { _id: 'U1', lastClaimDay: '2026-01-04' }, u: { $set: { lastClaimDay: '2026-01-05', streakDays: 1, dailyLoginsClaimed: 1 } } }],
    });
    expect(find('insert', 'engagement_logins')).toHaveLength(0);

    expect(await store.saveLogin('U1', null, claimed)).toBe(true);
    expect(find('insert', 'engagement_logins')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'U1', lastClaimDay: '2026-01-05', streakDays: 1 })]);

    wire.setHandler((c) => {
      if (commandName(c) === 'update') return { n: 0, nModified: 0, ok: 1 };
      if (commandName(c) === 'insert') return duplicateKey('engagement_logins', '_id_');
      return undefined;
    });
    expect(await store.saveLogin('U1', null, claimed)).toBe(false);
    wire.setHandler(() => undefined);
    expect(await store.saveLogin('U1', '2026-01-05', claimed)).toBe(true); // matched
  });

  it('claimAchievement: only an unclaimed unlock is claimed; otherwise the unlock decides locked vs already claimed', async () => {
    expect(await store.claimAchievement('U1', 'a', T)).toBe('claimed');
    expect(find('update', 'engagement_achievements')[0]).toMatchObject({ updates: [{ q: { userId: 'U1', achievementId: 'a', claimedAt: null }, u: { $set: { claimedAt: T } } }] });
    wire.setHandler((c) => (commandName(c) === 'update' ? { n: 0, nModified: 0, ok: 1 } : undefined));
    expect(await store.claimAchievement('U1', 'a', T)).toBe('locked');
    wire.setHandler((c) => {
      if (commandName(c) === 'update') return { n: 0, nModified: 0, ok: 1 };
      if (commandName(c) === 'find') return cursor(c, [{ _id: new mongoose.Types.ObjectId() }]);
      return undefined;
    });
    expect(await store.claimAchievement('U1', 'a', T)).toBe('already_claimed');
  });

  it('unlockAchievement: an upsert that only sets on insert; new only when it inserted', async () => {
    wire.setHandler((c) => (commandName(c) === 'update' ? { n: 1, nModified: 0, upserted: [{ index: 0, _id: new mongoose.Types.ObjectId() }], ok: 1 } : undefined));
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(true);
    expect(find('update', 'engagement_achievements')[0]).toMatchObject({
      updates: [{ q: { userId: 'U1', achievementId: 'a' }, u: { $setOnInsert: { unlockedAt: T, claimedAt: null } }, upsert: true }],
    });
    wire.setHandler((c) => (commandName(c) === 'update' ? { n: 1, nModified: 0, ok: 1 } : undefined));
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(false);
    wire.setHandler((c) => (commandName(c) === 'update' ? duplicateKey('engagement_achievements', 'userId_achievementId_unique') : undefined));
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(false);
  });

  it('settleReferral: an insert keyed by the invitee; a duplicate means already settled', async () => {
    const r = { inviteeId: 'U2', inviterId: 'U1', status: 'paid' as const, reason: null, settledAt: T };
    expect(await store.settleReferral(r)).toBe(true);
    expect(find('insert', 'engagement_referrals')[0]?.['documents']).toEqual([{ _id: 'U2', inviterId: 'U1', status: 'paid', reason: null, settledAt: T }]);
    wire.setHandler((c) => (commandName(c) === 'insert' ? duplicateKey('engagement_referrals', '_id_') : undefined));
    expect(await store.settleReferral(r)).toBe(false);
  });

  it('incrementMetric: one upserting $inc that returns the new value', async () => {
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { _id: new mongoose.Types.ObjectId(), userId: 'U1', metric: 'roomsJoined', value: 4 }, ok: 1 } : undefined));
    expect(await store.incrementMetric('U1', 'roomsJoined', 1)).toBe(4);
    expect(find('findandmodify', 'engagement_metrics')[0]).toMatchObject({ query: { userId: 'U1', metric: 'roomsJoined' }, update: { $inc: { value: 1 } }, upsert: true, new: true });
  });
});
