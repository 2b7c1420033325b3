import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import type { ManualClock } from '../../server/lib/clock.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { makeAdmin, overridesFile } from './gifts-fixtures.js';
import { chatter, defineRealTimeSeason, defineSeason, expectAuditOk, NO_SWEEP, untilClosable } from './seasons-fixtures.js';
import { SEASON_SETTLE_MS } from '../../server/seasons/rules.js';
import { SEASON_EVENTS_CACHE_MS } from '../../server/seasons/season-events.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

/**
 * Three chatters in one room, joined before any season starts (so their join awards count in
 * none). On a manual clock the clock then moves on; on the real clock time has moved by itself.
 */
async function threeChatters(srv: TestServer & { clock?: ManualClock }) {
  const [a, b, c] = [await registerUser(srv, 'sa'), await registerUser(srv, 'sb'), await registerUser(srv, 'sc')];
  const room = await createRoom(a);
  const socks = [await sockets.open(srv, a), await sockets.open(srv, b), await sockets.open(srv, c)];
  for (const s of socks.slice(1)) await joinRoom(s, room.id);
  // The season starts after these awards: they are not season earnings.
  srv.clock?.advance(1000);
  return { users: [a, b, c] as [TestUser, TestUser, TestUser], socks, room };
}

describe('seasons on one node (SQLite)', () => {
  let srv: EarningServer;
  let admin: TestUser;
  beforeAll(async () => {
    srv = await startEarningServer(NO_SWEEP);
    admin = await makeAdmin(srv);
  });
  afterAll(() => srv.stop());

  it('refuses bad definitions and non-admins, writing nothing', async () => {
    const user = await registerUser(srv, 'plain');
    const now = srv.clock.now().getTime();
    const body = { name: 'S', startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), rewards: [] };
    const before = (await admin.api.get('/api/seasons')).body.items.length;
    expect((await user.api.post('/api/admin/seasons', body)).body.error.code).toBe('FORBIDDEN');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...body, endsAt: body.startsAt }, 'endsAt'],
      [{ ...body, startsAt: new Date(now - 7_200_000).toISOString(), endsAt: new Date(now - 3_600_000).toISOString() }, 'endsAt'],
      [{ ...body, multiplier: 1.0005 }, 'multiplier'],
      [{ ...body, rewards: [{ fromRank: 1, toRank: 3, tokens: 10 }, { fromRank: 3, toRank: 5, tokens: 5 }] }, 'rewards'],
      [{ ...body, rewards: [{ fromRank: 1, toRank: 100, tokens: 1000 }] }, 'rewards'],
      [{ ...body, rewards: [{ fromRank: 1, toRank: 500, tokens: 1 }] }, 'rewards'],
    ];
    for (const [bad, field] of cases) {
      const res = await admin.api.post('/api/admin/seasons', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error)).toContain(field);
    }
    expect((await admin.api.post('/api/admin/seasons', { ...body, name: '' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await admin.api.get('/api/seasons')).body.items.length).toBe(before);
    expect((await user.api.get('/api/seasons/nope')).body.error.code).toBe('SEASON_NOT_FOUND');
    expect((await user.api.get('/api/seasons/nope/leaderboard')).body.error.code).toBe('SEASON_NOT_FOUND');
    expect((await admin.api.post('/api/admin/seasons/nope/close')).body.error.code).toBe('SEASON_NOT_FOUND');
    expect((await user.api.get('/api/users/nope/seasons')).body.error.code).toBe('USER_NOT_FOUND');
    expect((await user.api.get('/api/seasons/nope/leaderboard?limit=0')).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('applies the multiplier inside the window, ranks season earnings, closes once and keeps the best season', async () => {
    const { users, socks, room } = await threeChatters(srv);
    const season = await defineSeason(admin, srv, { minutes: 60, multiplier: 2, rewards: [{ fromRank: 1, toRank: 1, tokens: 100 }, { fromRank: 2, toRank: 3, tokens: 30 }] });
    expect(season.status).toBe('running');
    // send_message pays 1 token; x2 inside the season.
    const earned = [await chatter(socks[0]!, room.id, 5, 'a1'), await chatter(socks[1]!, room.id, 3, 'b1'), await chatter(socks[2]!, room.id, 1, 'c1')];
    expect(earned).toEqual([10, 6, 2]);

    const live = await users[1].api.get(`/api/seasons/${season.id}/leaderboard`);
    expect(live.status).toBe(200);
    expect(live.body.source).toBe('live');
    expect(live.body.items.map((r: { userId: string; earned: number; rank: number; reward: number }) => [r.userId, r.earned, r.rank, r.reward])).toEqual([
      [users[0].id, 10, 1, 100],
      [users[1].id, 6, 2, 30],
      [users[2].id, 2, 3, 30],
    ]);
    expect((await admin.api.post(`/api/admin/seasons/${season.id}/close`)).body.error.code).toBe('SEASON_NOT_ENDED');

    // After the end: no multiplier (once this node's cached read expires), and earnings no longer count.
    srv.clock.advance(60 * 60_000 + SEASON_SETTLE_MS + SEASON_EVENTS_CACHE_MS);
    expect(await chatter(socks[2]!, room.id, 1, 'c2')).toBe(1);
    const before = await Promise.all(users.map((u) => balanceOf(srv, u.id)));

    const first = await admin.api.post(`/api/admin/seasons/${season.id}/close`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ archivedNow: true, rewardsPosted: 3, rewardsRefused: 0, season: { status: 'closed' } });
    const again = await admin.api.post(`/api/admin/seasons/${season.id}/close`);
    expect(again.body).toMatchObject({ archivedNow: false, rewardsPosted: 0 });
    const after = await Promise.all(users.map((u) => balanceOf(srv, u.id)));
    expect(after.map((b, i) => b - before[i]!)).toEqual([100, 30, 30]);

    const archived = await users[2].api.get(`/api/seasons/${season.id}/leaderboard`);
    expect(archived.body.source).toBe('archived');
    expect(archived.body.items.map((r: { earned: number }) => r.earned)).toEqual([10, 6, 2]);

    const best = await users[2].api.get(`/api/users/${users[0].id}/seasons`);
    expect(best.body.best).toMatchObject({ seasonId: season.id, rank: 1, earned: 10 });
    expect(best.body.achievements.map((a: { id: string }) => a.id)).toEqual(['season_top_10']);
    await expectAuditOk(srv);
  });

  it('closing many times at once pays each reward once (race)', async () => {
    const { socks, room, users } = await threeChatters(srv);
    const season = await defineSeason(admin, srv, { minutes: 30, rewards: [{ fromRank: 1, toRank: 3, tokens: 25 }] });
    await chatter(socks[0]!, room.id, 2, 'r-a');
    await chatter(socks[1]!, room.id, 1, 'r-b');
    srv.clock.advance(30 * 60_000 + SEASON_SETTLE_MS);
    const before = await Promise.all(users.map((u) => balanceOf(srv, u.id)));
    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () => admin.api.post(`/api/admin/seasons/${season.id}/close`)),
      users[2].api.get(`/api/seasons/${season.id}`), // the lazy close on read
    ]);
    const closes = runs.slice(0, 4).map((r) => r.body);
    // The lazy read may archive first; at most one of the admin runs archives.
    expect(closes.filter((c) => c.archivedNow).length).toBeLessThanOrEqual(1);
    expect(closes.every((c) => c.season.status === 'closed')).toBe(true);
    const after = await Promise.all(users.map((u) => balanceOf(srv, u.id)));
    expect(after.map((b, i) => b - before[i]!)).toEqual([25, 25, 0]);
    const entries = await srv.ctx.ledger.history(users[0].id, { kind: 'award', limit: 50 });
    expect(entries.items.filter((e) => e.metadata['seasonId'] === season.id)).toHaveLength(1);
    await expectAuditOk(srv);
  });
});

