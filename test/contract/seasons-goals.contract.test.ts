import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { newId } from '../../server/lib/ids.js';
import { createSeasonStore } from '../../server/stores/seasons.js';
import type { NewSeason, SeasonStore, StandingRecord } from '../../server/seasons/ports.js';
import { createGoalStore } from '../../server/stores/goals.js';
import type { GoalStore, NewGoal } from '../../server/goals/ports.js';

/** The season and room goal stores (issue 13, part C) on SQLite and, when a replica set is reachable, MongoDB. */
const backends = await contractBackends('seasons-goals');

const T0 = Date.parse('2026-03-02T12:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

function season(overrides: Partial<NewSeason> = {}): NewSeason {
  return { id: newId(), name: 'Spring', startsAt: at(0), endsAt: at(3600), multiplier: 1.5, rewards: [{ fromRank: 1, toRank: 3, tokens: 50 }], createdBy: 'admin-1', createdAt: at(-60), ...overrides };
}

function goal(roomId: string, overrides: Partial<NewGoal> = {}): NewGoal {
  return { id: newId(), roomId, title: 'Hype', target: 8, levels: 4, deadline: at(600), bonusTokens: 20, createdBy: 'mod-1', createdAt: at(0), ...overrides };
}

describe.each(backends)('season store on $name', (factory) => {
  let backend: Backend;
  let store: SeasonStore;
  beforeEach(async () => {
    backend = await factory.open();
    store = await createSeasonStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  const other = useStoreRacer(() => factory.racerTarget(backend));

  it('round-trips a season and lists, finds running and due ones', async () => {
    const s = season();
    expect(await store.create(s)).toEqual({ ...s, closedAt: null, paidAt: null });
    const plain = season({ multiplier: null, startsAt: at(100), endsAt: at(200) });
    await store.create(plain);
    expect(await store.findById(s.id)).toEqual({ ...s, closedAt: null, paidAt: null });
    expect(await store.findById(newId())).toBeNull();
    expect((await store.list(10)).map((x) => x.id)).toEqual([plain.id, s.id]);
    expect((await store.withMultiplierNotEnded(at(10), 10)).map((x) => x.id)).toEqual([s.id]);
    expect(await store.withMultiplierNotEnded(at(3600), 10)).toEqual([]);
    expect((await store.dueToClose(at(3600), 10)).map((x) => x.id)).toEqual([plain.id, s.id]);
    await expect(store.list(0)).rejects.toThrow(RangeError);
  });

  it('archives once, keeps standings in rank order, marks paid once and answers a user’s results best first', async () => {
    const s = await store.create(season());
    const rows: StandingRecord[] = [
      { seasonId: s.id, userId: 'u1', rank: 1, earned: 30 },
      { seasonId: s.id, userId: 'u2', rank: 2, earned: 20 },
    ];
    expect(await store.archive(s.id, rows, at(4000))).toBe(true);
    expect(await store.archive(s.id, [{ seasonId: s.id, userId: 'u9', rank: 1, earned: 99 }], at(4001))).toBe(false);
    expect(await store.standings(s.id, 10)).toEqual(rows);
    expect((await store.findById(s.id))?.closedAt).toEqual(at(4000));
    await store.markPaid(s.id, at(4002));
    await store.markPaid(s.id, at(4003));
    expect((await store.findById(s.id))?.paidAt).toEqual(at(4002));
    expect((await store.dueToClose(at(9999), 10)).map((x) => x.id)).not.toContain(s.id);
    const later = await store.create(season());
    await store.archive(later.id, [{ seasonId: later.id, userId: 'u2', rank: 1, earned: 5 }], at(5000));
    expect((await store.resultsOf('u2', 10)).map((r) => [r.seasonId, r.rank])).toEqual([[later.id, 1], [s.id, 2]]);
  });

  it('two processes archiving the same season at once: exactly one archives', async () => {
    const s = await store.create(season());
    const racer = await other<SeasonStore>('seasons');
    const rows = (who: string): StandingRecord[] => [{ seasonId: s.id, userId: who, rank: 1, earned: 10 }];
    const results = await Promise.all([store.archive(s.id, rows('a'), at(4000)), racer.archive(s.id, rows('b'), at(4000)), store.archive(s.id, rows('a'), at(4000)), racer.archive(s.id, rows('b'), at(4000))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.standings(s.id, 10)).toHaveLength(1);
  });
});

describe.each(backends)('room goal store on $name', (factory) => {
  let backend: Backend;
  let store: GoalStore;
  beforeEach(async () => {
    backend = await factory.open();
    store = await createGoalStore(backend);
  });
  afterEach(async () => {
    await factory.dispose(backend);
  });
  const other = useStoreRacer(() => factory.racerTarget(backend));

  it('one active goal per room; an expired one gives its place', async () => {
    const room = newId();
    const g = goal(room);
    const created = await store.create(g);
    expect(created).toEqual({ created: true, goal: { ...g, points: 0, level: 0, status: 'active', reachedAt: null, paidAt: null } });
    const second = await store.create(goal(room, { createdAt: at(10) }));
    expect(second).toMatchObject({ created: false, existing: { id: g.id } });
    expect(await store.create(goal(newId()))).toMatchObject({ created: true });
    const next = goal(room, { createdAt: at(700), deadline: at(1300) });
    expect(await store.create(next)).toMatchObject({ created: true, goal: { id: next.id } });
    expect((await store.current(room))?.id).toBe(next.id);
    expect(await store.current(newId())).toBeNull();
  });

  it('contributions add points, raise levels, extend the deadline and reach the target once', async () => {
    const room = newId();
    const g = goal(room);
    await store.create(g);
    const one = await store.contribute({ roomId: room, userId: 'u1', points: 3, at: at(1), levelExtendMs: 60_000 });
    expect(one).toMatchObject({ levelBefore: 0, reachedNow: false, goal: { points: 3, level: 1, deadline: new Date(at(600).getTime() + 60_000) } });
    const two = await store.contribute({ roomId: room, userId: 'u2', points: 6, at: at(2), levelExtendMs: 60_000 });
    expect(two).toMatchObject({ levelBefore: 1, reachedNow: true, goal: { points: 9, level: 4, status: 'reached', reachedAt: at(2) } });
    expect(await store.contribute({ roomId: room, userId: 'u1', points: 1, at: at(3), levelExtendMs: 60_000 })).toBeNull();
    expect(await store.contributors(g.id, 10)).toEqual([{ userId: 'u2', points: 6 }, { userId: 'u1', points: 3 }]);
    expect(await store.current(room)).toMatchObject({ points: 9, status: 'reached', paidAt: null });
    await store.markPaid(g.id, at(4));
    expect((await store.current(room))?.paidAt).toEqual(at(4));
    expect(await store.contribute({ roomId: newId(), userId: 'u1', points: 1, at: at(3), levelExtendMs: 0 })).toBeNull();
  });

  it('refuses contributions after the deadline and cancels only an active goal', async () => {
    const room = newId();
    await store.create(goal(room));
    expect(await store.contribute({ roomId: room, userId: 'u1', points: 1, at: at(600), levelExtendMs: 0 })).toBeNull();
    expect(await store.cancel(room, at(600))).toBeNull();
    const other2 = newId();
    await store.create(goal(other2));
    expect(await store.cancel(other2, at(5))).toMatchObject({ status: 'cancelled' });
    expect(await store.cancel(other2, at(6))).toBeNull();
  });

  it('two processes contributing past the target at once: exactly one reaches it, no point lost', async () => {
    const room = newId();
    await store.create(goal(room, { target: 10 }));
    const racer = await other<GoalStore>('goals');
    const calls = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? store : racer).contribute({ roomId: room, userId: `u${i % 4}`, points: 1, at: at(5), levelExtendMs: 0 }));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r?.reachedNow)).toHaveLength(1);
    expect(results.filter((r) => r !== null)).toHaveLength(10);
    expect((await store.current(room))?.points).toBe(10);
    const contributors = await store.contributors((await store.current(room))!.id, 10);
    expect(contributors.reduce((s, c) => s + c.points, 0)).toBe(10);
  });

  it('two processes creating a goal in one room at once: exactly one is created', async () => {
    const room = newId();
    const racer = await other<GoalStore>('goals');
    const results = await Promise.all([store.create(goal(room)), racer.create(goal(room)), store.create(goal(room)), racer.create(goal(room))]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});
