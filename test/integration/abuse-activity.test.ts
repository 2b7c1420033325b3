import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, as, registerAdmin, registerFrom } from './engagement-fixtures.js';

/**
 * Fake activity (TOO_FAST), farming patterns (DUPLICATE_CONTENT) and accounts per IP, over real
 * sockets and HTTP: with the Redis script and with the in-process guard.
 */
const ANTI_ABUSE = {
  ...PLAIN_MULTIPLIERS,
  antiAbuse: { fakeActivity: { minMessageIntervalMs: 1000, duplicateWindowMs: 60_000 }, multipleAccounts: { accountsPerIpDaily: 2 } },
};

describe.each([
  { name: 'Redis', redis: true, ip: '127.0.0.21' },
  { name: 'in process', redis: false, ip: '127.0.0.22' },
])('anti-abuse award checks ($name)', ({ redis, ip }) => {
  let srv: EarningServer;
  const sockets = socketPool();
  const admin = `adm_act_${redis ? 'r' : 'm'}`;

  beforeAll(async () => {
    srv = await startEarningServer(ANTI_ABUSE, { redis, env: { ADMIN_USERNAMES: admin } });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await srv.stop();
  });

  it('a message too soon still reaches the room but earns TOO_FAST; a repeated body earns DUPLICATE_CONTENT', async () => {
    const author = await registerUser(srv, 'fast');
    const reader = await registerUser(srv, 'read');
    const room = await createRoom(author);
    const authorSocket = await sockets.open(srv, author);
    const readerSocket = await sockets.open(srv, reader);
    await joinRoom(authorSocket, room.id);
    await joinRoom(readerSocket, room.id);
    let n = 0;
    const send = async (body: string) => {
      const received = waitFor(readerSocket, 'message:new');
      const ack = await emitAck(authorSocket, 'message:send', { roomId: room.id, clientMessageId: `c-${++n}`, body });
      expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
      expect((await received).body).toBe(body);
      return (ack as { ok: true; data: { award: { granted: number; reason?: string } } }).data.award;
    };

    expect((await send('first words')).granted).toBe(1);
    expect(await send('second words')).toEqual({ activity: 'send_message', granted: 0, reason: 'TOO_FAST' });
    srv.clock.advance(999);
    // Measured from the previous message, rewarded or not: a steady flood keeps earning nothing.
    expect((await send('third words')).reason).toBe('TOO_FAST');
    srv.clock.advance(1000);
    expect(await send('first words')).toEqual({ activity: 'send_message', granted: 0, reason: 'DUPLICATE_CONTENT' });
    srv.clock.advance(1000);
    // Ciphertext is compared as it is: the same opaque string is the same content.
    expect((await send('ZW5jcnlwdGVk:nonce1')).granted).toBe(1);
    srv.clock.advance(1000);
    expect((await send('ZW5jcnlwdGVk:nonce1')).reason).toBe('DUPLICATE_CONTENT');
    srv.clock.advance(60_000);
    expect((await send('first words')).granted).toBe(1);

    const history = await as(srv, author).get(`/api/tokens/history/${author.id}?kind=earn`);
    expect(history.body.items.filter((e: { activity: string }) => e.activity === 'send_message')).toHaveLength(3);
  });

  it('another user may say the same thing at the same moment', async () => {
    const a = await registerUser(srv, 'same_a');
    const b = await registerUser(srv, 'same_b');
    const room = await createRoom(a);
    const sa = await sockets.open(srv, a);
    const sb = await sockets.open(srv, b);
    await joinRoom(sa, room.id);
    await joinRoom(sb, room.id);
    const [acka, ackb] = await Promise.all([
      emitAck(sa, 'message:send', { roomId: room.id, clientMessageId: 'x', body: 'gm' }),
      emitAck(sb, 'message:send', { roomId: room.id, clientMessageId: 'x', body: 'gm' }),
    ]);
    expect(acka).toMatchObject({ ok: true, data: { award: { granted: 1 } } });
    expect(ackb).toMatchObject({ ok: true, data: { award: { granted: 1 } } });
  });

  it('accounts past the per-IP daily limit register but earn NOT_ELIGIBLE; admins list them', async () => {
    const adminUser = await registerAdmin(srv, admin);
    const registration = srv.ctx.economy.current.activities.registration.tokens;
    const first = await registerFrom(srv, ip);
    const second = await registerFrom(srv, ip);
    const third = await registerFrom(srv, ip);
    expect(await balanceOf(srv, first.id)).toBe(registration);
    expect(await balanceOf(srv, second.id)).toBe(registration);
    expect(await balanceOf(srv, third.id)).toBe(0);
    // The account itself works.
    expect((await as(srv, third).get(`/api/tokens/balance/${third.id}`)).status).toBe(200);

    const byIp = await as(srv, adminUser, 'admin').get(`/api/admin/abuse/ip/${ip}`);
    expect(byIp.status).toBe(200);
    expect(byIp.body.accounts.map((a: { userId: string }) => a.userId)).toEqual([third.id, second.id, first.id]);
    expect(byIp.body.accounts[0]).toMatchObject({ username: third.username, banned: false });
    const byUser = await as(srv, adminUser, 'admin').get(`/api/admin/abuse/users/${first.id}`);
    expect(byUser.body).toMatchObject({ userId: first.id, ip });
    expect(byUser.body.accounts).toHaveLength(3);
    expect((await as(srv, first).get(`/api/admin/abuse/ip/${ip}`)).status).toBe(403);
    expect((await as(srv, first).get(`/api/admin/abuse/users/${first.id}`)).status).toBe(403);

    // The next UTC day counts afresh.
    srv.clock.advance(86_400_000);
    const nextDay = await registerFrom(srv, ip);
    expect(await balanceOf(srv, nextDay.id)).toBe(registration);
  });
});
