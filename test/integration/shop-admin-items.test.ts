import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { client, request } from '../support/http.js';
import { startPeerProcess, type NodeProcess } from '../support/node-process.js';
import type { TestUser } from './chat-fixtures.js';
import { balanceOf, giftUser, makeAdmin, PIN, rid } from './gifts-fixtures.js';

/**
 * Issue 13: items an admin creates at runtime declare their effect as data and then behave like the
 * seed's items, on two nodes (B its own process) sharing one Redis and one SQLite file, over real HTTP: a new cosmetic
 * is bought (charged, stock and per-user limit honoured), equipped and shown on the profile, sold
 * on the market; invalid or changed effects are refused with typed errors and nothing written.
 */
let a: TestServer;
let b: NodeProcess;
let admin: TestUser;

beforeAll(async () => {
  a = await startTestServer({ redis: { prefix: uniquePrefix() } });
  b = await startPeerProcess(a);
  admin = await makeAdmin(a);
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const onB = (u: TestUser): TestUser => ({ ...u, api: client(b.url, u.token) });
const patch = (u: TestUser, path: string, body: unknown) => request<any>(a.url, 'PATCH', path, { token: u.token, body });
const createItem = (body: Record<string, unknown>) => admin.api.post('/api/admin/shop/items', body);
const buy = (u: TestUser, itemId: string) => u.api.post('/api/shop/purchase', { itemId, pin: PIN, requestId: rid('buy') });
const listed = async (u: TestUser) => (await u.api.get('/api/shop/items')).body.items as Array<{ id: string; available: boolean; limited?: Record<string, unknown> }>;

const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const WINTER_BADGE = { id: 'winter_badge', name: 'Winter badge', category: 'cosmetic', cost: 40, duration: { kind: 'permanent' }, stock: 2, perUserLimit: 1, effect: { kind: 'cosmetic', slot: 'badge' } };

describe('an admin-created cosmetic', () => {
  it('is for sale on both nodes, charged, limited, equippable, on the profile, and tradeable on the market', async () => {
    const created = await createItem(WINTER_BADGE);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.item).toMatchObject({ id: 'winter_badge', available: true, needsRoom: false, limited: { stock: 2, stockLeft: 2, perUserLimit: 1 } });

    const first = await giftUser(a, 'winter', { admin, balance: 100 });
    const second = onB(await giftUser(a, 'winter', { admin, balance: 100 }));
    const late = await giftUser(a, 'winter', { admin, balance: 100 });
    // Node B reads the catalogue through the shared store: the item is there, for sale.
    expect((await listed(second)).find((i) => i.id === 'winter_badge')).toMatchObject({ available: true, limited: { stockLeft: 2 } });

    const bought = await buy(first, 'winter_badge');
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect(bought.body).toMatchObject({ balance: 60, purchase: { itemId: 'winter_badge', cost: 40, state: 'active' } });
    const again = await buy(first, 'winter_badge');
    expect(again.body.error.code).toBe('PURCHASE_LIMIT_REACHED');
    expect(await balanceOf(first)).toBe(60);
    expect((await buy(second, 'winter_badge')).status).toBe(201);
    const sold = await buy(late, 'winter_badge');
    expect(sold.body.error.code).toBe('OUT_OF_STOCK');
    expect(await balanceOf(late)).toBe(100);

    // Equipped on node B; the profile (on node A) shows it in the summary and the owned cosmetics.
    const equipped = await request<any>(b.url, 'PATCH', '/api/users/me/cosmetics', { token: first.token, body: { badge: 'winter_badge' } });
    expect(equipped.status, JSON.stringify(equipped.body)).toBe(200);
    expect(equipped.body).toEqual({ equipped: { badge: 'winter_badge' } });
    const profile = (await late.api.get(`/api/users/${first.id}`)).body.user;
    expect(profile.equipped).toEqual({ badge: 'winter_badge' });
    expect(profile.cosmetics).toEqual([expect.objectContaining({ itemId: 'winter_badge', slot: 'badge' })]);
    // The wrong slot is refused, as for a seed cosmetic.
    const wrongSlot = await request<any>(a.url, 'PATCH', '/api/users/me/cosmetics', { token: first.token, body: { theme: 'winter_badge' } });
    expect(wrongSlot.body.error.code).toBe('COSMETIC_NOT_OWNED');

    // A cosmetic is transferable: listed on node B, bought on node A by the one who missed the stock.
    const secondPurchase = (await second.api.get(`/api/shop/owned/${second.id}`)).body.active.find((p: { itemId: string }) => p.itemId === 'winter_badge');
    const listing = await second.api.post('/api/market/listings', { purchaseId: secondPurchase.id, price: 70, requestId: rid('list') });
    expect(listing.status, JSON.stringify(listing.body)).toBe(201);
    const trade = await late.api.post(`/api/market/listings/${listing.body.listing.id}/buy`, { pin: PIN, requestId: rid('mbuy') });
    expect(trade.status, JSON.stringify(trade.body)).toBeLessThan(300);
    expect(await balanceOf(late)).toBe(30);
    const wear = await request<any>(a.url, 'PATCH', '/api/users/me/cosmetics', { token: late.token, body: { badge: 'winter_badge' } });
    expect(wear.body).toEqual({ equipped: { badge: 'winter_badge' } });

    await a.ctx.ledger.flush();
    expect((await a.ctx.ledger.audit()).violations).toEqual([]);
  });

  it('runtime items of other effects follow those: a tier upgrade raises the tier on both nodes; a permanent storage item is not tradeable', async () => {
    const week = await createItem({ id: 'tier_boost_week', name: 'Tier boost (week)', category: 'premium', cost: 20, duration: { kind: 'timed', hours: 168 }, effect: { kind: 'tierUpgrade' } });
    expect(week.status, JSON.stringify(week.body)).toBe(201);
    const user = await giftUser(a, 'boost', { admin, balance: 100 });
    const tierOf = async (on: TestUser) => (await on.api.get(`/api/tokens/tier/${user.id}`)).body as { tier: string; earnedTier: string; tierUpgrades: number };
    const steps = (t: { tier: string; earnedTier: string }) => TIERS.indexOf(t.tier) - TIERS.indexOf(t.earnedTier);
    expect(await tierOf(onB(user))).toMatchObject({ tierUpgrades: 0 });
    expect((await buy(onB(user), 'tier_boost_week')).status).toBe(201);
    for (const on of [user, onB(user)]) {
      const t = await tierOf(on);
      expect(t.tierUpgrades).toBe(1);
      expect(steps(t), JSON.stringify(t)).toBe(1);
    }

    const vault = await createItem({ id: 'vault_1gb', name: 'Vault 1 GB', category: 'storage', cost: 30, duration: { kind: 'permanent' }, effect: { kind: 'storageGb', gb: 1 } });
    expect(vault.status, JSON.stringify(vault.body)).toBe(201);
    const bought = await buy(onB(user), 'vault_1gb');
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const listing = await user.api.post('/api/market/listings', { purchaseId: bought.body.purchase.id, price: 50, requestId: rid('list') });
    expect(listing.body.error).toMatchObject({ code: 'ITEM_NOT_TRANSFERABLE', details: { reason: 'not_tradeable' } });
  });
});

describe('declared effects are validated', () => {
  it('unknown kinds, bad parameters and durations the effect cannot work with answer VALIDATION_FAILED; nothing is written', async () => {
    const base = { id: 'bad_item', name: 'Bad', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, effect: { kind: 'teleport' } }, 'effect.kind'],
      [{ ...base, effect: { kind: 'cosmetic', slot: 'hat' } }, 'effect.slot'],
      [{ ...base, effect: { kind: 'storageGb', gb: 0 } }, 'effect.gb'],
      [{ ...base, effect: { kind: 'fileSizeMb', mb: '50' } }, 'effect.mb'],
      [{ ...base, effect: { kind: 'pinMessage' } }, 'duration'],
      [{ ...base, effect: 'cosmetic' }, 'effect'],
    ];
    for (const [body, path] of cases) {
      const res = await createItem(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(path);
    }
    expect((await listed(admin)).some((i) => i.id === 'bad_item')).toBe(false);
  });

  it("an item's effect cannot change once it has one; an item without one may get one", async () => {
    expect((await createItem({ id: 'frost_frame', name: 'Frost frame', category: 'cosmetic', cost: 25, duration: { kind: 'permanent' }, effect: { kind: 'cosmetic', slot: 'avatar_frame' } })).status).toBe(201);
    const changed = await patch(admin, '/api/admin/shop/items/frost_frame', { effect: { kind: 'cosmetic', slot: 'theme' } });
    expect(changed.status).toBe(400);
    expect(changed.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'effect' }] } });
    expect((await patch(admin, '/api/admin/shop/items/frost_frame', { effect: null })).body.error.code).toBe('VALIDATION_FAILED');
    // Restating the same effect, or changing other fields, is fine.
    expect((await patch(admin, '/api/admin/shop/items/frost_frame', { cost: 30, effect: { slot: 'avatar_frame', kind: 'cosmetic' } })).status).toBe(200);
    // A seed item's built-in effect is kept the same way.
    expect((await patch(admin, '/api/admin/shop/items/custom_chat_color', { effect: { kind: 'storageGb', gb: 5 } })).body.error.code).toBe('VALIDATION_FAILED');
    // The other preset's ids have built-in effects too (purchases of them may exist): a new item under one cannot contradict it.
    const other = await createItem({ id: 'avatar_frame', name: 'Frame', category: 'cosmetic', cost: 10, duration: { kind: 'permanent' }, effect: { kind: 'cosmetic', slot: 'badge' } });
    expect(other.body.error.code).toBe('VALIDATION_FAILED');

    // Without an effect: listed, not for sale; once given one, for sale on both nodes.
    const bare = await createItem({ id: 'snow_globe', name: 'Snow globe', category: 'cosmetic', cost: 15, duration: { kind: 'permanent' } });
    expect(bare.body.item).toMatchObject({ available: false, unavailableReason: 'this item has no effect on this server' });
    const shopper = await giftUser(a, 'globe', { admin, balance: 50 });
    expect((await buy(shopper, 'snow_globe')).body.error.code).toBe('ITEM_NOT_AVAILABLE');
    expect((await patch(admin, '/api/admin/shop/items/snow_globe', { effect: { kind: 'cosmetic', slot: 'emoji' } })).status).toBe(200);
    expect((await listed(onB(admin))).find((i) => i.id === 'snow_globe')).toMatchObject({ available: true });
    expect((await buy(onB(shopper), 'snow_globe')).status).toBe(201);
    expect(await balanceOf(shopper)).toBe(35);
  });
});
