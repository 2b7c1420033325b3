import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { collect, waitFor } from '../support/socket.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { as, balanceOf } from './engagement-fixtures.js';
import { fundTo, giftUser, makeAdmin, overridesFile, PIN, rid } from './gifts-fixtures.js';
import { bought, buy, owned, refund } from './shop-fixtures.js';

/**
 * The shop over real HTTP, SQLite and Redis (the PIN lockout lives there), with a ManualClock for
 * the refund windows: browsing, buying, idempotency, refusals that change nothing, refunds, the
 * owned view and its authorization, and the ledger audit after all of it.
 */
const clock = new ManualClock('2026-03-02T10:00:00.000Z');
let srv: TestServer;
let admin: TestUser;
const pool = socketPool();

beforeAll(async () => {
  // The seed's balance basis: a purchase that spends the balance drops the tier (pushed as tier:changed).
  srv = await startTestServer({ clock, redis: true, env: { ECONOMY_OVERRIDES_FILE: overridesFile({ tiers: { basis: 'balance' } }) } });
  admin = await makeAdmin(srv);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

const MIN = 60_000;
const HOUR = 60 * MIN;

/** `user` with a token signed at the server's current (manual) time. */
function fresh(user: TestUser): TestUser {
  const token = srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' });
  return { ...user, token, api: client(srv.url, token) };
}

async function shopUser(balance: number): Promise<TestUser> {
  const user = await giftUser(srv, 'shop');
  await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...user, api: as(srv, user) }, balance);
  return user;
}

describe('browsing', () => {
  it('lists the active catalogue, one category, and 404 for a category with no items', async () => {
    const u = await registerUser(srv, 'browse');
    const all = await u.api.get('/api/shop/items');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(15); // the seed's 14 and the streak freeze (issue 13)
    expect(all.body.items).toContainEqual({ id: 'increase_file_size_50mb', name: 'File size +50 MB', category: 'storage', cost: 75, duration: { kind: 'timed', hours: 720 }, needsRoom: false, needsMessage: false, available: true });
    expect(all.body.items.find((i: { id: string }) => i.id === 'room_customization').needsRoom).toBe(true);
    expect(all.body.items.find((i: { id: string }) => i.id === 'private_room_create').needsRoom).toBe(false);
    const storage = await u.api.get('/api/shop/items/storage');
    expect(storage.status).toBe(200);
    expect(storage.body.items.map((i: { id: string }) => i.id)).toEqual(['extra_5gb_storage', 'increase_file_size_50mb', 'unlimited_rooms']);
    const none = await u.api.get('/api/shop/items/cosmetic');
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('CATEGORY_NOT_FOUND');
    expect((await client(srv.url).get('/api/shop/items')).status).toBe(401);
  });
});

