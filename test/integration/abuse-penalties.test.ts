import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { collect, connectError, emitAck } from '../support/socket.js';
import { PASSWORD, createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, as, registerAdmin } from './engagement-fixtures.js';
import { spendEntry } from '../../server/ledger/entries.js';

/** The penalty ladder over real HTTP and sockets, real Redis, a ManualClock. */
let srv: EarningServer;
let admin: TestUser;
const sockets = socketPool();
const DAY_MS = 86_400_000;

beforeAll(async () => {
  srv = await startEarningServer(PLAIN_MULTIPLIERS, { env: { ADMIN_USERNAMES: 'adm_abuse' } });
  admin = await registerAdmin(srv, 'adm_abuse');
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

let seq = 0;
const penalize = (userId: string, extra: Record<string, unknown> = {}) =>
  as(srv, admin, 'admin').post('/api/admin/penalties', { userId, reason: 'farming', requestId: `p-${++seq}`, ...extra });

async function chatter(user: TestUser) {
  const room = await createRoom(user);
  const socket = await sockets.open(srv, user);
  await joinRoom(socket, room.id);
  let n = 0;
  const send = async () => {
    const ack = await emitAck(socket, 'message:send', { roomId: room.id, clientMessageId: `m-${++n}`, body: `message ${n}` });
    expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
    return (ack as { ok: true; data: { award: { granted: number; reason?: string } } }).data.award;
  };
  return { socket, send };
}

describe('penalty ladder', () => {
  it('warning, 24 h suspension (chat flows, awards refused, then earning again), token reset, ban', async () => {
    const user = await registerUser(srv, 'lad');
    const { socket, send } = await chatter(user);
    const notices = collect(socket, 'penalty:applied');
    expect((await send()).granted).toBeGreaterThan(0);

    const warning = await penalize(user.id, { requestId: 'ladder-1' });
    expect(warning.status, JSON.stringify(warning.body)).toBe(201);
    expect(warning.body.penalty).toMatchObject({ sequence: 1, action: 'warning', suspendedUntil: null, actorId: admin.id });
    // A retry answers the first record; the same id for another penalty is a conflict.
    const retry = await as(srv, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: 'farming', requestId: 'ladder-1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, penalty: { id: warning.body.penalty.id } });
    const conflict = await as(srv, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: 'other', requestId: 'ladder-1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await send()).granted).toBeGreaterThan(0);

    const suspension = await penalize(user.id);
    expect(suspension.body.penalty).toMatchObject({ sequence: 2, action: 'earning_suspension', suspendedUntil: new Date(srv.clock.now().getTime() + DAY_MS).toISOString() });
    expect(await send()).toEqual({ activity: 'send_message', granted: 0, reason: 'EARNING_SUSPENDED' });
    const daily = await as(srv, user).post('/api/tokens/claim-daily');
    expect(JSON.stringify(daily.body)).toContain('EARNING_SUSPENDED');

    srv.clock.advance(DAY_MS - 1);
    expect((await send()).reason).toBe('EARNING_SUSPENDED');
    srv.clock.advance(1);
    expect((await send()).granted).toBeGreaterThan(0);

    const before = await balanceOf(srv, user.id);
    expect(before).toBeGreaterThan(0);
    const reset = await penalize(user.id, { requestId: 'ladder-3' });
    expect(reset.body.penalty).toMatchObject({ sequence: 3, action: 'token_reset', tokensRemoved: before });
    expect(await balanceOf(srv, user.id)).toBe(0);
    const resetAgain = await as(srv, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: 'farming', requestId: 'ladder-3' });
    expect(resetAgain.body).toMatchObject({ duplicate: true, penalty: { tokensRemoved: before } });
    const history = await as(srv, user).get(`/api/tokens/history/${user.id}?kind=penalty`);
    expect(history.body.items).toHaveLength(1);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);

    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const ban = await penalize(user.id);
    expect(ban.body.penalty).toMatchObject({ sequence: 4, action: 'account_ban' });
    expect(await disconnected).toBe('io server disconnect');
    // Told live, each step once (retries are silent), the ban before the socket closed.
    expect(notices.map((e) => [e.action, e.tokensRemoved])).toEqual([
      ['warning', null],
      ['earning_suspension', null],
      ['token_reset', before],
      ['account_ban', null],
    ]);
    expect(notices[1]?.suspendedUntil).toBe(suspension.body.penalty.suspendedUntil);
    const login = await client(srv.url).post('/api/auth/login', { username: user.username, password: PASSWORD });
    expect(login.status).toBe(403);
    const freshToken = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' });
    expect((await connectError(srv.url, { token: freshToken })).message).toBe('FORBIDDEN');
    const after = await penalize(user.id);
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('ALREADY_BANNED');

    const listed = await as(srv, admin, 'admin').get(`/api/admin/penalties/${user.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.standing).toEqual({ suspendedUntil: null, banned: true });
    expect(listed.body.penalties.map((p: { action: string }) => p.action)).toEqual(['warning', 'earning_suspension', 'token_reset', 'account_ban']);

    // A banned account cannot read its notifications any more; they are stored all the same.
    expect((await as(srv, user).get('/api/notifications')).status).toBe(403);
    const stored = await srv.ctx.stores.notifications.list(user.id, { unreadOnly: false, limit: 10 });
    expect(stored.items.filter((n) => n.type === 'penalty').map((n) => n.data['action']).reverse()).toEqual(['warning', 'earning_suspension', 'token_reset', 'account_ban']);
  });

  it('severe bans at once; other users and their sockets are untouched', async () => {
    const bad = await registerUser(srv, 'sev');
    const good = await registerUser(srv, 'good');
    const badSocket = await sockets.open(srv, bad);
    const goodSocket = await sockets.open(srv, good);
    const disconnected = new Promise<void>((resolve) => badSocket.once('disconnect', () => resolve()));
    const ban = await penalize(bad.id, { severe: true });
    expect(ban.status).toBe(201);
    expect(ban.body.penalty).toMatchObject({ sequence: 1, action: 'account_ban', severe: true });
    await disconnected;
    expect(goodSocket.connected).toBe(true);
    expect((await as(srv, good).get(`/api/tokens/balance/${good.id}`)).status).toBe(200);
  });

  it('a token reset of an empty balance writes no entry and keeps the audit clean', async () => {
    const user = await registerUser(srv, 'empty');
    const balance = await balanceOf(srv, user.id);
    expect(balance).toBeGreaterThan(0);
    await srv.ctx.ledger.post(spendEntry(user.id, balance, { idempotencyKey: `test-drain:${user.id}`, activity: 'test' }));
    for (const sequence of [1, 2]) {
      const at = srv.clock.now();
      const inserted = await srv.ctx.abuse.store.insert({ id: srv.ctx.newId(), userId: user.id, sequence, action: 'warning', severe: false, reason: 'r', actorId: admin.id, requestId: `seed-${sequence}`, suspendedUntil: null, createdAt: at });
      expect(inserted.status).toBe('inserted');
    }
    const reset = await penalize(user.id);
    expect(reset.body.penalty).toMatchObject({ sequence: 3, action: 'token_reset', tokensRemoved: 0 });
    const history = await as(srv, user).get(`/api/tokens/history/${user.id}?kind=penalty`);
    expect(history.body.items).toEqual([]);
    expect((await srv.ctx.ledger.audit()).ok).toBe(true);
  });

  it('admins only; unknown users are 404; bad bodies are 400', async () => {
    const user = await registerUser(srv, 'plain');
    const asUser = await user.api.post('/api/admin/penalties', { userId: user.id, reason: 'x', requestId: 'self' });
    expect(asUser.status).toBe(403);
    expect((await user.api.get(`/api/admin/penalties/${user.id}`)).status).toBe(403);
    expect((await penalize('01NOSUCHUSER0000000000000')).status).toBe(404);
    expect((await as(srv, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: '', requestId: 'r' })).status).toBe(400);
    expect(await srv.ctx.abuse.store.list(user.id)).toEqual([]);
  });
});
