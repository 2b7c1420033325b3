import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { emitAck } from '../support/socket.js';
import { PASSWORD, createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, as, registerAdmin } from './engagement-fixtures.js';

/** Admin tools over real HTTP, sockets and Redis, with a ManualClock (docs/operations.md). */
let srv: EarningServer;
let admin: TestUser;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startEarningServer(PLAIN_MULTIPLIERS, { env: { ADMIN_USERNAMES: 'adm_tools' } });
  admin = await registerAdmin(srv, 'adm_tools');
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

let seq = 0;
const rid = (label: string) => `${label}-${++seq}`;
const asAdmin = () => as(srv, admin, 'admin');
const adjust = (userId: string, amount: number, requestId = rid('adj'), reason = 'support ticket 42') =>
  asAdmin().post('/api/admin/adjustments', { userId, amount, reason, requestId });
const balance = async (userId: string) => (await srv.ctx.ledger.account(userId)).balance;

describe('admin-only refusals', () => {
  const routes: Array<[method: 'get' | 'post', path: string, body?: unknown]> = [
    ['get', '/api/admin/users?search=a'],
    ['post', '/api/admin/adjustments', { userId: 'x', amount: 5, reason: 'r', requestId: 'r1' }],
    ['post', '/api/admin/penalties/lift', { userId: 'x', penaltyId: 'p', reason: 'r', requestId: 'r1' }],
    ['post', '/api/admin/bans/lift', { userId: 'x', reason: 'r', requestId: 'r1' }],
    ['get', '/api/admin/audit-log'],
  ];
  it.each(routes)('%s %s: 401 without a token, 403 FORBIDDEN for a user, and nothing written', async (method, path, body) => {
    const user = await registerUser(srv, 'plain');
    const anon = method === 'get' ? await client(srv.url).get(path) : await client(srv.url).post(path, body);
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    const mine = method === 'get' ? await user.api.get(path) : await user.api.post(path, { ...(body as object), userId: user.id });
    expect(mine.status).toBe(403);
    expect(mine.body.error.code).toBe('FORBIDDEN');
    expect((await srv.ctx.admin.auditLog({ targetUserId: user.id, limit: 10 })).items).toEqual([]);
  });
});

