import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { connectMongo } from '../../server/stores/mongo/connection.js';
import { createMongoEngagementStore } from '../../server/stores/mongo/engagement-store.js';
import { EMPTY_LOGIN_RECORD, type EngagementStore, type LoginRecord } from '../../server/engagement/ports.js';
import { commandName, isHello, replicaSetHello, startFakeMongo, type Command, type FakeMongo } from '../support/fake-mongo.js';

/**
 * The MongoDB engagement store on the wire, against the protocol stand-in (no MongoDB runs here;
 * the behaviour is the contract suite's job when a replica set is reachable). Pinned here: the
 * conditions each compare-and-set sends, how the answers map to results, duplicate keys, and that
 * the unique indexes exist before the first write.
 */
type Handler = (command: Command) => Command | undefined;

const T = new Date('2026-01-05T12:00:00.000Z');
let fake: FakeMongo;
let connection: Connection;
let store: EngagementStore;
let handler: Handler = () => undefined;
let indexesAtFirstWrite: string[] | null;
let indexes: string[];

const target = (c: Command): string => String(c[Object.keys(c)[0]!]);
const sent = (): Command[] => fake.commands.filter((c) => !isHello(c));
const find = (name: string, collection: string): Command[] => sent().filter((c) => commandName(c) === name && target(c) === collection);
const duplicateKey = (collection: string, index: string): Command => ({
  n: 0,
  writeErrors: [{ index: 0, code: 11000, errmsg: `E11000 duplicate key error collection: chat.${collection} index: ${index} dup key: { x: "y" }` }],
  ok: 1,
});
const cursor = (c: Command, docs: Command[]): Command => ({ cursor: { firstBatch: docs, id: mongoose.mongo.Long.fromNumber(0), ns: `chat.${target(c)}` }, ok: 1 });

const claimed: LoginRecord = { ...EMPTY_LOGIN_RECORD, lastClaimDay: '2026-01-05', streakDays: 1, longestStreakDays: 1, activeMonth: '2026-01', activeMonthDays: 1, dailyLoginsClaimed: 1 };

