import { beforeEach, describe, expect, it } from 'vitest';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import mongoose from 'mongoose';
import { createMongoPurchaseStore } from '../../server/stores/mongo/purchases-store.js';
import type { NewPurchase, PurchaseStore } from '../../server/shop/ports.js';
import { commandName, cursor, duplicateKey, useWireHarness, type Command } from '../support/fake-mongo.js';

/**
 * The MongoDB purchases store on the wire, against the protocol stand-in (no MongoDB runs here;
 * behaviour is the contract suite's job when a replica set is reachable). Pinned here: indexes
 * before the first write, the condition of every compare-and-set, and how answers map to results.
 */
const T = new Date('2026-01-05T12:00:00.000Z');
let store: PurchaseStore;
const find = (name: string): Command[] => wire.sent(name, 'token_purchases');

const p: NewPurchase = { id: 'P1', userId: 'U1', itemId: 'unlimited_rooms', category: 'storage', cost: 200, entryId: 'P1', roomId: null, messageId: null, createdAt: T, expiresAt: new Date(T.getTime() + 3_600_000) };
const stored = { _id: 'P1', userId: 'U1', itemId: 'unlimited_rooms', category: 'storage', cost: 200, entryId: 'P1', roomId: null, messageId: null, createdAt: T, expiresAt: p.expiresAt, usedAt: null, refundedAt: null, refundAmount: null, refundEntryId: null };

const wire = useWireHarness({ findDocs: [stored] });

beforeEach(() => {
  store = createMongoPurchaseStore(wire.connection, createIndexBuilds());
});

describe('MongoDB purchases store on the wire', () => {
  it('record: indexes first, one insert keyed by the entry id, read back', async () => {
    const result = await store.record(p);
    expect(wire.indexesAtFirstWrite).toEqual(expect.arrayContaining(['entryId_unique', 'userId_id']));
    expect(find('insert')[0]?.['documents']).toEqual([expect.objectContaining({ _id: 'P1', entryId: 'P1', cost: 200, usedAt: null, refundedAt: null })]);
    expect(result).toEqual({ created: true, purchase: { ...p, usedAt: null, refundedAt: null, refundAmount: null, refundEntryId: null } });
  });

  it('record: a duplicate key returns the stored purchase with created false', async () => {
    wire.setHandler((c) => (commandName(c) === 'insert' ? duplicateKey('token_purchases', '_id_') : undefined));
    const result = await store.record(p);
    expect(result.created).toBe(false);
    expect(result.purchase.id).toBe('P1');
  });

  it('listActive: not refunded, not used, not expired, newest first, bounded', async () => {
    await store.listActive('U1', T);
    expect(find('find')[0]).toMatchObject({
      filter: { userId: 'U1', refundedAt: null, usedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: T } }] },
      sort: { _id: -1 },
      limit: 500,
    });
  });

  it('useOne: one findAndModify on the oldest unused, unrefunded credit; null when none', async () => {
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { ...stored, itemId: 'private_room_create', usedAt: T }, ok: 1 } : undefined));
    expect(await store.useOne('U1', ['private_room_create'], T)).toMatchObject({ id: 'P1', usedAt: T });
    expect(find('findandmodify')[0]).toMatchObject({
      query: { userId: 'U1', itemId: { $in: ['private_room_create'] }, usedAt: null, refundedAt: null },
      sort: { _id: 1 },
      update: { $set: { usedAt: T } },
      new: true,
    });
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: null, ok: 1 } : undefined));
    expect(await store.useOne('U1', ['private_room_create'], T)).toBeNull();
  });

  it('listActiveOf: items, optional users and room, active at `at`, newest first, bounded; nothing asked for no items or no users', async () => {
    await store.listActiveOf({ itemIds: ['pin_important_message'], roomId: 'R1' }, T);
    await store.listActiveOf({ itemIds: ['tier_upgrade'], userIds: ['U1', 'U2'] }, T);
    const [byRoom, byUsers] = find('find');
    expect(byRoom).toMatchObject({
      filter: { itemId: { $in: ['pin_important_message'] }, roomId: 'R1', refundedAt: null, usedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: T } }] },
      sort: { _id: -1 },
      limit: 500,
    });
    expect(byRoom?.['filter']).not.toHaveProperty('userId');
    expect(byUsers).toMatchObject({ filter: { itemId: { $in: ['tier_upgrade'] }, userId: { $in: ['U1', 'U2'] } } });
    expect(byUsers?.['filter']).not.toHaveProperty('roomId');
    expect(await store.listActiveOf({ itemIds: [] }, T)).toEqual([]);
    expect(await store.listActiveOf({ itemIds: ['tier_upgrade'], userIds: [] }, T)).toEqual([]);
    expect(find('find')).toHaveLength(2);
  });

  it('a record stored before pins carried a message reads back with messageId null', async () => {
    const { messageId: _dropped, ...older } = stored;
    wire.setHandler((c) => (commandName(c) === 'find' ? cursor(c, [older]) : undefined));
    expect((await store.findById('P1'))?.messageId).toBeNull();
  });

  it('useOne with a room names the room in the condition', async () => {
    wire.setHandler((c) => (commandName(c) === 'findandmodify' ? { value: { ...stored, itemId: 'room_customization', roomId: 'R1', usedAt: T }, ok: 1 } : undefined));
    expect(await store.useOne('U1', ['room_customization'], T, 'R1')).toMatchObject({ id: 'P1', roomId: 'R1' });
    expect(find('findandmodify')[0]).toMatchObject({ query: { userId: 'U1', itemId: { $in: ['room_customization'] }, roomId: 'R1', usedAt: null, refundedAt: null } });
  });

  it('beginRefund: the condition names the unstarted refund (and unused when required); a miss is false', async () => {
    expect(await store.beginRefund('P1', { at: T, amount: 18, requireUnused: true })).toBe(true);
    expect(find('update')[0]).toMatchObject({ updates: [{ q: { _id: 'P1', refundedAt: null, usedAt: null }, u: { $set: { refundedAt: T, refundAmount: 18 } } }] });
    wire.setHandler((c) => (commandName(c) === 'update' ? { n: 0, nModified: 0, ok: 1 } : undefined));
    expect(await store.beginRefund('P1', { at: T, amount: 100, requireUnused: false })).toBe(false);
    expect(find('update')[1]).toMatchObject({ updates: [{ q: { _id: 'P1', refundedAt: null } }] });
    expect((find('update')[1]?.['updates'] as Array<{ q: Command }>)[0]?.q).not.toHaveProperty('usedAt');
  });

  it('completeRefund and abortRefund are conditional on the refund state', async () => {
    await store.completeRefund('P1', 'E9');
    await store.abortRefund('P1');
    const [complete, abort] = find('update');
    expect(complete).toMatchObject({ updates: [{ q: { _id: 'P1', refundedAt: { $ne: null } }, u: { $set: { refundEntryId: 'E9' } } }] });
    expect(abort).toMatchObject({ updates: [{ q: { _id: 'P1', refundEntryId: null }, u: { $set: { refundedAt: null, refundAmount: null } } }] });
  });
});
