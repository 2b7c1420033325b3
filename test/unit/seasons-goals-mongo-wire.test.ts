import { describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createMongoGoalStore } from '../../server/stores/mongo/goals-store.js';
import { createMongoSeasonStore } from '../../server/stores/mongo/seasons-store.js';
import { commandName, cursor, duplicateKey, target, useWireHarness } from '../support/fake-mongo.js';

/**
 * The MongoDB season and room goal adapters (issue 13, part C) on the wire-protocol stand-in:
 * the guarded writes that decide races, inside transactions, and the indexes behind them.
 */
const T = new Date('2026-03-02T12:00:00.000Z');
const wire = useWireHarness();

const goalDoc = { _id: 'G1', roomId: 'R1', title: null, target: 4, levels: 4, points: 3, level: 3, deadline: new Date(T.getTime() + 60_000), bonusTokens: 8, status: 'active', createdBy: 'M', createdAt: T, reachedAt: null, paidAt: null };

describe('seasons on the MongoDB wire', () => {
  it('archives with a guarded closedAt update and the standings in one transaction', async () => {
    const store = createMongoSeasonStore(wire.connection, createIndexBuilds());
    expect(await store.archive('S1', [{ seasonId: 'S1', userId: 'U1', rank: 1, earned: 9 }], T)).toBe(true);
    const [closed] = wire.sent('update', 'seasons');
    expect(closed).toMatchObject({ updates: [{ q: { _id: 'S1', closedAt: null }, u: { $set: { closedAt: T } } }], startTransaction: true });
    const [inserted] = wire.sent('insert', 'season_standings');
    expect(inserted).toMatchObject({ documents: [{ _id: 'S1:1', seasonId: 'S1', userId: 'U1', rank: 1, earned: 9 }], lsid: closed!['lsid'] });
    expect(wire.indexes).toEqual(expect.arrayContaining(['endsAt', 'seasonId_rank', 'userId_rank']));
  });

  it('a second archive writes no standings', async () => {
    wire.setHandler((c) => (commandName(c) === 'update' && target(c) === 'seasons' ? { n: 0, nModified: 0, ok: 1 } : undefined));
    const store = createMongoSeasonStore(wire.connection, createIndexBuilds());
    expect(await store.archive('S1', [{ seasonId: 'S1', userId: 'U1', rank: 1, earned: 9 }], T)).toBe(false);
    expect(wire.sent('insert', 'season_standings')).toEqual([]);
  });
});

describe('room goals on the MongoDB wire', () => {
  it('a room without a running goal costs one indexed read, no transaction', async () => {
    const store = createMongoGoalStore(wire.connection, createIndexBuilds());
    expect(await store.contribute({ roomId: 'R9', userId: 'U1', points: 1, at: T, levelExtendMs: 0 })).toBeNull();
    expect(wire.sent('find', 'room_goals')).toMatchObject([{ filter: { roomId: 'R9', status: 'active', deadline: { $gt: T } }, limit: 1 }]);
    expect(wire.sent('findandmodify', 'room_goals')).toEqual([]);
  });

  it('a contribution is a guarded $inc, the level/status update and the contributor $inc in one transaction', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'findandmodify' && target(c) === 'room_goals') return { value: goalDoc, ok: 1 };
      if (commandName(c) === 'find' && target(c) === 'room_goals') return cursor(c, [{ _id: 'G1' }]);
      return undefined;
    });
    const store = createMongoGoalStore(wire.connection, createIndexBuilds());
    const at = new Date(T.getTime() + 1000);
    const out = await store.contribute({ roomId: 'R1', userId: 'U2', points: 2, at, levelExtendMs: 1000 });
    expect(out).toMatchObject({ reachedNow: true, levelBefore: 3, goal: { points: 5, level: 4, status: 'reached', reachedAt: at } });
    const [inc] = wire.sent('findandmodify', 'room_goals');
    expect(inc).toMatchObject({ query: { roomId: 'R1', status: 'active', deadline: { $gt: at } }, update: { $inc: { points: 2 } }, startTransaction: true });
    const [set] = wire.sent('update', 'room_goals');
    expect(set).toMatchObject({ updates: [{ q: { _id: 'G1' }, u: { $set: { level: 4, status: 'reached' } } }], lsid: inc!['lsid'] });
    const [contribution] = wire.sent('update', 'room_goal_contributions');
    expect(contribution).toMatchObject({ updates: [{ q: { _id: 'G1:U2' }, u: { $inc: { points: 2 } }, upsert: true }], lsid: inc!['lsid'] });
    expect(wire.indexes).toEqual(expect.arrayContaining(['roomId_active_unique', 'goalId_points']));
  });

  it('a duplicate on the one-active-goal index answers the existing goal', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'insert' && target(c) === 'room_goals') return duplicateKey('room_goals', 'roomId_active_unique');
      if (commandName(c) === 'find' && target(c) === 'room_goals' && !(c['filter'] as Record<string, unknown>)['_id']) {
        // Inside the transaction no active goal is seen yet; after the refused insert, the winner is.
        return cursor(c, c['txnNumber'] === undefined ? [goalDoc] : []);
      }
      return undefined;
    });
    const store = createMongoGoalStore(wire.connection, createIndexBuilds());
    const out = await store.create({ id: 'G2', roomId: 'R1', title: null, target: 4, levels: 4, deadline: new Date(T.getTime() + 60_000), bonusTokens: 0, createdBy: 'M', createdAt: T });
    expect(out).toMatchObject({ created: false, existing: { id: 'G1' } });
  });
});
