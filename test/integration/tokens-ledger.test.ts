import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser, type TestUser } from './chat-fixtures.js';
import { earnEntry, giftEntry } from '../../server/ledger/entries.js';
import type { AccountState } from '../../server/ledger/ports.js';

/** The ledger's HTTP surface: who may see what, and every bad award input refused without a write. */
let srv: TestServer;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
/** Registration may itself pay an award (the earning engine); the checks below are relative to it. */
let aliceStart: AccountState;
let bobStart: AccountState;

async function makeAdmin(srv: TestServer): Promise<TestUser> {
  const user = await registerUser(srv, 'admin');
  await srv.ctx.stores.users.setRole(user.id, 'admin');
  const token = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'admin' });
  return { ...user, token, api: client(srv.url, token) };
}

beforeAll(async () => {
  srv = await startTestServer();
  alice = await registerUser(srv, 'alice');
  bob = await registerUser(srv, 'bob');
  admin = await makeAdmin(srv);
  aliceStart = await srv.ctx.ledger.account(alice.id);
  bobStart = await srv.ctx.ledger.account(bob.id);
  await srv.ctx.ledger.post(earnEntry(alice.id, 50, { idempotencyKey: `earn:test:${alice.id}`, activity: 'send_message', roomId: 'room-1' }));
  await srv.ctx.ledger.post(giftEntry(alice.id, bob.id, 20, { idempotencyKey: `gift:${alice.id}:r1`, message: 'thanks', roomId: 'room-1' }));
});

afterAll(async () => {
  await srv.stop();
});

describe('GET /api/tokens/balance/:id', () => {
  it('shows the user their own balance and counters', async () => {
    const res = await alice.api.get(`/api/tokens/balance/${alice.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: alice.id,
      balance: aliceStart.balance + 30,
      totalEarned: aliceStart.totalEarned + 50,
      totalSpent: aliceStart.totalSpent,
      totalGifted: aliceStart.totalGifted + 20,
      totalReceived: aliceStart.totalReceived,
    });
  });

  it('lets an admin see anyone', async () => {
    const res = await admin.api.get(`/api/tokens/balance/${bob.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ balance: bobStart.balance + 20, totalReceived: bobStart.totalReceived + 20 });
  });

  it('refuses another user with 403 and no token with 401', async () => {
    expect((await bob.api.get(`/api/tokens/balance/${alice.id}`)).status).toBe(403);
    const anon = await client(srv.url).get(`/api/tokens/balance/${alice.id}`);
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 404 for an unknown user (admin)', async () => {
    const res = await admin.api.get('/api/tokens/balance/no-such-user');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
  });
});

describe('GET /api/tokens/history/:id', () => {
  it('pages the user own history with signed amounts and the gift counterpart', async () => {
    const res = await alice.api.get(`/api/tokens/history/${alice.id}?limit=1`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ kind: 'gift', amount: -20, counterpartId: bob.id, message: 'thanks', roomId: 'room-1' });
    const next = await alice.api.get(`/api/tokens/history/${alice.id}?limit=1&before=${res.body.nextCursor}`);
    expect(next.body.items[0]).toMatchObject({ kind: 'earn', amount: 50, activity: 'send_message' });
    // Walking the cursor to the end visits every entry once, newest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await alice.api.get(
        `/api/tokens/history/${alice.id}?limit=1${cursor ? `&before=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 50);
    const all = await alice.api.get(`/api/tokens/history/${alice.id}?limit=50`);
    expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));
    expect(new Set(seen).size).toBe(seen.length);
    const bobs = await bob.api.get(`/api/tokens/history/${bob.id}?kind=gift`);
    expect(bobs.body.items[0]).toMatchObject({ kind: 'gift', amount: 20, counterpartId: alice.id });
  });

  it('filters by kind', async () => {
    const res = await alice.api.get(`/api/tokens/history/${alice.id}?kind=earn`);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((i: { kind: string }) => i.kind === 'earn')).toBe(true);
    expect(res.body.items).toContainEqual(expect.objectContaining({ amount: 50, activity: 'send_message' }));
    expect((await alice.api.get(`/api/tokens/history/${alice.id}?kind=bogus`)).status).toBe(400);
    expect((await alice.api.get(`/api/tokens/history/${alice.id}?limit=0`)).status).toBe(400);
  });

  it('is for the user themself or an admin only', async () => {
    expect((await admin.api.get(`/api/tokens/history/${alice.id}`)).status).toBe(200);
    expect((await bob.api.get(`/api/tokens/history/${alice.id}`)).status).toBe(403);
    expect((await client(srv.url).get(`/api/tokens/history/${alice.id}`)).status).toBe(401);
    const unknown = await admin.api.get('/api/tokens/history/no-such-user');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
  });
});

