import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { createMongoMarketStore } from '../../server/stores/mongo/market-store.js';
import type { MarketStore } from '../../server/market/ports.js';
import { commandName, cursor, duplicateKey, target, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * The MongoDB listing store (issue 13, market) on the wire-protocol stand-in (no MongoDB runs
 * here; behaviour is the contract suite's whenever a replica set is reachable). Pinned here: the
 * partial unique index behind "never listed twice", the compare-and-set filters, and that
 * `settle` (completing an entry the earlier version posted without its move) moves the purchase
 * owner and closes the listing in ONE committed transaction. A new sale's move runs in the
 * ledger's posting transaction: test/unit/ledger-mongo-wire.test.ts ("a market sale").
 */
const T = new Date('2026-01-05T12:00:00.000Z');
const LATER = new Date(T.getTime() + 3_600_000);
const open = { _id: 'L1', sellerId: 'S', requestId: 'r1', purchaseId: 'P1', itemId: 'custom_avatar_frame', price: 100, status: 'open', createdAt: T, expiresAt: LATER, closedAt: null, buyerId: null, saleEntryId: null, claim: null };
const wire = useWireHarness();
let store: MarketStore;

beforeEach(() => {
  store = createMongoMarketStore(wire.connection, createIndexBuilds());
});

const all = (): Command[] => wire.fake.commands.filter((c) => !['hello', 'ismaster'].includes(commandName(c)));

describe('MongoDB market store on the wire', () => {
  it('builds the partial unique index on open listings per purchase before the first write', async () => {
    wire.setHandler((c) => (commandName(c) === 'find' ? cursor(c, []) : undefined));
    await store.create({ id: 'L1', sellerId: 'S', requestId: 'r1', purchaseId: 'P1', itemId: 'custom_avatar_frame', price: 100, createdAt: T, expiresAt: LATER }, T);
    expect(wire.indexesAtFirstWrite).toEqual(expect.arrayContaining(['open_purchase_unique', 'seller_request_unique']));
    const built = all()
      .filter((c) => commandName(c) === 'createindexes' && target(c) === 'market_listings')
      .flatMap((c) => c['indexes'] as Array<{ name: string; unique?: boolean; partialFilterExpression?: unknown }>);
    const partial = built.find((i) => i.name === 'open_purchase_unique');
    expect(partial).toMatchObject({ unique: true, partialFilterExpression: { status: 'open' } });
    // An expired open listing of the purchase is closed first, only when no live claim holds it.
    expect(wire.sent('update', 'market_listings')[0]).toMatchObject({ updates: [{ q: { purchaseId: 'P1', status: 'open', expiresAt: { $lte: T }, $or: [{ claim: null }, { 'claim.until': { $lte: T } }] } }] });
  });

  it('a duplicate key on the open-listing index answers already_listed with the open one', async () => {
    let finds = 0;
    wire.setHandler((c) => {
      if (commandName(c) === 'insert') return duplicateKey('market_listings', 'open_purchase_unique');
      if (commandName(c) === 'find') return cursor(c, finds++ === 0 ? [] : [open]);
      return undefined;
    });
    const out = await store.create({ id: 'L2', sellerId: 'S', requestId: 'r2', purchaseId: 'P1', itemId: 'custom_avatar_frame', price: 100, createdAt: T, expiresAt: LATER }, T);
    expect(out).toMatchObject({ status: 'already_listed', listing: { id: 'L1' } });
  });

  it('claim: one findAndModify guarded by open, unexpired and no live claim', async () => {
    const claim = { buyerId: 'B', requestId: 'q', until: LATER };
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { ...open, claim }, ok: 1 } : undefined));
    expect(await store.claim('L1', claim, T)).toMatchObject({ id: 'L1', claim });
    expect(wire.sent('findandmodify', 'market_listings')[0]).toMatchObject({
      query: { _id: 'L1', status: 'open', expiresAt: { $gt: T }, $or: [{ claim: null }, { 'claim.until': { $lte: T } }] },
      update: { $set: { claim } },
    });
  });

  it('settle: the owner change and the close share one committed transaction', async () => {
    wire.setHandler((c) => (commandName(c) === 'find' && target(c) === 'market_listings' ? cursor(c, [open]) : undefined));
    await store.settle('L1', { buyerId: 'B', saleEntryId: 'E1', at: T });
    const [move] = wire.sent('update', 'token_purchases');
    const [close] = wire.sent('update', 'market_listings');
    expect(move).toMatchObject({ updates: [{ q: { _id: 'P1', userId: 'S', refundedAt: null, usedAt: null }, u: { $set: { userId: 'B' } } }] });
    expect(close).toMatchObject({ updates: [{ q: { _id: 'L1', status: 'open' }, u: { $set: { status: 'sold', buyerId: 'B', saleEntryId: 'E1', closedAt: T, claim: null } } }] });
    const txn = all().filter((c) => c['txnNumber'] !== undefined);
    expect(txn[0]).toMatchObject({ startTransaction: true, autocommit: false });
    for (const c of [move!, close!]) {
      expect(c['lsid']).toEqual(txn[0]!['lsid']);
      expect(c['txnNumber']).toEqual(txn[0]!['txnNumber']);
    }
    expect(all().some((c) => commandName(c) === 'committransaction')).toBe(true);
  });

  it('settle writes nothing when the seller no longer holds the purchase', async () => {
    wire.setHandler((c) => {
      if (commandName(c) === 'find' && target(c) === 'market_listings') return cursor(c, [open]);
      if (commandName(c) === 'update' && target(c) === 'token_purchases') return { n: 0, nModified: 0, ok: 1 };
      return undefined;
    });
    expect(await store.settle('L1', { buyerId: 'B', saleEntryId: 'E1', at: T })).toBeNull();
    expect(wire.sent('update', 'market_listings')).toEqual([]);
  });
});
