import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { client, request } from '../support/http.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, fundTo, giftUser, makeAdmin, PIN, rid } from './gifts-fixtures.js';

/**
 * Issue 13 (h13a): limited editions and the admin catalogue on two nodes sharing one Redis and one
 * SQLite file, over real HTTP and sockets: stock raced from both nodes sells exactly the stock,
 * the losers are charged nothing, watchers get shop:stock, per-user limits and sale windows refuse
 * before any charge, a limited edition is final sale, and the ledger audit passes after all of it.
 * Node B is a separate process (server/main.ts, issue 15), reached only over HTTP and sockets; the
 * ledger audit is asked of node A, which shares B's store.
 */
let a: TestServer;
let b: NodeProcess;
let admin: TestUser;
const sockets = socketPool();

useNodePair({}, async (nodes) => {
  ({ a, b } = nodes);
  admin = await makeAdmin(a);
});
afterEach(() => sockets.closeAll());

/** PATCH as `u` (on node A, or B with `on`). */
const patch = (u: TestUser, path: string, body: unknown, on: { url: string } = a) => request<any>(on.url, 'PATCH', path, { token: u.token, body });

/** The same user's client on node B. */
const onB = (u: TestUser): TestUser => ({ ...u, api: client(b.url, u.token) });
const buyer = async (balance: number): Promise<TestUser> => giftUser(a, 'ltd', { admin, balance });
const buyOn = (u: TestUser, itemId: string, requestId = rid('buy')) => u.api.post('/api/shop/purchase', { itemId, pin: PIN, requestId });
const itemOf = async (u: TestUser, itemId: string) => ((await u.api.get('/api/shop/items')).body.items as Array<{ id: string; limited?: Record<string, unknown>; available: boolean }>).find((i) => i.id === itemId);

