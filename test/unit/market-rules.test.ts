import { describe, expect, it } from 'vitest';
import { currentPreset } from '../../server/economy/config/presets.js';
import type { ShopItem } from '../../server/economy/config/schema.js';
import { tradeEntry } from '../../server/ledger/entries.js';
import { SINK, type JournalEntry } from '../../server/ledger/ports.js';
import { counterDelta, draftProblems } from '../../server/ledger/rules.js';
import { claimLive, isTransferable, listingStatusAt, priceBoundsOf, saleDraft, saleFee, saleFromEntry, saleKey, tradeRefusal } from '../../server/market/rules.js';

/** The market's pure rules (issue 13, docs/market.md). */
const AT = new Date('2026-03-02T10:00:00.000Z');
const later = (ms: number) => new Date(AT.getTime() + ms);
const permanent = (id: string, extra: Record<string, unknown> = {}) => ({ id, duration: { kind: 'permanent' }, ...extra }) as ShopItem;
const purchase = (itemId: string, over: Record<string, unknown> = {}) => ({ itemId, roomId: null, messageId: null, expiresAt: null, usedAt: null, refundedAt: null, ...over });

describe('isTransferable', () => {
  it('cosmetics and limited editions in use are; consumables, timed, room-bound and spent ones are not', () => {
    expect(isTransferable(permanent('custom_avatar_frame'), purchase('custom_avatar_frame'), AT)).toEqual({ transferable: true });
    // A cosmetic removed from the catalogue is still the owner's to sell.
    expect(isTransferable(undefined, purchase('custom_theme'), AT)).toEqual({ transferable: true });
    // A limited edition (stock set) of a non-cosmetic permanent item.
    expect(isTransferable(permanent('unlimited_rooms', { stock: 10 }), purchase('unlimited_rooms'), AT)).toEqual({ transferable: true });
    expect(isTransferable(permanent('unlimited_rooms'), purchase('unlimited_rooms'), AT)).toEqual({ transferable: false, reason: 'not_tradeable' });
    expect(isTransferable({ id: 'extra_5gb_storage', duration: { kind: 'timed', hours: 1 } } as ShopItem, purchase('extra_5gb_storage', { expiresAt: later(1000) }), AT)).toMatchObject({ reason: 'timed' });
    expect(isTransferable({ id: 'private_room', duration: { kind: 'consumable', per: 'room' } } as ShopItem, purchase('private_room'), AT)).toMatchObject({ reason: 'consumable' });
    expect(isTransferable(permanent('custom_avatar_frame'), purchase('custom_avatar_frame', { refundedAt: AT }), AT)).toMatchObject({ reason: 'refunded' });
    expect(isTransferable(permanent('custom_avatar_frame'), purchase('custom_avatar_frame', { usedAt: AT }), AT)).toMatchObject({ reason: 'used' });
    expect(isTransferable(permanent('custom_avatar_frame'), purchase('custom_avatar_frame', { expiresAt: AT }), AT)).toMatchObject({ reason: 'expired' });
    expect(isTransferable(permanent('custom_avatar_frame'), purchase('custom_avatar_frame', { roomId: 'r' }), AT)).toMatchObject({ reason: 'room_bound' });
  });
});

describe('isTransferable of admin-created items (issue 13: effects as data)', () => {
  it("a runtime item's declared effect decides, like a built-in one's", () => {
    expect(isTransferable(permanent('winter_badge', { effect: { kind: 'cosmetic', slot: 'badge' } }), purchase('winter_badge'), AT)).toEqual({ transferable: true });
    expect(isTransferable(permanent('big_disk', { effect: { kind: 'storageGb', gb: 20 } }), purchase('big_disk'), AT)).toEqual({ transferable: false, reason: 'not_tradeable' });
    expect(isTransferable(permanent('big_disk', { effect: { kind: 'storageGb', gb: 20 }, stock: 5 }), purchase('big_disk'), AT)).toEqual({ transferable: true });
    // Gone from the catalogue: only a built-in effect is left to decide.
    expect(isTransferable(undefined, purchase('winter_badge'), AT)).toEqual({ transferable: false, reason: 'not_tradeable' });
  });
});

