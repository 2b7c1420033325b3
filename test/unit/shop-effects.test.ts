import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../server/economy/config/presets.js';
import {
  activePins,
  availabilityOf,
  boostedRooms,
  cosmeticsOf,
  effectOf,
  needsMessage,
  needsRoom,
  perksOf,
  prioritySupportUntil,
  purchaseState,
  raiseTier,
  tierUpgradeSteps,
  PRIVATE_ROOM_CREDIT_ITEMS,
} from '../../server/shop/effects.js';
import type { PurchaseRecord } from '../../server/shop/ports.js';
import { purchaseDraft, purchaseFromEntry, samePurchase } from '../../server/shop/purchase-entry.js';
import type { JournalEntry } from '../../server/ledger/ports.js';

const T0 = new Date('2026-01-05T12:00:00.000Z');
const plus = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
let seq = 0;

function rec(itemId: string, o: Partial<PurchaseRecord> = {}): PurchaseRecord {
  seq += 1;
  const id = `01P${String(seq).padStart(10, '0')}`;
  return { id, userId: 'u1', itemId, category: 'x', cost: 10, entryId: id, roomId: null, messageId: null, createdAt: T0, expiresAt: null, usedAt: null, refundedAt: null, refundAmount: null, refundEntryId: null, ...o };
}

describe('purchaseState', () => {
  it('refunded over used over expired over active; a timed item ends exactly at expiresAt', () => {
    expect(purchaseState(rec('a'), T0)).toBe('active');
    expect(purchaseState(rec('a', { expiresAt: plus(HOUR) }), plus(HOUR - 1))).toBe('active');
    expect(purchaseState(rec('a', { expiresAt: plus(HOUR) }), plus(HOUR))).toBe('expired');
    expect(purchaseState(rec('a', { usedAt: T0, expiresAt: plus(-1) }), T0)).toBe('used');
    expect(purchaseState(rec('a', { usedAt: T0, refundedAt: T0 }), T0)).toBe('refunded');
  });
});

describe('perksOf', () => {
  it('adds active extensions up and ignores expired, used and refunded purchases', () => {
    const perks = perksOf(
      [
        rec('increase_file_size_50mb', { expiresAt: plus(HOUR) }),
        rec('increased_file_size', { expiresAt: plus(HOUR) }),
        rec('extra_5gb_storage', { expiresAt: plus(-1) }),
        rec('file_storage_5gb', { refundedAt: T0 }),
        rec('extra_5gb_storage', { expiresAt: plus(2 * HOUR) }),
        rec('unlimited_rooms', { expiresAt: plus(HOUR) }),
        rec('private_room_create'),
        rec('private_room', { usedAt: T0 }),
        rec('custom_avatar_frame'),
      ],
      T0,
    );
    expect(perks).toEqual({ fileSizeExtraMb: 100, storageExtraGb: 5, unlimitedRooms: true, privateRoomCredits: 1 });
    expect(perksOf([rec('unlimited_rooms', { expiresAt: plus(HOUR) })], plus(HOUR)).unlimitedRooms).toBe(false);
  });
});

describe('cosmeticsOf', () => {
  it('one per item, earliest purchase, active only', () => {
    const first = rec('custom_chat_color', { createdAt: plus(1) });
    const again = rec('custom_chat_color', { createdAt: plus(2) });
    const refunded = rec('profile_badge', { refundedAt: T0 });
    const theme = rec('custom_theme', { createdAt: plus(3) });
    expect(cosmeticsOf([theme, again, refunded, first, rec('unlimited_rooms')], T0)).toEqual([
      { itemId: 'custom_chat_color', slot: 'chat_color', since: plus(1) },
      { itemId: 'custom_theme', slot: 'theme', since: plus(3) },
    ]);
  });
});

describe('catalogue effects', () => {
  it('the room effects need a room, the pin a message too; the private-room credit needs neither', () => {
    const shop = PRESETS.current.shop;
    const byId = (id: string) => shop.find((i) => i.id === id)!;
    expect(needsRoom(byId('room_customization'))).toBe(true);
    expect(needsRoom(byId('boost_room_visibility'))).toBe(true);
    expect(needsRoom(byId('pin_important_message'))).toBe(true);
    expect(needsMessage(byId('pin_important_message'))).toBe(true);
    expect(needsMessage(byId('room_customization'))).toBe(false);
    expect(needsRoom(byId('private_room_create'))).toBe(false);
    expect(needsRoom(byId('priority_video_call'))).toBe(false);
    expect(needsRoom(PRESETS.recommended.shop.find((i) => i.id === 'private_room')!)).toBe(false);
    expect([...PRIVATE_ROOM_CREDIT_ITEMS].sort()).toEqual(['private_room', 'private_room_create']);
    expect(effectOf('tier_upgrade')).toEqual({ kind: 'tierUpgrade' });
  });

  it.each(['current', 'recommended'] as const)('every %s catalogue item is either available with an effect or unavailable with a reason', (preset) => {
    for (const item of PRESETS[preset].shop) {
      const a = availabilityOf(item.id);
      if (a.available) expect(effectOf(item.id), item.id).not.toBeNull();
      else {
        expect(effectOf(item.id), item.id).toBeNull();
        expect(a.reason.length, item.id).toBeGreaterThan(0);
      }
    }
  });

  it('the call, screen-share and voice items are not sold, with the reason; an unknown item is not sold either', () => {
    expect(availabilityOf('priority_video_call')).toEqual({ available: false, reason: 'this server has no voice/video calls' });
    expect(availabilityOf('screen_share_quality')).toEqual({ available: false, reason: 'this server has no screen sharing' });
    expect(availabilityOf('voice_message_premium')).toEqual({ available: false, reason: 'this server has no voice messages' });
    expect(availabilityOf('future_item_without_code')).toEqual({ available: false, reason: 'this item has no effect on this server' });
    for (const id of ['room_customization', 'pin_important_message', 'boost_room_visibility', 'tier_upgrade', 'priority_support']) expect(availabilityOf(id).available).toBe(true);
  });
});