describe('POST /api/tokens/award', () => {
  it('mints for a user, records the admin as actor, and is idempotent per requestId', async () => {
    const user = await registerUser(srv, 'carol');
    const start = await srv.ctx.ledger.account(user.id);
    const body = { userId: user.id, amount: 25, reason: 'contest winner', requestId: 'award-1' };
    const first = await admin.api.post('/api/tokens/award', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.award).toMatchObject({
      userId: user.id,
      amount: 25,
      awardedBy: admin.id,
      duplicate: false,
      account: { balance: start.balance + 25, totalEarned: start.totalEarned + 25 },
    });
    const again = await admin.api.post('/api/tokens/award', body);
    expect(again.status).toBe(200);
    expect(again.body.award).toMatchObject({ entryId: first.body.award.entryId, duplicate: true, account: { balance: start.balance + 25 } });
    const conflict = await admin.api.post('/api/tokens/award', { ...body, amount: 26 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    const history = await user.api.get(`/api/tokens/history/${user.id}?kind=award`);
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'award', amount: 25, actorId: admin.id, message: 'contest winner' })]);
  });

  it('is refused to everyone but admins, and writes nothing', async () => {
    const body = { userId: alice.id, amount: 5, reason: 'self-serve', requestId: 'sneaky-1' };
    const before = await srv.ctx.ledger.account(alice.id);
    const self = await alice.api.post('/api/tokens/award', body);
    expect(self.status).toBe(403);
    expect((await bob.api.post('/api/tokens/award', body)).status).toBe(403);
    expect((await client(srv.url).post('/api/tokens/award', body)).status).toBe(401);
    expect(await srv.ctx.ledger.account(alice.id)).toEqual(before);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['fractional', 1.5],
    ['huge', 1e15],
    ['non-numeric', 'ten'],
    ['numeric string', '10'],
    ['missing', undefined],
  ])('refuses a %s amount with 400 and no write', async (_label, amount) => {
    const before = await srv.ctx.ledger.audit();
    const res = await admin.api.post('/api/tokens/award', { userId: bob.id, amount, reason: 'bad', requestId: `bad-${String(_label).replace(/\W/g, '')}` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await srv.ctx.ledger.audit()).entries).toBe(before.entries);
  });

  it('refuses a missing or malformed requestId, a missing reason, and an unknown user', async () => {
    const ok = { userId: bob.id, amount: 3, reason: 'r', requestId: 'fine-1' };
    const before = await srv.ctx.ledger.account(bob.id);
    const { requestId: _omit, ...noRequestId } = ok;
    expect((await admin.api.post('/api/tokens/award', noRequestId)).status).toBe(400);
    expect((await admin.api.post('/api/tokens/award', { ...ok, requestId: 'has spaces' })).status).toBe(400);
    expect((await admin.api.post('/api/tokens/award', { ...ok, reason: '' })).status).toBe(400);
    expect((await admin.api.post('/api/tokens/award', [ok])).status).toBe(400);
    const unknown = await admin.api.post('/api/tokens/award', { ...ok, userId: 'no-such-user' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
    expect(await srv.ctx.ledger.account(bob.id)).toEqual(before);
  });
});

describe('GET /api/admin/ledger/audit', () => {
  it('reports a clean ledger to an admin', async () => {
    const res = await admin.api.get('/api/admin/ledger/audit');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, violations: [] });
    expect(res.body.minted).toBe(res.body.userBalanceSum + res.body.burned);
  });

  it('is for admins only', async () => {
    expect((await alice.api.get('/api/admin/ledger/audit')).status).toBe(403);
    expect((await client(srv.url).get('/api/admin/ledger/audit')).status).toBe(401);
  });

  it('names the offending account when a balance no longer matches the journal', async () => {
    const other = await startTestServer();
    try {
      const user = await registerUser(other, 'dave');
      const boss = await makeAdmin(other);
      await other.ctx.ledger.post(earnEntry(user.id, 10, { idempotencyKey: `earn:test:${user.id}`, activity: 'x' }));
      if (other.backend.kind !== 'sqlite') throw new Error('this test corrupts the SQLite file directly');
      const { balance } = await other.ctx.ledger.account(user.id);
      other.backend.db.prepare('UPDATE ledger_accounts SET balance = balance + 1 WHERE account = ?').run(`user:${user.id}`);
      const res = await boss.api.get('/api/admin/ledger/audit');
      expect(res.body.ok).toBe(false);
      expect(res.body.violations).toContainEqual({ rule: 'balance_mismatch', account: `user:${user.id}`, expected: balance, actual: balance + 1 });
    } finally {
      await other.stop();
    }
  });
});
