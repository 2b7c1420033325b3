import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendEntry } from '../../server/ledger/entries.js';
import { client } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { fundTo, makeAdmin, rid } from './gifts-fixtures.js';

/**
 * GET /api/leaderboard/tokens over real HTTP: lifetime earned is public, balances are for admins,
 * banned users are left out, ties share a rank.
 */
let srv: TestServer;
let admin: TestUser;
let top: TestUser, tied: TestUser, mid: TestUser, spender: TestUser, banned: TestUser;
let R = 0;

beforeAll(async () => {
  srv = await startTestServer();
  admin = await makeAdmin(srv);
  [top, tied, mid, spender, banned] = [await registerUser(srv, 'top'), await registerUser(srv, 'tied'), await registerUser(srv, 'mid'), await registerUser(srv, 'spender'), await registerUser(srv, 'banned')];
  R = (await srv.ctx.ledger.account(admin.id)).balance;
  // Lifetime earned: top and tied R+300 (tie), mid R+100, spender R+50, banned R+500; admin R.
  await fundTo(admin, top, R + 300);
  await fundTo(admin, tied, R + 300);
  await fundTo(admin, mid, R + 100);
  await fundTo(admin, spender, R + 50);
  await fundTo(admin, banned, R + 500);
  // The spender keeps 5 tokens: high on lifetime earned, last on balance.
  expect((await srv.ctx.ledger.post(spendEntry(spender.id, R + 45, { idempotencyKey: rid('spend'), activity: 'shop:frame' }))).status).toBe('posted');
  await srv.ctx.stores.users.setBanned(banned.id, srv.ctx.clock.now());
});

afterAll(async () => {
  await srv.stop();
});

const ids = (body: { items: Array<{ user: { id: string } }> }) => body.items.map((i) => i.user.id);
/** Ties are ordered by account id, so the two R+300 users come in id order. */
const byId = (x: TestUser, y: TestUser): [TestUser, TestUser] => (`user:${x.id}` < `user:${y.id}` ? [x, y] : [y, x]);

describe('GET /api/leaderboard/tokens', () => {
  it('ranks by lifetime earned for anyone, anonymous included, with tier and badge', async () => {
    const [first, second] = byId(top, tied);
    const res = await client(srv.url).get('/api/leaderboard/tokens');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.by).toBe('earned');
    expect(ids(res.body)).toEqual([first.id, second.id, mid.id, spender.id, admin.id]);
    expect(res.body.items.map((i: { rank: number; value: number }) => [i.rank, i.value])).toEqual([
      [1, R + 300],
      [1, R + 300],
      [3, R + 100],
      [4, R + 50],
      [5, R],
    ]);
    for (const item of res.body.items) {
      expect(item.user).toEqual({ id: expect.any(String), username: expect.any(String), tier: expect.any(String), badge: expect.any(String) });
    }
    expect(res.body.items[2].user.username).toBe(mid.username);
    const limited = await mid.api.get('/api/leaderboard/tokens?by=earned&limit=3');
    expect(limited.status).toBe(200);
    expect(ids(limited.body)).toEqual([first.id, second.id, mid.id]);
  });

  it('ranks by balance for admins only: anonymous 401, a user 403', async () => {
    const anonymous = await client(srv.url).get('/api/leaderboard/tokens?by=balance');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const user = await top.api.get('/api/leaderboard/tokens?by=balance');
    expect(user.status).toBe(403);
    expect(user.body.error.code).toBe('FORBIDDEN');
    const res = await admin.api.get('/api/leaderboard/tokens?by=balance');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [first, second] = byId(top, tied);
    expect(ids(res.body)).toEqual([first.id, second.id, mid.id, admin.id, spender.id]);
    expect(res.body.items.map((i: { value: number }) => i.value)).toEqual([R + 300, R + 300, R + 100, R, 5]);
  });

  it('refuses a bad token, an unknown basis and an out-of-range limit', async () => {
    expect((await client(srv.url, 'not-a-token').get('/api/leaderboard/tokens')).status).toBe(401);
    for (const q of ['by=richest', 'limit=0', 'limit=101', 'limit=abc']) {
      const res = await client(srv.url).get(`/api/leaderboard/tokens?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('fills the board past banned users when they sit on the first page', async () => {
    // limit=1: the top account (banned, R+500) is read and dropped, the next page fills the row.
    const res = await client(srv.url).get('/api/leaderboard/tokens?limit=1');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ rank: 1, value: R + 300 });
    expect(ids(res.body)).not.toContain(banned.id);
  });
});