describe('admin catalogue', () => {
  it('admins add and change items at runtime, validated like the config, audit-logged, seen by every node', async () => {
    const user = await registerUser(a, 'plain');
    expect((await user.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' } })).status).toBe(403);
    expect((await patch(user, '/api/admin/shop/items/custom_chat_color', { cost: 1 })).status).toBe(403);

    const bad = await admin.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 0, duration: { kind: 'permanent' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const extra = await admin.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' }, colour: 'red' });
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    const window = await admin.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' }, availableFrom: '2030-01-02T00:00:00Z', availableUntil: '2030-01-01T00:00:00Z' });
    expect(window.body.error.code).toBe('VALIDATION_FAILED');

    const created = await admin.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' }, stock: 5 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.item).toMatchObject({ id: 'gem', available: false, limited: { stock: 5, stockLeft: 5, perUserLimit: null, onSale: true } });
    // No effect in code: listed, not for sale (docs/shop.md "Not for sale").
    const gemOnB = await itemOf(onB(user), 'gem');
    expect(gemOnB).toMatchObject({ available: false, limited: { stock: 5, stockLeft: 5 } });
    expect((await admin.api.post('/api/admin/shop/items', { id: 'gem', name: 'Gem 2', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' } })).body.error.code).toBe('CATALOGUE_ITEM_EXISTS');
    expect((await admin.api.post('/api/admin/shop/items', { id: 'custom_chat_color', name: 'X', category: 'appearance', cost: 10, duration: { kind: 'permanent' } })).body.error.code).toBe('CATALOGUE_ITEM_EXISTS');

    const missing = await patch(admin, '/api/admin/shop/items/no_such_item', { cost: 5 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ITEM_NOT_FOUND');
    expect((await patch(admin, '/api/admin/shop/items/gem', { id: 'other' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await patch(admin, '/api/admin/shop/items/gem', { cost: -1 })).body.error.code).toBe('VALIDATION_FAILED');
    // A seed item changed on node A is in effect on node B at once; null removes a field.
    const patched = await patch(admin, '/api/admin/shop/items/custom_chat_color', { cost: 40, perUserLimit: 2 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(await itemOf(onB(user), 'custom_chat_color')).toMatchObject({ cost: 40, limited: { perUserLimit: 2, stock: null } });
    expect((await patch(admin, '/api/admin/shop/items/custom_chat_color', { cost: 50, perUserLimit: null })).status).toBe(200);
    expect((await itemOf(user, 'custom_chat_color'))?.limited).toBeUndefined();

    const log = await admin.api.get('/api/admin/audit-log?action=shop_item_update');
    expect(log.body.items.map((r: { subjectId: string }) => r.subjectId)).toEqual(['custom_chat_color', 'custom_chat_color']);
    const createdLog = await admin.api.get('/api/admin/audit-log?action=shop_item_create');
    expect(createdLog.body.items[0]).toMatchObject({ actorId: admin.id, subjectId: 'gem', details: { item: { id: 'gem', stock: 5 } } });
  });
});

describe('limited editions', () => {
  it('stock raced from two nodes: exactly the stock is sold, losers pay nothing, watchers see the stock fall', async () => {
    expect((await patch(admin, '/api/admin/shop/items/animated_emoji', { stock: 3 })).status).toBe(200);
    const watcher = await registerUser(a, 'watch');
    const sock = await sockets.open(b, watcher);
    const ack = await emitAck(sock, 'shop:watch', {});
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.data.items.find((i) => i.id === 'animated_emoji')?.limited).toMatchObject({ stock: 3, stockLeft: 3 });
    // The buyers first: the wait's timer starts when it is set, and eight registrations take
    // seconds on a loaded machine.
    const buyers = await Promise.all(Array.from({ length: 8 }, () => buyer(200)));
    const soldOut = waitFor(sock, 'shop:stock', (e) => e.itemId === 'animated_emoji' && e.stockLeft === 0);
    const results = await Promise.all(buyers.map((u, i) => buyOn(i % 2 === 0 ? u : onB(u), 'animated_emoji')));
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status !== 201);
    expect(won).toHaveLength(3);
    expect(lost.map((r) => r.body.error.code)).toEqual(Array(5).fill('OUT_OF_STOCK'));
    expect(lost[0]?.body.error.details).toMatchObject({ itemId: 'animated_emoji', stock: 3, stockLeft: 0 });
    const balances = await Promise.all(buyers.map((u) => balanceOf(u)));
    expect(balances.filter((x) => x === 200 - 150)).toHaveLength(3);
    expect(balances.filter((x) => x === 200)).toHaveLength(5);
    expect(await soldOut).toEqual({ itemId: 'animated_emoji', stock: 3, stockLeft: 0 });
    expect((await itemOf(buyers[0]!, 'animated_emoji'))?.limited).toMatchObject({ stock: 3, stockLeft: 0 });

    // Restocking (an admin raising the stock) reopens the sale, and is pushed too.
    const restocked = waitFor(sock, 'shop:stock', (e) => e.itemId === 'animated_emoji' && e.stockLeft === 1);
    expect((await patch(admin, '/api/admin/shop/items/animated_emoji', { stock: 4 })).status).toBe(200);
    await restocked;
    const loser = buyers[balances.indexOf(200)]!;
    expect((await buyOn(onB(loser), 'animated_emoji')).status).toBe(201);
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });

  it('shop:unwatch ends the stock pushes for that socket', async () => {
    expect((await patch(admin, '/api/admin/shop/items/custom_avatar_frame', { stock: 10 })).status).toBe(200);
    const u = await registerUser(a, 'unwatch');
    const stays = await sockets.open(a, u);
    const leaves = await sockets.open(b, u);
    expect((await emitAck(stays, 'shop:watch', {})).ok).toBe(true);
    expect((await emitAck(leaves, 'shop:watch', {})).ok).toBe(true);
    const unwatched = await emitAck(leaves, 'shop:unwatch', {});
    expect(unwatched).toEqual({ ok: true, data: { watching: false } });
    const seen = collect(leaves, 'shop:stock');
    const next = waitFor(stays, 'shop:stock', (e) => e.itemId === 'custom_avatar_frame' && e.stockLeft === 9);
    expect((await buyOn(await buyer(200), 'custom_avatar_frame')).status).toBe(201);
    await next;
    expect(seen).toEqual([]);
  });

  it('a per-user limit holds across nodes and requests; nothing is charged past it', async () => {
    expect((await patch(admin, '/api/admin/shop/items/profile_badge', { perUserLimit: 1 })).status).toBe(200);
    const u = await buyer(1000);
    const ids = [rid('buy'), rid('buy'), rid('buy')];
    const both = await Promise.all([buyOn(u, 'profile_badge', ids[0]), buyOn(onB(u), 'profile_badge', ids[1]), buyOn(u, 'profile_badge', ids[2])]);
    expect(both.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = both.filter((r) => r.status !== 201);
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual([
      [409, 'PURCHASE_LIMIT_REACHED'],
      [409, 'PURCHASE_LIMIT_REACHED'],
    ]);
    expect(refused[0]?.body.error.details).toMatchObject({ itemId: 'profile_badge', perUserLimit: 1, bought: 1 });
    expect(await balanceOf(u)).toBe(1000 - 200);
    // A retry of the purchase that won answers it again (duplicate), not the limit.
    const again = await buyOn(onB(u), 'profile_badge', ids[both.findIndex((r) => r.status === 201)]);
    expect([again.status, again.body.duplicate]).toEqual([200, true]);
    expect((await buyOn(u, 'profile_badge')).body.error.code).toBe('PURCHASE_LIMIT_REACHED');
  });

  it('outside the sale window a purchase is refused before any charge; a limited edition is final sale', async () => {
    const u = await buyer(1000);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    expect((await patch(admin, '/api/admin/shop/items/unlimited_rooms', { availableFrom: future })).status).toBe(200);
    const early = await buyOn(u, 'unlimited_rooms');
    expect([early.status, early.body.error.code]).toEqual([409, 'ITEM_NOT_ON_SALE']);
    expect(early.body.error.details).toMatchObject({ itemId: 'unlimited_rooms', availableFrom: future, availableUntil: null });
    expect(await itemOf(u, 'unlimited_rooms')).toMatchObject({ limited: { onSale: false } });
    expect((await patch(admin, '/api/admin/shop/items/unlimited_rooms', { availableFrom: null, availableUntil: past })).status).toBe(200);
    expect((await buyOn(onB(u), 'unlimited_rooms')).body.error.code).toBe('ITEM_NOT_ON_SALE');
    expect(await balanceOf(u)).toBe(1000);

    // A timed item would be refunded in full within the hour; with a stock it is final sale.
    expect((await patch(admin, '/api/admin/shop/items/extra_5gb_storage', { stock: 5 })).status).toBe(200);
    const bought = await buyOn(u, 'extra_5gb_storage');
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const quote = await u.api.get(`/api/shop/purchases/${bought.body.purchase.id}/refund`);
    expect(quote.body).toMatchObject({ refundable: false, rule: 'LIMITED_EDITION' });
    const refund = await u.api.post('/api/shop/refund', { purchaseId: bought.body.purchase.id, pin: PIN });
    expect([refund.status, refund.body.error.code, refund.body.error.details?.rule]).toEqual([409, 'REFUND_NOT_ALLOWED', 'LIMITED_EDITION']);
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });
});
