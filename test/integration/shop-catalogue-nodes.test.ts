import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import type { TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin, PIN, rid } from './gifts-fixtures.js';

/**
 * Issue 16: each node caches the catalogue's effects table; an admin's new item on node A reaches
 * node B's cache through the `shop:catalogue-changed` notice. Node B (its own process) has its
 * table loaded before the item exists; the purchase is made on A, so nothing on B meets the new
 * item but B's reads by effect kind (the tier) and of the user's purchases (the profile).
 */
describe('an item created on one node works with its effect on the other', () => {
  let a: TestServer;
  let b: NodeProcess;
  let admin: TestUser;
  useNodePair({}, async (pair) => {
    ({ a, b } = pair);
    admin = await makeAdmin(a);
  });

  /**
   * Resolves once node B has handled every notice A published before: both read the adapter's
   * stream in order, and B answers A's fetchSockets (a later entry) only after the notice
   * (as in earning-nodes.test.ts).
   */
  const bHasHeardA = async (): Promise<void> => {
    await a.io.fetchSockets();
  };
  const buyOnA = (u: TestUser, itemId: string) => u.api.post('/api/shop/purchase', { itemId, pin: PIN, requestId: rid('buy') });

  it("a tier upgrade bought on A raises the tier B reports; a cosmetic bought on A is on B's profile", async () => {
    expect(await a.io.of('/').adapter.serverCount()).toBe(2);
    const user = await giftUser(a, 'cache', { admin, balance: 200 });
    const onB = client(b.url, user.token);
    const tierOnB = async () => (await onB.get(`/api/tokens/tier/${user.id}`)).body as { tierUpgrades: number };
    const cosmeticsOnB = async () => (await onB.get(`/api/users/${user.id}`)).body.user.cosmetics as Array<{ itemId: string; slot: string }>;
    // B's table is loaded now, without the items below.
    expect(await tierOnB()).toMatchObject({ tierUpgrades: 0 });
    expect(await cosmeticsOnB()).toEqual([]);

    const boost = { id: 'nodes_tier_boost', name: 'Tier boost', category: 'premium', cost: 20, duration: { kind: 'timed', hours: 24 }, effect: { kind: 'tierUpgrade' } };
    const badge = { id: 'nodes_badge', name: 'Nodes badge', category: 'cosmetic', cost: 30, duration: { kind: 'permanent' }, effect: { kind: 'cosmetic', slot: 'badge' } };
    for (const item of [boost, badge]) expect((await admin.api.post('/api/admin/shop/items', item)).status).toBe(201);
    await bHasHeardA();
    for (const item of [boost, badge]) {
      const res = await buyOnA(user, item.id);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }

    // The tier source asks B's table which ids are tier upgrades: only the notice could teach it.
    expect(await tierOnB()).toMatchObject({ tierUpgrades: 1 });
    expect(await cosmeticsOnB()).toEqual([expect.objectContaining({ itemId: 'nodes_badge', slot: 'badge' })]);
    // Listed, for sale, on B too (items are read through the store).
    const listed = (await onB.get('/api/shop/items')).body.items as Array<{ id: string; available: boolean }>;
    expect(listed.filter((i) => i.id.startsWith('nodes_'))).toEqual([expect.objectContaining({ id: 'nodes_badge', available: true }), expect.objectContaining({ id: 'nodes_tier_boost', available: true })]);
  });
});