describe('buying', () => {
  it('charges the balance into the sink, records the purchase, shows it in history, owned and the profile, and pushes the tier drop', async () => {
    const u = await shopUser(150); // silver
    const socket = await pool.open(srv, fresh(u));
    const balances = collect(socket, 'tokens:balance');
    const tierChange = waitFor(socket, 'tier:changed');
    const before = await srv.ctx.ledger.audit();

    const res = await buy(srv, u, 'custom_avatar_frame');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ balance: 50, duplicate: false });
    expect(res.body.purchase).toMatchObject({ userId: u.id, itemId: 'custom_avatar_frame', category: 'appearance', cost: 100, roomId: null, expiresAt: null, usedAt: null, refundedAt: null, state: 'active', createdAt: clock.now().toISOString() });
    expect(res.body.purchase.entryId).toBe(res.body.purchase.id);

    expect(await tierChange).toEqual({ from: 'silver', to: 'bronze', badge: '🥉' });
    expect(balances).toContainEqual({ balance: 50, tier: 'bronze' });
    const after = await srv.ctx.ledger.audit();
    expect(after.burned - before.burned).toBe(100);
    expect(after.ok).toBe(true);

    const history = await as(srv, u).get(`/api/tokens/history/${u.id}?kind=spend`);
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ id: res.body.purchase.entryId, kind: 'spend', activity: 'shop:custom_avatar_frame' });

    const mine = await owned(srv, u);
    expect(mine.active.map((p) => p.itemId)).toEqual(['custom_avatar_frame']);
    expect(mine.expired).toEqual([]);
    const profile = await as(srv, admin).get(`/api/users/${u.id}`);
    expect(profile.body.user.cosmetics).toEqual([{ itemId: 'custom_avatar_frame', slot: 'avatar_frame', since: clock.now().toISOString() }]);
  });

  it('refuses an unknown item, and a per-room item without a room the buyer owns or moderates; nothing is charged', async () => {
    const u = await shopUser(300);
    const other = await registerUser(srv, 'owner');
    const theirs = await createRoom(other);
    const s = await pool.open(srv, fresh(u));
    await joinRoom(s, theirs.id); // joining pays an award
    const start = await balanceOf(srv, u);

    expect((await buy(srv, u, 'golden_unicorn')).body.error.code).toBe('ITEM_NOT_FOUND');
    const noRoom = await buy(srv, u, 'room_customization');
    expect(noRoom.status).toBe(400);
    expect(noRoom.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'roomId' } });
    expect((await buy(srv, u, 'room_customization', { roomId: theirs.id })).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect((await buy(srv, u, 'room_customization', { roomId: '01NOSUCHROOM' })).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await buy(srv, u, 'custom_chat_color', { roomId: theirs.id })).body.error.code).toBe('VALIDATION_FAILED');
    expect(await balanceOf(srv, u)).toBe(start);

    const mine = await createRoom(fresh(u));
    const before = await balanceOf(srv, u); // create_room pays an award
    const ok = await buy(srv, u, 'room_customization', { roomId: mine.id });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.purchase).toMatchObject({ roomId: mine.id, state: 'active', expiresAt: null, cost: 100 });
    expect(ok.body.balance).toBe(before - 100);
  });

  it('insufficient balance writes nothing', async () => {
    const u = await shopUser(199);
    const before = await srv.ctx.ledger.audit();
    const res = await buy(srv, u, 'profile_badge');
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', details: { balance: 199, cost: 200 } });
    expect(await balanceOf(srv, u)).toBe(199);
    expect(await owned(srv, u)).toMatchObject({ active: [], expired: [] });
    const after = await srv.ctx.ledger.audit();
    expect(after.entries).toBe(before.entries);
    expect(after.burned).toBe(before.burned);
  });

  it('concurrent duplicates of one requestId charge once; a different item under it is a conflict', async () => {
    const u = await shopUser(500);
    const requestId = rid('dup');
    const results = await Promise.all(Array.from({ length: 5 }, () => buy(srv, u, 'animated_emoji', { requestId })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.purchase.id)).size).toBe(1);
    expect(results.filter((r) => r.body.duplicate)).toHaveLength(4);
    expect(await balanceOf(srv, u)).toBe(350);
    expect((await owned(srv, u)).active).toHaveLength(1);
    const conflict = await buy(srv, u, 'profile_badge', { requestId });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await balanceOf(srv, u)).toBe(350);
  });

  it('a lost purchase record is rebuilt from its ledger entry by a retry and by the owned view', async () => {
    const u = await shopUser(300);
    const requestId = rid('lost');
    const first = await buy(srv, u, 'custom_chat_color', { requestId });
    expect(first.status).toBe(201);
    const id: string = first.body.purchase.id;
    // Simulate a crash between the ledger post and the record write.
    const db = srv.backend.kind === 'sqlite' ? srv.backend.db : null;
    expect(db).not.toBeNull();
    db!.prepare('DELETE FROM token_purchases WHERE id = ?').run(id);
    expect((await owned(srv, u)).active.map((p) => p.id)).toEqual([id]);
    db!.prepare('DELETE FROM token_purchases WHERE id = ?').run(id);
    const retry = await buy(srv, u, 'custom_chat_color', { requestId });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, balance: 250, purchase: { id, cost: 50, state: 'active' } });
  });

  it('a record write that fails after the charge is completed by the retry, never charged twice', async () => {
    const u = await shopUser(300);
    const requestId = rid('rec');
    const purchases = srv.ctx.purchases;
    const record = purchases.record.bind(purchases);
    purchases.record = () => Promise.reject(new Error('injected: record store gone'));
    try {
      expect((await buy(srv, u, 'custom_chat_color', { requestId })).status).toBe(500);
    } finally {
      purchases.record = record;
    }
    const retry = await buy(srv, u, 'custom_chat_color', { requestId });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, balance: 250, purchase: { itemId: 'custom_chat_color', cost: 50, state: 'active' } });
    expect((await owned(srv, u)).active).toHaveLength(1);
  });
});