describe('timed effects', () => {
  it('pins, boosts, tier steps and priority support count only active purchases of their room/user', () => {
    const pin = rec('pin_important_message', { roomId: 'R1', messageId: 'M1', expiresAt: plus(24 * HOUR) });
    const refundedPin = rec('pin_important_message', { roomId: 'R1', messageId: 'M2', expiresAt: plus(24 * HOUR), refundedAt: T0 });
    expect(activePins([pin, refundedPin], plus(HOUR)).map((p) => p.messageId)).toEqual(['M1']);
    expect(activePins([pin], plus(24 * HOUR))).toEqual([]);
    const b1 = rec('boost_room_visibility', { roomId: 'R1', expiresAt: plus(HOUR) });
    const b2 = rec('boost_room_visibility', { roomId: 'R1', expiresAt: plus(2 * HOUR) });
    expect(boostedRooms([b1, b2], T0)).toEqual(new Map([['R1', plus(2 * HOUR)]]));
    expect(boostedRooms([b1, b2], plus(2 * HOUR)).size).toBe(0);
    const up = rec('tier_upgrade', { expiresAt: plus(HOUR) });
    expect(tierUpgradeSteps([up, rec('tier_upgrade', { expiresAt: plus(HOUR), refundedAt: T0 })], T0)).toBe(1);
    expect(tierUpgradeSteps([up], plus(HOUR))).toBe(0);
    expect(prioritySupportUntil([rec('priority_support', { expiresAt: plus(HOUR) })], T0)).toEqual(plus(HOUR));
    expect(prioritySupportUntil([rec('priority_support', { expiresAt: plus(HOUR) })], plus(HOUR))).toBeNull();
  });

  it('raiseTier goes up one step per upgrade and stops at platinum', () => {
    expect(raiseTier('bronze', 0)).toBe('bronze');
    expect(raiseTier('bronze', 1)).toBe('silver');
    expect(raiseTier('silver', 2)).toBe('platinum');
    expect(raiseTier('platinum', 1)).toBe('platinum');
  });
});

describe('purchase entries', () => {
  const item = PRESETS.current.shop.find((i) => i.id === 'boost_room_visibility')!;
  const entryOf = (draft: ReturnType<typeof purchaseDraft>): JournalEntry => ({ ...draft, id: '01ENTRY', createdAt: T0 });

  it('the spend entry carries everything to rebuild its record', () => {
    const entry = entryOf(purchaseDraft('u1', item, { itemId: item.id, requestId: 'r1' }, 'spend:u1:r1'));
    expect(entry).toMatchObject({ kind: 'spend', activity: 'shop:boost_room_visibility', idempotencyKey: 'spend:u1:r1', actorId: 'u1' });
    expect(purchaseFromEntry(entry, 'u1')).toEqual({
      id: '01ENTRY', userId: 'u1', itemId: item.id, category: 'room', cost: 25, entryId: '01ENTRY', roomId: null, messageId: null, createdAt: T0, expiresAt: plus(7 * 24 * HOUR),
    });
    const pinItem = PRESETS.current.shop.find((i) => i.id === 'pin_important_message')!;
    const pinEntry = entryOf(purchaseDraft('u1', pinItem, { itemId: pinItem.id, requestId: 'r2', roomId: 'R1', messageId: 'M1' }, 'spend:u1:r2'));
    expect(purchaseFromEntry(pinEntry, 'u1')).toMatchObject({ roomId: 'R1', messageId: 'M1', expiresAt: plus(24 * HOUR) });
    expect(samePurchase(pinEntry, 'u1', { itemId: pinItem.id, requestId: 'r2', roomId: 'R1', messageId: 'M2' })).toBe(false);
    expect(samePurchase(pinEntry, 'u1', { itemId: pinItem.id, requestId: 'r2', roomId: 'R1', messageId: 'M1' })).toBe(true);
    expect(purchaseFromEntry(entry, 'u2')).toBeNull();
    expect(purchaseFromEntry({ ...entry, kind: 'penalty' }, 'u1')).toBeNull();
    expect(purchaseFromEntry({ ...entry, activity: 'shop:other' }, 'u1')).toBeNull();
  });

  it('samePurchase compares item and room', () => {
    const entry = entryOf(purchaseDraft('u1', item, { itemId: item.id, requestId: 'r1', roomId: 'room1' }, 'k'));
    expect(samePurchase(entry, 'u1', { itemId: item.id, requestId: 'r1', roomId: 'room1' })).toBe(true);
    expect(samePurchase(entry, 'u1', { itemId: item.id, requestId: 'r1' })).toBe(false);
    expect(samePurchase(entry, 'u1', { itemId: 'unlimited_rooms', requestId: 'r1', roomId: 'room1' })).toBe(false);
  });
});
