import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ManualClock } from '../../server/lib/clock.js';
import { PASSWORD, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { PIN, balanceOf, giftUsage, giftUser, makeAdmin, rid, sendGift } from './gifts-fixtures.js';

/** The transaction PIN over real HTTP and sockets with real Redis: setting it, the lockout and its reset. */
let srv: TestServer;
let admin: TestUser;
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ redis: true, clock });
  admin = await makeAdmin(srv);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

describe('POST /api/tokens/pin', () => {
  it('needs the account password, a 4-digit PIN, and stores only a hash', async () => {
    const user = await registerUser(srv, 'pinset');
    const wrong = await user.api.post('/api/tokens/pin', { password: 'not the password', pin: '1234' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await srv.ctx.stores.users.findById(user.id))?.pinHash).toBeNull();
    for (const pin of ['123', '12345', 'abcd', 1234]) {
      const bad = await user.api.post('/api/tokens/pin', { password: PASSWORD, pin });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await user.api.post('/api/tokens/pin', { password: PASSWORD, pin: '4321' })).status).toBe(200);
    const stored = (await srv.ctx.stores.users.findById(user.id))?.pinHash ?? '';
    expect(stored.startsWith('scrypt$')).toBe(true);
    expect(stored).not.toContain('4321');
  });

  it('counts wrong account passwords on the shared PIN lockout: the fifth locks PIN changes and gifts', async () => {
    const sender = await giftUser(srv, 'pwguess', { admin, balance: 20 });
    const to = await registerUser(srv, 'pwguessto');
    // One wrong PIN and four wrong passwords: the same counter, shared by every node through Redis.
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '0000' })).toMatchObject({ ok: false, error: { details: { attemptsLeft: 4 } } });
    for (let left = 3; left >= 1; left--) {
      const wrong = await sender.api.post('/api/tokens/pin', { password: `guess-${left}`, pin: '1111' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { attemptsLeft: left } });
    }
    const fifth = await sender.api.post('/api/tokens/pin', { password: 'guess-last', pin: '1111' });
    expect(fifth.status).toBe(423);
    expect(fifth.body.error).toMatchObject({ code: 'PIN_LOCKED', details: { retryAfterSeconds: 900 } });
    expect(await srv.redis?.exists(`${srv.ctx.config.redisPrefix}pin:{${sender.id}}`)).toBe(1);

    // Locked: even the right password is refused (no more guesses), and so are gifts; the PIN is unchanged.
    clock.advance(60_000);
    const right = await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '1111' });
    expect(right.status).toBe(423);
    expect(right.body.error).toMatchObject({ code: 'PIN_LOCKED', details: { retryAfterSeconds: 840 } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });

    clock.advance(14 * 60_000);
    expect((await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '1111' })).status).toBe(200);
    // Setting the PIN with the right password reset the count.
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID', details: { attemptsLeft: 4 } } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '1111' })).toMatchObject({ ok: true, data: { balance: 19 } });
  });

  it('is for authenticated callers only', async () => {
    const res = await fetch(`${srv.url}/api/tokens/pin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD, pin: '1234' }) });
    expect(res.status).toBe(401);
  });

  it('can be changed: the old PIN stops working', async () => {
    const sender = await giftUser(srv, 'pinchg', { admin, balance: 20 });
    const to = await registerUser(srv, 'pinchgto');
    expect((await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '9999' })).status).toBe(200);
    const socket = await pool.open(srv, sender);
    const old = await sendGift(socket, { toUserId: to.id, amount: 1, pin: PIN });
    expect(old).toMatchObject({ ok: false, error: { code: 'PIN_INVALID' } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '9999' })).toMatchObject({ ok: true });
  });
});

describe('remembered PIN checks (one scrypt per session)', () => {
  it('a PIN changed after a gift stops the remembered old one at once', async () => {
    const sender = await giftUser(srv, 'pincache', { admin, balance: 20 });
    const to = await registerUser(srv, 'pincacheto');
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true });
    expect((await sender.api.post('/api/tokens/pin', { password: PASSWORD, pin: '8642' })).status).toBe(200);
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: PIN })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID', details: { attemptsLeft: 4 } } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '8642' })).toMatchObject({ ok: true, data: { balance: 17 } });
  });
});

describe('PIN check on gifts', () => {
  it('refuses a gift before any PIN is set', async () => {
    const sender = await registerUser(srv, 'nopin');
    const to = await registerUser(srv, 'nopinto');
    const socket = await pool.open(srv, sender);
    const ack = await sendGift(socket, { toUserId: to.id, amount: 1 });
    expect(ack).toMatchObject({ ok: false, error: { code: 'PIN_NOT_SET' } });
  });

  it('locks after five wrong PINs for 15 minutes, then a correct PIN works again', async () => {
    const sender = await giftUser(srv, 'lock', { admin, balance: 40 });
    const to = await registerUser(srv, 'lockto');
    const socket = await pool.open(srv, sender);
    for (let left = 4; left >= 1; left--) {
      const ack = await sendGift(socket, { toUserId: to.id, amount: 5, pin: '0000' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'PIN_INVALID', details: { attemptsLeft: left } } });
    }
    const fifth = await sendGift(socket, { toUserId: to.id, amount: 5, pin: '0000' });
    expect(fifth).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED', details: { retryAfterSeconds: 900 } } });

    // Locked: even the right PIN is refused, over HTTP too, and nothing moves.
    clock.advance(60_000);
    const locked = await sendGift(socket, { toUserId: to.id, amount: 5 });
    expect(locked).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED', details: { retryAfterSeconds: 840 } } });
    const viaHttp = await sender.api.post('/api/tokens/gift', { toUserId: to.id, amount: 5, pin: PIN, requestId: rid() });
    expect(viaHttp.status).toBe(423);
    expect(viaHttp.body.error).toMatchObject({ code: 'PIN_LOCKED', details: { retryAfterSeconds: 840 } });
    expect(await balanceOf(sender)).toBe(40);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 0, tokens: 0 });

    clock.advance(14 * 60_000);
    const after = await sendGift(socket, { toUserId: to.id, amount: 5 });
    expect(after).toMatchObject({ ok: true, data: { balance: 35 } });
  });

  it('a correct PIN resets the count of wrong ones', async () => {
    const sender = await giftUser(srv, 'reset', { admin, balance: 40 });
    const to = await registerUser(srv, 'resetto');
    const socket = await pool.open(srv, sender);
    for (let i = 0; i < 4; i++) expect(await sendGift(socket, { toUserId: to.id, amount: 1, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID' } });
    expect(await sendGift(socket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true });
    const again = await sendGift(socket, { toUserId: to.id, amount: 1, pin: '0000' });
    expect(again).toMatchObject({ ok: false, error: { code: 'PIN_INVALID', details: { attemptsLeft: 4 } } });
  });

  it('a wrong PIN on an otherwise valid gift changes no balance and no daily count', async () => {
    const sender = await giftUser(srv, 'wrongpin', { admin, balance: 30 });
    const to = await registerUser(srv, 'wrongpinto');
    const socket = await pool.open(srv, sender);
    const before = await balanceOf(to);
    expect(await sendGift(socket, { toUserId: to.id, amount: 10, pin: '1111' })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID' } });
    expect(await balanceOf(sender)).toBe(30);
    expect(await balanceOf(to)).toBe(before);
    expect(await giftUsage(srv, sender.id)).toEqual({ count: 0, tokens: 0 });
  });
});