beforeEach(async () => {
  handler = () => undefined;
  indexes = [];
  indexesAtFirstWrite = null;
  fake = await startFakeMongo((c, port) => {
    if (isHello(c)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
    const answer = handler(c);
    if (answer) return answer;
    const name = commandName(c);
    if (name === 'createindexes') {
      indexes.push(...(c['indexes'] as { name: string }[]).map((i) => i.name));
      return { ok: 1 };
    }
    if (['insert', 'update', 'findandmodify'].includes(name)) indexesAtFirstWrite ??= [...indexes];
    if (name === 'find') return cursor(c, []);
    return { n: 1, nModified: 1, ok: 1 };
  });
  connection = await connectMongo(`mongodb://127.0.0.1:${fake.port}/chat?serverSelectionTimeoutMS=2000`, pino({ level: 'silent' }));
  store = createMongoEngagementStore(connection);
});

afterEach(async () => {
  await connection.close(true);
  await fake.close();
});

describe('MongoDB engagement store on the wire', () => {
  it('builds the unique indexes before the first write', async () => {
    await store.unlockAchievement('U1', 'first_message', T);
    expect(indexesAtFirstWrite).toEqual(expect.arrayContaining(['userId_achievementId_unique', 'userId_metric_unique', 'inviterId_status']));
  });

  it('saveLogin: a compare-and-set on lastClaimDay; a first claim inserts; a duplicate insert loses', async () => {
    handler = (c) => (commandName(c) === 'update' ? { n: 0, nModified: 0, ok: 1 } : undefined);
    expect(await store.saveLogin('U1', '2026-01-04', claimed)).toBe(false);
    expect(find('update', 'engagement_logins')[0]).toMatchObject({
      updates: [{ q: { _id: 'U1', lastClaimDay: '2026-01-04' }, u: { $set: { lastClaimDay: '2026-01-05', streakDays: 1, dailyLoginsClaimed: 1 } } }],
    });
    expect(find('insert', 'engagement_logins')).toHaveLength(0);

    expect(await store.saveLogin('U1', null, claimed)).toBe(true);
    expect(find('insert', 'engagement_logins')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'U1', lastClaimDay: '2026-01-05', streakDays: 1 })]);

    handler = (c) => {
      if (commandName(c) === 'update') return { n: 0, nModified: 0, ok: 1 };
      if (commandName(c) === 'insert') return duplicateKey('engagement_logins', '_id_');
      return undefined;
    };
    expect(await store.saveLogin('U1', null, claimed)).toBe(false);
    handler = () => undefined;
    expect(await store.saveLogin('U1', '2026-01-05', claimed)).toBe(true); // matched
  });

  it('claimAchievement: only an unclaimed unlock is claimed; otherwise the unlock decides locked vs already claimed', async () => {
    expect(await store.claimAchievement('U1', 'a', T)).toBe('claimed');
    expect(find('update', 'engagement_achievements')[0]).toMatchObject({ updates: [{ q: { userId: 'U1', achievementId: 'a', claimedAt: null }, u: { $set: { claimedAt: T } } }] });
    handler = (c) => (commandName(c) === 'update' ? { n: 0, nModified: 0, ok: 1 } : undefined);
    expect(await store.claimAchievement('U1', 'a', T)).toBe('locked');
    handler = (c) => {
      if (commandName(c) === 'update') return { n: 0, nModified: 0, ok: 1 };
      if (commandName(c) === 'find') return cursor(c, [{ _id: new mongoose.Types.ObjectId() }]);
      return undefined;
    };
    expect(await store.claimAchievement('U1', 'a', T)).toBe('already_claimed');
  });

  it('unlockAchievement: an upsert that only sets on insert; new only when it inserted', async () => {
    handler = (c) => (commandName(c) === 'update' ? { n: 1, nModified: 0, upserted: [{ index: 0, _id: new mongoose.Types.ObjectId() }], ok: 1 } : undefined);
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(true);
    expect(find('update', 'engagement_achievements')[0]).toMatchObject({
      updates: [{ q: { userId: 'U1', achievementId: 'a' }, u: { $setOnInsert: { unlockedAt: T, claimedAt: null } }, upsert: true }],
    });
    handler = (c) => (commandName(c) === 'update' ? { n: 1, nModified: 0, ok: 1 } : undefined);
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(false);
    handler = (c) => (commandName(c) === 'update' ? duplicateKey('engagement_achievements', 'userId_achievementId_unique') : undefined);
    expect(await store.unlockAchievement('U1', 'a', T)).toBe(false);
  });

  it('settleReferral: an insert keyed by the invitee; a duplicate means already settled', async () => {
    const r = { inviteeId: 'U2', inviterId: 'U1', status: 'paid' as const, reason: null, settledAt: T };
    expect(await store.settleReferral(r)).toBe(true);
    expect(find('insert', 'engagement_referrals')[0]?.['documents']).toEqual([{ _id: 'U2', inviterId: 'U1', status: 'paid', reason: null, settledAt: T }]);
    handler = (c) => (commandName(c) === 'insert' ? duplicateKey('engagement_referrals', '_id_') : undefined);
    expect(await store.settleReferral(r)).toBe(false);
  });

  it('incrementMetric: one upserting $inc that returns the new value', async () => {
    handler = (c) => (commandName(c) === 'findandmodify' ? { value: { _id: new mongoose.Types.ObjectId(), userId: 'U1', metric: 'roomsJoined', value: 4 }, ok: 1 } : undefined);
    expect(await store.incrementMetric('U1', 'roomsJoined', 1)).toBe(4);
    expect(find('findandmodify', 'engagement_metrics')[0]).toMatchObject({ query: { userId: 'U1', metric: 'roomsJoined' }, update: { $inc: { value: 1 } }, upsert: true, new: true });
  });
});