describe('the PIN', () => {
  it('is checked before anything else; five wrong PINs lock purchases (and gifts) until the lock ends', async () => {
    const u = await shopUser(200);
    const wrong = await buy(srv, u, 'golden_unicorn', { pin: '0000' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'PIN_INVALID', details: { attemptsLeft: 4 } });
    for (let i = 0; i < 3; i += 1) expect((await buy(srv, u, 'custom_chat_color', { pin: '0000' })).body.error.code).toBe('PIN_INVALID');
    const locked = await buy(srv, u, 'custom_chat_color', { pin: '0000' });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('PIN_LOCKED');
    expect((await buy(srv, u, 'custom_chat_color', { pin: PIN })).body.error.code).toBe('PIN_LOCKED');
    const other = await registerUser(srv, 'rcpt');
    const gift = await as(srv, u).post('/api/tokens/gift', { toUserId: other.id, amount: 1, pin: PIN, requestId: rid() });
    expect(gift.body.error.code).toBe('PIN_LOCKED');
    expect(await balanceOf(srv, u)).toBe(200);

    clock.advance(15 * MIN + 1000);
    expect((await buy(srv, u, 'custom_chat_color')).status).toBe(201);
    expect(await balanceOf(srv, u)).toBe(150);
  });

  it('a retry of a purchase that happened answers it during a lockout, without counting a wrong PIN', async () => {
    const u = await shopUser(200);
    const requestId = rid('buy');
    const first = await buy(srv, u, 'custom_chat_color', { requestId });
    expect(first.status).toBe(201);
    for (let i = 0; i < 5; i += 1) await buy(srv, u, 'custom_avatar_frame', { pin: '0000' });
    expect((await buy(srv, u, 'custom_avatar_frame')).body.error.code).toBe('PIN_LOCKED');
    const retry = await buy(srv, u, 'custom_chat_color', { requestId, pin: '0000' });
    expect(retry.status).toBe(200);
    expect(retry.body.purchase.id).toBe(first.body.purchase.id);
    expect(await balanceOf(srv, u)).toBe(150);
    clock.advance(15 * MIN + 1000);
  });

  it('a user without a PIN cannot buy', async () => {
    const u = await registerUser(srv, 'nopin');
    expect((await buy(srv, u, 'custom_chat_color')).body.error.code).toBe('PIN_NOT_SET');
  });
});

