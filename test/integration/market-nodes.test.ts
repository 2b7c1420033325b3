import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { addressedAt, type NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { emitAck, waitFor } from '../support/socket.js';
import { socketPool, type TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin } from './gifts-fixtures.js';
import { bought } from './shop-fixtures.js';
import { balances, buyListing, expectCleanAudit, listed } from './market-fixtures.js';

/**
 * Issue 13 (market) on two nodes over one SQLite file and Redis: two buyers on different nodes
 * racing for one listing, again and again. Exactly one pays and owns the item; the other is
 * refused and not charged; a watcher on the other node hears the sale; the audit stays clean.
 * Node B is a separate process (server/main.ts, issue 15), reached only over HTTP and sockets; the
 * balances, the purchase's owner and the audit are read on node A, which shares B's store.
 */
const pool = socketPool();
afterEach(() => pool.closeAll());

describe('two buyers, one listing, two nodes', () => {
  let a: TestServer;
  let b: NodeProcess;
  let admin: TestUser;
  useNodePair({}, async (nodes) => {
    ({ a, b } = nodes);
    admin = await makeAdmin(a);
  });

  it('exactly one buyer wins each race; the loser pays nothing; watchers on the other node hear it', async () => {
    const watcher = await pool.open(b, admin);
    expect((await emitAck(watcher, 'market:watch', { watch: true })).ok).toBe(true);
    for (let trial = 0; trial < 4; trial += 1) {
      const seller = await giftUser(a, 'nSeller', { admin, balance: 300 });
      const one = await giftUser(a, 'nOne', { admin, balance: 500 });
      const two = await giftUser(a, 'nTwo', { admin, balance: 500 });
      const purchaseId = await bought(a, seller, 'custom_chat_color');
      const listingId = await listed(a, seller, purchaseId, 120);
      const before = await balances(a, [seller, one, two]);
      const heard = waitFor(watcher, 'market:sold', (e) => e.listing.id === listingId);
      // Alternate which node each buyer uses.
      const [nodeOne, nodeTwo] = trial % 2 === 0 ? [a, addressedAt(a, b)] : [addressedAt(a, b), a];
      const results = await Promise.all([buyListing(nodeOne, one, listingId), buyListing(nodeTwo, two, listingId)]);
      const won = results.filter((r) => r.status === 201);
      expect(won, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
      expect(results.find((r) => r.status !== 201)!.body.error.code).toBe('LISTING_NOT_AVAILABLE');
      const winner = won[0]!.body.listing.buyerId as string;
      expect((await heard).listing.buyerId).toBe(winner);
      const after = await balances(a, [seller, one, two]);
      expect(after.users[0]! - before.users[0]!).toBe(114);
      expect(after.users[1]! - before.users[1]!).toBe(winner === one.id ? -120 : 0);
      expect(after.users[2]! - before.users[2]!).toBe(winner === two.id ? -120 : 0);
      expect(after.sink - before.sink).toBe(6);
      expect((await a.ctx.purchases.findById(purchaseId))?.userId).toBe(winner);
    }
    await expectCleanAudit(a);
  }, 90_000);
});