describe('GET /api/admin/users', () => {
  it('finds users by username prefix or id, with role, tier, balance, penalties and addresses', async () => {
    const tag = `srch${Date.now().toString(36)}`;
    const a = await registerUser(srv, `${tag}a`);
    const b = await registerUser(srv, `${tag}b`);
    await adjust(b.id, 40);
    const res = await asAdmin().get(`/api/admin/users?search=${tag.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id).sort()).toEqual([a.id, b.id].sort());
    const viewB = res.body.items.find((u: { id: string }) => u.id === b.id);
    expect(viewB).toMatchObject({
      username: b.username,
      role: 'user',
      tier: 'bronze',
      balance: await balance(b.id),
      banned: false,
      penalties: { count: 0, lifted: 0, suspendedUntil: null, banned: false },
      addresses: { registration: '127.0.0.1' },
    });
    const byId = await asAdmin().get(`/api/admin/users?search=${a.id}`);
    expect(byId.body.items[0].id).toBe(a.id);
    expect((await asAdmin().get('/api/admin/users?limit=1')).body.items).toHaveLength(1);
    const bad = await asAdmin().get('/api/admin/users?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /api/admin/adjustments', () => {
  it('corrects a balance both ways with one balanced entry, idempotently, never below zero', async () => {
    const user = await registerUser(srv, 'adj');
    const start = await balance(user.id);
    const added = await adjust(user.id, 30, 'adj-fixed-1', 'refund for outage');
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.adjustment).toMatchObject({ userId: user.id, amount: 30, balance: start + 30, adjustedBy: admin.id, duplicate: false, reason: 'refund for outage' });
    const entry = await srv.ctx.ledger.findByIdempotencyKey('admin:adjustment:adj-fixed-1');
    expect(entry?.kind).toBe('adjustment');
    expect(entry?.legs).toEqual(expect.arrayContaining([{ account: 'system:adjustments', amount: -30 }, { account: `user:${user.id}`, amount: 30 }]));

    const retry = await adjust(user.id, 30, 'adj-fixed-1', 'refund for outage');
    expect(retry.status).toBe(200);
    expect(retry.body.adjustment).toMatchObject({ duplicate: true, entryId: added.body.adjustment.entryId, auditId: added.body.adjustment.auditId });
    const conflict = await adjust(user.id, 31, 'adj-fixed-1');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');

    const tooMuch = await adjust(user.id, -(start + 31));
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', details: { balance: start + 30 } });
    expect(await balance(user.id)).toBe(start + 30);
    const toZero = await adjust(user.id, -(start + 30));
    expect(toZero.status).toBe(201);
    expect(toZero.body.adjustment.balance).toBe(0);

    for (const amount of [0, 1.5, 'ten']) {
      const bad = await adjust(user.id, amount as number);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
    const nobody = await adjust('no-such-user', 5);
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('USER_NOT_FOUND');

    // The audit still passes: adjustments count as minted (net added) or burned (net removed).
    const audit = await srv.ctx.ledger.audit();
    expect(audit.violations).toEqual([]);
    expect(audit.minted - audit.burned).toBe(audit.userBalanceSum);
    const analytics = await asAdmin().get('/api/admin/analytics');
    expect(analytics.body.supply.totalIssued - analytics.body.supply.totalBurned).toBe(analytics.body.supply.inCirculation);
    await srv.ctx.supply.refresh();
    expect(await srv.ctx.metrics.supplyInvariantOk.get()).toMatchObject({ values: [{ value: 1 }] });

    // Shown to the user: in their token history (with the reason) and as a notification.
    const history = await user.api.get(`/api/tokens/history/${user.id}?kind=adjustment`);
    expect(history.body.items.map((i: { amount: number; message: string; actorId: string }) => [i.amount, i.message, i.actorId])).toEqual([
      [-(start + 30), 'support ticket 42', admin.id],
      [30, 'refund for outage', admin.id],
    ]);
    const notes = await user.api.get('/api/notifications');
    const adminNotes = notes.body.items.filter((n: { type: string }) => n.type === 'admin_action');
    expect(adminNotes).toHaveLength(2);
    expect(adminNotes[1].data).toMatchObject({ action: 'adjustment', reason: 'refund for outage', details: { amount: 30 } });
  });

  it('two concurrent retries of one request write one entry and one audit record', async () => {
    const user = await registerUser(srv, 'race');
    const requestId = rid('race');
    const [x, y] = await Promise.all([adjust(user.id, 12, requestId), adjust(user.id, 12, requestId)]);
    expect([x.status, y.status].sort()).toEqual([200, 201]);
    expect(x.body.adjustment.entryId).toBe(y.body.adjustment.entryId);
    expect((await srv.ctx.admin.auditLog({ targetUserId: user.id, limit: 10 })).items).toHaveLength(1);
  });
});

describe('lifting penalties and bans', () => {
  const penalize = (userId: string, extra: Record<string, unknown> = {}) =>
    asAdmin().post('/api/admin/penalties', { userId, reason: 'farming', requestId: rid('pen'), ...extra });
  const lift = (userId: string, penaltyId: string, requestId = rid('lift')) =>
    asAdmin().post('/api/admin/penalties/lift', { userId, penaltyId, reason: 'appeal accepted', requestId });

  it('a lifted earning suspension no longer refuses awards; the lift is idempotent and audited', async () => {
    const user = await registerUser(srv, 'susp');
    await penalize(user.id);
    const suspension = (await penalize(user.id)).body.penalty;
    expect(suspension.action).toBe('earning_suspension');
    const room = await createRoom(user);
    const socket = await sockets.open(srv, user);
    await joinRoom(socket, room.id);
    let n = 0;
    const send = async () => {
      srv.clock.advance(60_000);
      const ack = await emitAck(socket, 'message:send', { roomId: room.id, clientMessageId: `m-${++n}`, body: `message ${n}` });
      return (ack as { ok: true; data: { award: { granted: number; reason?: string } } }).data.award;
    };
    expect((await send()).reason).toBe('EARNING_SUSPENDED');

    const lifted = await lift(user.id, suspension.id, 'lift-susp-1');
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(201);
    expect(lifted.body.penalty).toMatchObject({ id: suspension.id, liftedAt: srv.clock.now().toISOString() });
    expect((await send()).granted).toBeGreaterThan(0);

    expect((await lift(user.id, suspension.id, 'lift-susp-1')).status).toBe(200);
    const again = await lift(user.id, suspension.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PENALTY_ALREADY_LIFTED');
    const unknown = await lift(user.id, 'no-such-penalty');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PENALTY_NOT_FOUND');

    const listed = await asAdmin().get(`/api/admin/penalties/${user.id}`);
    expect(listed.body.standing).toEqual({ suspendedUntil: null, banned: false });
    const log = await asAdmin().get(`/api/admin/audit-log?userId=${user.id}&action=penalty_lift`);
    expect(log.body.items).toEqual([expect.objectContaining({ action: 'penalty_lift', actorId: admin.id, targetUserId: user.id, subjectId: suspension.id, reason: 'appeal accepted', requestId: 'lift-susp-1' })]);
  });

  it('a ban lift lets the account log in again and earns its place in the audit log', async () => {
    const user = await registerUser(srv, 'banned');
    expect((await penalize(user.id, { severe: true })).body.penalty.action).toBe('account_ban');
    const login = () => client(srv.url).post('/api/auth/login', { username: user.username, password: PASSWORD });
    expect((await login()).status).toBe(403);

    const unban = await asAdmin().post('/api/admin/bans/lift', { userId: user.id, reason: 'mistaken identity', requestId: 'unban-1' });
    expect(unban.status, JSON.stringify(unban.body)).toBe(201);
    expect((await login()).status).toBe(200);
    expect((await asAdmin().post('/api/admin/bans/lift', { userId: user.id, reason: 'mistaken identity', requestId: 'unban-1' })).status).toBe(200);
    const notBanned = await asAdmin().post('/api/admin/bans/lift', { userId: user.id, reason: 'again', requestId: 'unban-2' });
    expect(notBanned.status).toBe(409);
    expect(notBanned.body.error.code).toBe('NOT_BANNED');
    // The ladder goes on from where it was: the next penalty is a new step, not "already banned".
    expect((await penalize(user.id)).status).toBe(201);

    const log = await asAdmin().get(`/api/admin/audit-log?userId=${user.id}`);
    expect(log.body.items.map((r: { action: string }) => r.action)).toEqual(['ban_lift']);
    const notes = await srv.ctx.stores.notifications.list(user.id, { unreadOnly: false, limit: 10 });
    expect(notes.items.some((n) => n.type === 'admin_action' && n.data['action'] === 'ban_lift')).toBe(true);
  });

  it('the audit log pages newest first and filters by action', async () => {
    const user = await registerUser(srv, 'pages');
    for (let i = 0; i < 3; i++) await adjust(user.id, 1 + i);
    const first = await asAdmin().get(`/api/admin/audit-log?userId=${user.id}&limit=2`);
    expect(first.body.items.map((r: { details: { amount: number } }) => r.details.amount)).toEqual([3, 2]);
    const second = await asAdmin().get(`/api/admin/audit-log?userId=${user.id}&limit=2&before=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [expect.objectContaining({ details: { amount: 1 } })], nextCursor: null });
    const onlyAdjustments = await asAdmin().get('/api/admin/audit-log?action=adjustment&limit=100');
    expect(onlyAdjustments.body.items.every((r: { action: string }) => r.action === 'adjustment')).toBe(true);
    expect((await asAdmin().get('/api/admin/audit-log?action=delete_everything')).status).toBe(400);
  });
});