describe('listing state, fee, bounds, parties', () => {
  it('an open listing is expired from expiresAt on; a claim is live until its until', () => {
    expect(listingStatusAt({ status: 'open', expiresAt: later(1) }, AT)).toBe('open');
    expect(listingStatusAt({ status: 'open', expiresAt: AT }, AT)).toBe('expired');
    expect(listingStatusAt({ status: 'sold', expiresAt: AT }, AT)).toBe('sold');
    expect(claimLive({ claim: null }, AT)).toBe(false);
    expect(claimLive({ claim: { buyerId: 'b', requestId: 'r', until: later(1) } }, AT)).toBe(true);
    expect(claimLive({ claim: { buyerId: 'b', requestId: 'r', until: AT } }, AT)).toBe(false);
  });

  it('the fee is rounded down; bounds per item replace the default', () => {
    expect(saleFee(200, 5)).toBe(10);
    expect(saleFee(19, 5)).toBe(0);
    expect(saleFee(1, 50)).toBe(0);
    const policy = { ...currentPreset.market, priceBounds: { default: { min: 1, max: 10 }, items: { custom_theme: { min: 5, max: 50 } } } };
    expect(priceBoundsOf(policy, 'custom_theme')).toEqual({ min: 5, max: 50 });
    expect(priceBoundsOf(policy, 'chat_color')).toEqual({ min: 1, max: 10 });
  });

  it('no buying one’s own listing; linked accounts only refused while the multiple-accounts rule is on', () => {
    const acct = (id: string, over: Record<string, unknown> = {}) => ({ id, invitedBy: null, registrationIp: '10.0.0.1', bannedAt: null, createdAt: AT, ...over });
    expect(tradeRefusal(acct('a'), acct('a'), false)).toBe('OWN_LISTING');
    expect(tradeRefusal(acct('a'), acct('b'), false)).toBeNull();
    expect(tradeRefusal(acct('a'), acct('b'), true)).toBe('LINKED');
    expect(tradeRefusal(acct('a'), acct('b', { registrationIp: '10.0.0.2', invitedBy: 'a' }), true)).toBe('LINKED');
    expect(tradeRefusal(acct('a'), acct('b', { registrationIp: '10.0.0.2' }), true)).toBeNull();
  });
});

describe('the sale entry', () => {
  const listing = { id: 'L1', sellerId: 's', purchaseId: 'p', itemId: 'custom_avatar_frame', price: 200 };

  it('is one balanced trade entry under the listing key; read back it names the sale', () => {
    const draft = saleDraft(listing, 'b', 'req', 10, false);
    expect(draftProblems(draft)).toEqual([]);
    expect(draft.claims).toBeUndefined();
    // The purchase's first sale takes its one exit, which a refund would take too.
    expect(saleDraft(listing, 'b', 'req', 10, true).claims).toEqual([{ key: 'purchase:p:first-exit', delta: 1, max: 1 }]);
    expect(draft).toMatchObject({ kind: 'trade', idempotencyKey: saleKey('L1'), actorId: 'b', activity: 'market_sale' });
    expect(draft.legs).toEqual([{ account: 'user:b', amount: -200 }, { account: 'user:s', amount: 190 }, { account: SINK, amount: 10 }]);
    const entry = { ...draft, id: 'E1', createdAt: AT } as JournalEntry;
    expect(saleFromEntry(entry)).toEqual({ listingId: 'L1', buyerId: 'b', sellerId: 's', requestId: 'req', fee: 10 });
    expect(saleFromEntry({ ...entry, kind: 'gift' })).toBeNull();
    expect(saleFromEntry({ ...entry, idempotencyKey: 'market:sale:OTHER' })).toBeNull();
  });

  it('a zero fee has no sink leg; a trade cannot credit issuance; counters: spent and received, never earned', () => {
    expect(tradeEntry('b', 's', 10, 0, { idempotencyKey: 'k' }).legs).toHaveLength(2);
    expect(draftProblems({ kind: 'trade', idempotencyKey: 'k', legs: [{ account: 'user:b', amount: -5 }, { account: 'system:issuance', amount: 5 }] })).toContain('kind_shape');
    expect(counterDelta('trade', -20)).toEqual({ totalEarned: 0, totalSpent: 20, totalGifted: 0, totalReceived: 0 });
    expect(counterDelta('trade', 19)).toEqual({ totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 19 });
  });
});
