import { describe, expect, it } from 'vitest';
import { EconomyConfigError, loadEconomyConfig } from '../../server/economy/config/index.js';
import { PRESETS } from '../../server/economy/config/presets.js';
import { shopItemSchema } from '../../server/economy/config/schema.js';
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
  BUILT_IN_ITEM_EFFECTS as BUILT_IN,
  ItemEffects,
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
      BUILT_IN,
    );
    expect(perks).toEqual({ fileSizeExtraMb: 100, storageExtraGb: 5, unlimitedRooms: true, privateRoomCredits: 1 });
    expect(perksOf([rec('unlimited_rooms', { expiresAt: plus(HOUR) })], plus(HOUR), BUILT_IN).unlimitedRooms).toBe(false);
  });
});

describe('cosmeticsOf', () => {
  it('one per item, earliest purchase, active only', () => {
    const first = rec('custom_chat_color', { createdAt: plus(1) });
    const again = rec('custom_chat_color', { createdAt: plus(2) });
    const refunded = rec('profile_badge', { refundedAt: T0 });
    const theme = rec('custom_theme', { createdAt: plus(3) });
    expect(cosmeticsOf([theme, again, refunded, first, rec('unlimited_rooms')], T0, BUILT_IN)).toEqual([
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
    expect(BUILT_IN.idsOf('privateRoomCredit').sort()).toEqual(['private_room', 'private_room_create']);
    expect(effectOf({ id: 'tier_upgrade' })).toEqual({ kind: 'tierUpgrade' });
  });

  it.each(['current', 'recommended'] as const)('every %s catalogue item is either available with an effect or unavailable with a reason', (preset) => {
    for (const item of PRESETS[preset].shop) {
      const a = availabilityOf(item);
      if (a.available) expect(effectOf(item), item.id).not.toBeNull();
      else {
        expect(effectOf(item), item.id).toBeNull();
        expect(a.reason.length, item.id).toBeGreaterThan(0);
      }
    }
  });

  it('the call, screen-share and voice items are not sold, with the reason; an unknown item is not sold either', () => {
    expect(availabilityOf({ id: 'priority_video_call' })).toEqual({ available: false, reason: 'this server has no voice/video calls' });
    expect(availabilityOf({ id: 'screen_share_quality' })).toEqual({ available: false, reason: 'this server has no screen sharing' });
    expect(availabilityOf({ id: 'voice_message_premium' })).toEqual({ available: false, reason: 'this server has no voice messages' });
    expect(availabilityOf({ id: 'future_item_without_code' })).toEqual({ available: false, reason: 'this item has no effect on this server' });
    for (const id of ['room_customization', 'pin_important_message', 'boost_room_visibility', 'tier_upgrade', 'priority_support']) expect(availabilityOf({ id }).available).toBe(true);
  });
});

describe('timed effects', () => {
  it('pins, boosts, tier steps and priority support count only active purchases of their room/user', () => {
    const pin = rec('pin_important_message', { roomId: 'R1', messageId: 'M1', expiresAt: plus(24 * HOUR) });
    const refundedPin = rec('pin_important_message', { roomId: 'R1', messageId: 'M2', expiresAt: plus(24 * HOUR), refundedAt: T0 });
    expect(activePins([pin, refundedPin], plus(HOUR), BUILT_IN).map((p) => p.messageId)).toEqual(['M1']);
    expect(activePins([pin], plus(24 * HOUR), BUILT_IN)).toEqual([]);
    const b1 = rec('boost_room_visibility', { roomId: 'R1', expiresAt: plus(HOUR) });
    const b2 = rec('boost_room_visibility', { roomId: 'R1', expiresAt: plus(2 * HOUR) });
    expect(boostedRooms([b1, b2], T0, BUILT_IN)).toEqual(new Map([['R1', plus(2 * HOUR)]]));
    expect(boostedRooms([b1, b2], plus(2 * HOUR), BUILT_IN).size).toBe(0);
    const up = rec('tier_upgrade', { expiresAt: plus(HOUR) });
    expect(tierUpgradeSteps([up, rec('tier_upgrade', { expiresAt: plus(HOUR), refundedAt: T0 })], T0, BUILT_IN)).toBe(1);
    expect(tierUpgradeSteps([up], plus(HOUR), BUILT_IN)).toBe(0);
    expect(prioritySupportUntil([rec('priority_support', { expiresAt: plus(HOUR) })], T0, BUILT_IN)).toEqual(plus(HOUR));
    expect(prioritySupportUntil([rec('priority_support', { expiresAt: plus(HOUR) })], plus(HOUR), BUILT_IN)).toBeNull();
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

describe('declared effects (issue 13: items whose effect is data)', () => {
  const badge = { id: 'winter_badge', effect: { kind: 'cosmetic', slot: 'badge' } as const };
  const bigDisk = { id: 'big_disk', effect: { kind: 'storageGb', gb: 20 } as const };
  const effects = new ItemEffects([badge, bigDisk, { id: 'custom_theme' }, { id: 'gem' }]);

  it('an item declaring an effect has it; one declaring none has its id built-in one, or none (not for sale)', () => {
    expect(effectOf(badge)).toEqual({ kind: 'cosmetic', slot: 'badge' });
    expect(effectOf({ id: 'custom_theme' })).toEqual({ kind: 'cosmetic', slot: 'theme' });
    expect(effectOf({ id: 'gem' })).toBeNull();
    // A declared effect wins over the id's built-in one.
    expect(effectOf({ id: 'custom_theme', effect: { kind: 'roomBoost' } })).toEqual({ kind: 'roomBoost' });
    expect(availabilityOf(badge)).toEqual({ available: true });
    expect(availabilityOf({ id: 'gem' })).toEqual({ available: false, reason: 'this item has no effect on this server' });
    expect(needsRoom({ id: 'spotlight', effect: { kind: 'roomBoost' } })).toBe(true);
    expect(needsMessage({ id: 'sticky', effect: { kind: 'pinMessage' } })).toBe(true);
  });

  it("a catalogue's effects resolve purchases by id: declared, else built in (an id no longer listed keeps its built-in effect)", () => {
    expect(effects.of('winter_badge')).toEqual({ kind: 'cosmetic', slot: 'badge' });
    expect(effects.of('avatar_frame')).toEqual({ kind: 'cosmetic', slot: 'avatar_frame' });
    expect(effects.of('gem')).toBeNull();
    expect(BUILT_IN.of('winter_badge')).toBeNull();
    expect(effects.idsOf('storageGb').sort()).toEqual(['big_disk', 'extra_5gb_storage', 'file_storage_5gb']);
    expect(effects.idsOf('cosmetic')).toContain('winter_badge');
    const overridden = new ItemEffects([{ id: 'custom_theme', effect: { kind: 'roomBoost' } }]);
    expect(overridden.idsOf('cosmetic')).not.toContain('custom_theme');
    expect(overridden.idsOf('roomBoost')).toContain('custom_theme');
  });

  it('runtime items count in perks and cosmetics exactly like built-in ones', () => {
    const purchases = [rec('winter_badge', { createdAt: plus(1) }), rec('big_disk', { expiresAt: plus(HOUR) }), rec('extra_5gb_storage', { expiresAt: plus(HOUR) })];
    expect(perksOf(purchases, T0, effects).storageExtraGb).toBe(25);
    expect(perksOf(purchases, T0, BUILT_IN).storageExtraGb).toBe(5);
    expect(cosmeticsOf(purchases, T0, effects)).toEqual([{ itemId: 'winter_badge', slot: 'badge', since: plus(1) }]);
    expect(cosmeticsOf(purchases, T0, BUILT_IN)).toEqual([]);
    const pins = new ItemEffects([{ id: 'sticky', effect: { kind: 'pinMessage' } }]);
    expect(activePins([rec('sticky', { roomId: 'R1', messageId: 'M1', expiresAt: plus(HOUR) })], T0, pins).map((p) => p.messageId)).toEqual(['M1']);
  });

  it('the item schema validates the effect: known kind, its parameters, a duration it can work with', () => {
    const base = { id: 'winter_badge', name: 'Winter badge', category: 'cosmetic', cost: 40, duration: { kind: 'permanent' } };
    expect(shopItemSchema.safeParse({ ...base, effect: { kind: 'cosmetic', slot: 'badge' } }).success).toBe(true);
    expect(shopItemSchema.safeParse(base).success).toBe(true);
    const refused = (effect: unknown, over: Record<string, unknown> = {}) => {
      const r = shopItemSchema.safeParse({ ...base, ...over, effect });
      return r.success ? null : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(refused({ kind: 'teleport' })).toEqual(['effect.kind']);
    expect(refused({ kind: 'cosmetic', slot: 'hat' })).toEqual(['effect.slot']);
    expect(refused({ kind: 'cosmetic' })).toEqual(['effect.slot']);
    expect(refused({ kind: 'storageGb', gb: 0 })).toEqual(['effect.gb']);
    expect(refused({ kind: 'fileSizeMb', mb: -5 })).toEqual(['effect.mb']);
    expect(refused({ kind: 'fileSizeMb', mb: 5, extra: 1 })).toEqual(['effect']);
    expect(refused({ kind: 'pinMessage' })).toEqual(['duration']);
    expect(refused({ kind: 'pinMessage' }, { duration: { kind: 'timed', hours: 24 } })).toBeNull();
    expect(refused({ kind: 'privateRoomCredit' }, { duration: { kind: 'consumable', per: 'call' } })).toEqual(['duration']);
    expect(refused({ kind: 'streakFreeze' }, { duration: { kind: 'consumable', per: 'missed_day' } })).toBeNull();
  });

  it('a config item with an unknown effect fails loading with its path', () => {
    const shop = [{ id: 'winter_badge', name: 'Winter badge', category: 'cosmetic', cost: 40, duration: { kind: 'permanent' }, effect: { kind: 'cosmetic', slot: 'hat' } }];
    expect(() => loadEconomyConfig({ overrides: { shop } })).toThrow(EconomyConfigError);
    expect(() => loadEconomyConfig({ overrides: { shop } })).toThrow(/shop\.0\.effect\.slot/);
    expect(loadEconomyConfig({ overrides: { shop: [{ ...shop[0], effect: { kind: 'cosmetic', slot: 'badge' } }] } }).shop[0]?.effect).toEqual({ kind: 'cosmetic', slot: 'badge' });
  });
});