/**
 * Node B is a separate process (server/main.ts, issue 15), reached only over HTTP; a process has
 * no manual clock, so both nodes run on the real clock with seasons a few seconds long, and each
 * test waits for the instant its season may close. Balances and the audit are read on node A.
 */
describe('seasons on two nodes sharing Redis and the database', () => {
  /** Long enough for the test's few messages to land inside it on a loaded machine. */
  const SEASON_SECONDS = 8;
  let a: TestServer;
  let b: NodeProcess;
  let admin: TestUser;
  useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile(NO_SWEEP) }, async (nodes) => {
    ({ a, b } = nodes);
    admin = await makeAdmin(a);
  });

  it('two nodes closing the same season at once pay each reward once', async () => {
    const { users, socks, room } = await threeChatters(a);
    const season = await defineRealTimeSeason(admin, { seconds: SEASON_SECONDS, rewards: [{ fromRank: 1, toRank: 2, tokens: 40 }] });
    await chatter(socks[0]!, room.id, 3, 'n-a');
    await chatter(socks[1]!, room.id, 2, 'n-b');
    expect(Date.now(), 'the messages landed after the season ended').toBeLessThan(Date.parse(season.endsAt));
    await untilClosable(season);
    const before = await Promise.all(users.map((u) => balanceOf(a, u.id)));
    const onB = { ...admin, api: client(b.url, admin.token) };
    const results = await Promise.all([admin.api.post(`/api/admin/seasons/${season.id}/close`), onB.api.post(`/api/admin/seasons/${season.id}/close`), admin.api.post(`/api/admin/seasons/${season.id}/close`), onB.api.post(`/api/admin/seasons/${season.id}/close`)]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(results.filter((r) => r.body.archivedNow)).toHaveLength(1);
    expect(results.reduce((n, r) => n + (r.body.rewardsPosted as number), 0)).toBe(2);
    const after = await Promise.all(users.map((u) => balanceOf(a, u.id)));
    expect(after.map((x, i) => x - before[i]!)).toEqual([40, 40, 0]);
    await expectAuditOk(a);
  });

  it('a season defined on one node is read, ranked and closed lazily on the other', async () => {
    const { users, socks, room } = await threeChatters(a);
    const season = await defineRealTimeSeason(admin, { seconds: SEASON_SECONDS, rewards: [{ fromRank: 1, toRank: 1, tokens: 15 }] });
    await chatter(socks[2]!, room.id, 2, 'l-c');
    const onB = client(b.url, users[0].token);
    const live = await onB.get(`/api/seasons/${season.id}/leaderboard`);
    expect(Date.now(), 'the live read came after the season ended').toBeLessThan(Date.parse(season.endsAt));
    expect(live.body.items[0]).toMatchObject({ userId: users[2].id, earned: 2 });
    await untilClosable(season);
    const read = await onB.get(`/api/seasons/${season.id}`);
    expect(read.body.season.status).toBe('closed');
    expect((await onB.get(`/api/users/${users[2].id}/seasons`)).body.best).toMatchObject({ seasonId: season.id, rank: 1 });
    await expectAuditOk(a);
  });
});

describe('the season sweeper', () => {
  it('closes an ended season on its own', async () => {
    const srv = await startEarningServer({ seasons: { closeCheckSeconds: 1 } });
    try {
      const admin = await makeAdmin(srv);
      const { socks, room, users } = await threeChatters(srv);
      const season = await defineSeason(admin, srv, { minutes: 1, rewards: [{ fromRank: 1, toRank: 1, tokens: 9 }] });
      await chatter(socks[1]!, room.id, 1, 'sw');
      srv.clock.advance(60_000 + SEASON_SETTLE_MS);
      const deadline = Date.now() + 5000;
      while ((await srv.ctx.ledger.history(users[1].id, { kind: 'award', limit: 10 })).items.every((e) => e.metadata['seasonId'] !== season.id)) {
        if (Date.now() > deadline) throw new Error('the sweeper did not close the season');
        await new Promise((r) => setTimeout(r, 100));
      }
      await expectAuditOk(srv);
    } finally {
      await srv.stop();
    }
  });
});