describe('refunds', () => {
  it('timed items: 100% within 1 hour, 50% within 24 hours, nothing after', async () => {
    const u = await shopUser(1000);
    const full = await bought(srv, u, 'unlimited_rooms'); // 200
    const half = await bought(srv, u, 'increase_file_size_50mb'); // 75
    const none = await bought(srv, u, 'extra_5gb_storage'); // 100
    expect(await balanceOf(srv, u)).toBe(625);

    clock.advance(60 * MIN);
    const r1 = await refund(srv, u, full);
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(r1.body).toMatchObject({ refunded: 200, rule: 'TIMED_FULL', balance: 825, purchase: { id: full, state: 'refunded', refundAmount: 200 } });

    clock.advance(MIN);
    const r2 = await refund(srv, u, half);
    expect(r2.body).toMatchObject({ refunded: 37, rule: 'TIMED_PARTIAL', balance: 862 });

    clock.advance(23 * HOUR);
    const r3 = await refund(srv, u, none);
    expect(r3.status).toBe(409);
    expect(r3.body.error).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'TIMED_EXPIRED' } });
    expect(await balanceOf(srv, u)).toBe(862);

    const view = await owned(srv, u);
    expect(view.active.map((p) => p.id)).toEqual([none]);
    expect(view.expired.map((p) => [p.id, p.state])).toEqual([
      [half, 'refunded'],
      [full, 'refunded'],
    ]);
  });

  it('permanent items: none; unused consumables 90%, once; used ones none; only the buyer may refund', async () => {
    const u = await shopUser(400);
    const frame = await bought(srv, u, 'custom_avatar_frame');
    const call = await bought(srv, u, 'private_room_create'); // 50, refunded unused below
    const credit = await bought(srv, u, 'private_room_create'); // 50
    expect(await balanceOf(srv, u)).toBe(200);

    const perm = await refund(srv, u, frame);
    expect(perm.body.error).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'PERMANENT_NO_REFUND' } });

    const stranger = await giftUser(srv, 'stranger');
    expect((await refund(srv, stranger, call)).body.error.code).toBe('PURCHASE_NOT_FOUND');
    expect((await refund(srv, u, '01NOSUCHPURCHASE')).body.error.code).toBe('PURCHASE_NOT_FOUND');
    expect((await refund(srv, u, call, '9999')).body.error.code).toBe('PIN_INVALID');

    const r = await refund(srv, u, call);
    expect(r.body).toMatchObject({ refunded: 45, rule: 'UNUSED', balance: 245 });
    const again = await refund(srv, u, call);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_REFUNDED');

    // The private-room credit is used by creating a private room (bronze has no private rooms).
    const room = await as(srv, u).post('/api/rooms', { name: 'secret', visibility: 'private' });
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    const second = await as(srv, u).post('/api/rooms', { name: 'secret2', visibility: 'private' });
    expect(second.body.error.code).toBe('PRIVATE_ROOMS_NOT_ALLOWED');
    expect((await refund(srv, u, credit)).body.error).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'CONSUMED' } });
    expect((await owned(srv, u)).expired.find((p) => p.id === credit)?.state).toBe('used');
  });

  it('concurrent refunds of one purchase pay once', async () => {
    const u = await shopUser(300);
    const id = await bought(srv, u, 'extra_5gb_storage'); // 100
    const results = await Promise.all(Array.from({ length: 8 }, () => refund(srv, u, id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(new Set(results.filter((r) => r.status !== 200).map((r) => r.body.error.code))).toEqual(new Set(['ALREADY_REFUNDED']));
    expect(await balanceOf(srv, u)).toBe(300);
  });

  it('a refund whose ledger post fails leaves the purchase as it was; one cut off half-way is finished by the next request', async () => {
    const u = await shopUser(300);
    const id = await bought(srv, u, 'extra_5gb_storage'); // 100
    const ledger = srv.ctx.ledger;
    const post = ledger.post.bind(ledger);
    ledger.post = () => Promise.reject(new Error('injected: database gone'));
    try {
      const failed = await refund(srv, u, id);
      expect(failed.status).toBe(500);
    } finally {
      ledger.post = post;
    }
    expect(await srv.ctx.purchases.findById(id)).toMatchObject({ refundedAt: null, refundAmount: null, refundEntryId: null });
    expect(await balanceOf(srv, u)).toBe(200);

    // A crash after the refund started and before it was posted: the record says "started".
    expect(await srv.ctx.purchases.beginRefund(id, { at: clock.now(), amount: 100, requireUnused: false })).toBe(true);
    const resumed = await refund(srv, u, id);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body).toMatchObject({ refunded: 100, rule: 'RESUMED', balance: 300, purchase: { state: 'refunded' } });
    expect((await refund(srv, u, id)).body.error.code).toBe('ALREADY_REFUNDED');
    expect(await balanceOf(srv, u)).toBe(300);
  });
});

describe('owned items', () => {
  it('self or admin only; unknown user 404', async () => {
    const u = await registerUser(srv, 'own');
    const other = await registerUser(srv, 'other');
    const denied = await as(srv, u).get(`/api/shop/owned/${other.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect((await as(srv, admin, 'admin').get(`/api/shop/owned/${other.id}`)).status).toBe(200);
    expect((await as(srv, admin, 'admin').get('/api/shop/owned/01NOSUCHUSER')).body.error.code).toBe('USER_NOT_FOUND');
  });

  it('the ledger audit is still ok after all of the above', async () => {
    const report = await srv.ctx.ledger.audit();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    const viaApi = await as(srv, admin, 'admin').get('/api/admin/ledger/audit');
    expect(viaApi.body.ok).toBe(true);
  });
});
