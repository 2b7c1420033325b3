import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { fence } from '../support/fence.js';
import { ManualClock } from '../../server/lib/clock.js';
import { joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { as, balanceOf } from './engagement-fixtures.js';
import { fundTo, giftUser, makeAdmin } from './gifts-fixtures.js';
import { bought, buy, refund } from './shop-fixtures.js';

/**
 * The room effects of the shop over real HTTP, sockets and SQLite, with a ManualClock for expiry:
 * items the server cannot honour are not sold; room_customization, pin_important_message and
 * boost_room_visibility change what rooms show, until expiry or a refund.
 */
const clock = new ManualClock('2026-05-04T09:00:00.000Z');
let srv: TestServer;
let admin: TestUser;
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ clock });
  admin = await makeAdmin(srv);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

const HOUR = 3_600_000;

async function richUser(prefix: string, balance = 400): Promise<TestUser> {
  const user = await giftUser(srv, prefix);
  await fundTo({ ...admin, api: as(srv, admin, 'admin') }, { ...user, api: as(srv, user) }, balance);
  return user;
}

async function roomOf(owner: TestUser, visibility: 'public' | 'private' = 'public', name = 'room'): Promise<string> {
  const res = await as(srv, owner).post('/api/rooms', { name, visibility });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.room.id as string;
}

const customize = (user: TestUser, roomId: string, body: unknown) =>
  request(srv.url, 'PATCH', `/api/rooms/${roomId}/customization`, { token: srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' }), body });

async function send(user: TestUser, roomId: string, body = 'important'): Promise<string> {
  const socket = await pool.open(srv, { ...user, token: srv.ctx.tokens.sign({ userId: user.id, username: user.username, role: 'user' }) });
  const ack = await emitAck(socket, 'message:send', { roomId, clientMessageId: `c-${Math.random()}`, body });
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
  return (ack as { ok: true; data: { message: { id: string } } }).data.message.id;
}

describe('items without an effect', () => {
  it('are listed unavailable with a reason, and a purchase is ITEM_NOT_AVAILABLE with nothing written', async () => {
    const u = await richUser('na');
    const items = (await as(srv, u).get('/api/shop/items')).body.items as Array<{ id: string; available: boolean; unavailableReason?: string }>;
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get('priority_video_call')).toMatchObject({ available: false, unavailableReason: 'this server has no voice/video calls' });
    expect(byId.get('screen_share_quality')).toMatchObject({ available: false, unavailableReason: 'this server has no screen sharing' });
    expect(byId.get('voice_message_premium')).toMatchObject({ available: false, unavailableReason: 'this server has no voice messages' });
    expect(items.filter((i) => i.available).map((i) => i.id).sort()).toEqual(
      ['animated_emoji', 'boost_room_visibility', 'custom_avatar_frame', 'custom_chat_color', 'extra_5gb_storage', 'increase_file_size_50mb', 'pin_important_message', 'private_room_create', 'profile_badge', 'room_customization', 'streak_freeze', 'unlimited_rooms'].sort(),
    );
    const audit = await srv.ctx.ledger.audit();
    const before = await balanceOf(srv, u);
    for (const itemId of ['priority_video_call', 'screen_share_quality', 'voice_message_premium']) {
      const res = await buy(srv, u, itemId);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'ITEM_NOT_AVAILABLE', details: { itemId } });
    }
    expect(await balanceOf(srv, u)).toBe(before);
    expect((await srv.ctx.ledger.audit()).entries).toBe(audit.entries);
    expect(await srv.ctx.purchases.listByUser(u.id, 10)).toEqual([]);
  });
});

describe('room_customization', () => {
  it('without a purchase is CUSTOMIZATION_NOT_OWNED; with one the theme is set and shown, the purchase is used and no longer refundable', async () => {
    const owner = await richUser('cust');
    const roomId = await roomOf(owner);
    const refused = await customize(owner, roomId, { color: '#aa3300', theme: 'dark' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('CUSTOMIZATION_NOT_OWNED');
    expect((await customize(owner, roomId, { color: 'red', theme: 'dark' })).status).toBe(400);
    expect((await customize(owner, roomId, { color: '#aa3300', theme: 'neon' })).status).toBe(400);

    // A purchase for another room does not customize this one.
    const otherRoom = await roomOf(owner, 'public', 'other');
    await bought(srv, owner, 'room_customization', { roomId: otherRoom });
    expect((await customize(owner, roomId, { color: '#aa3300', theme: 'dark' })).body.error.code).toBe('CUSTOMIZATION_NOT_OWNED');

    const purchaseId = await bought(srv, owner, 'room_customization', { roomId });
    const ok = await customize(owner, roomId, { color: '#aa3300', theme: 'dark' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.room.customization).toMatchObject({ color: '#aa3300', theme: 'dark', updatedBy: owner.id });
    expect((await as(srv, owner).get(`/api/rooms/${roomId}`)).body.room.customization).toMatchObject({ color: '#aa3300', theme: 'dark' });
    const listed = (await as(srv, owner).get('/api/rooms?limit=100')).body.rooms.find((r: { id: string }) => r.id === roomId);
    expect(listed.customization).toMatchObject({ color: '#aa3300', theme: 'dark' });
    expect((await srv.ctx.purchases.findById(purchaseId))?.usedAt).not.toBeNull();
    const noRefund = await refund(srv, owner, purchaseId);
    expect(noRefund.status).toBe(409);
    expect(noRefund.body.error).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'CONSUMED' } });

    // The room is paid for: the owner and moderators edit it again for free; members may not.
    const mod = await registerUser(srv, 'mod');
    const member = await registerUser(srv, 'mem');
    for (const u of [mod, member]) await joinRoom(await pool.open(srv, u), roomId);
    expect((await as(srv, owner).post(`/api/rooms/${roomId}/moderators`, { userId: mod.id })).status).toBe(200);
    const before = await balanceOf(srv, owner);
    const edit = await customize(mod, roomId, { color: '#00ff00', theme: 'forest' });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.room.customization).toMatchObject({ color: '#00ff00', theme: 'forest', updatedBy: mod.id });
    expect((await customize(member, roomId, { color: '#000000', theme: 'light' })).body.error.code).toBe('NOT_ROOM_MODERATOR');
    expect(await balanceOf(srv, owner)).toBe(before);
  });

  it('an unused customization refunds 90% and then customizes nothing', async () => {
    const owner = await richUser('custr');
    const roomId = await roomOf(owner);
    const purchaseId = await bought(srv, owner, 'room_customization', { roomId });
    const res = await refund(srv, owner, purchaseId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ refunded: 90, rule: 'UNUSED' });
    expect((await customize(owner, roomId, { color: '#aa3300', theme: 'dark' })).body.error.code).toBe('CUSTOMIZATION_NOT_OWNED');
    expect((await as(srv, owner).get(`/api/rooms/${roomId}`)).body.room.customization).toBeNull();
  });
});

describe('pin_important_message', () => {
  it('pins a message of the room for 24 hours: members are told and list it; it ends at expiry', async () => {
    const owner = await richUser('pin');
    const roomId = await roomOf(owner);
    const member = await richUser('pinm', 50);
    const outsider = await richUser('pino', 50);
    const memberSocket = await pool.open(srv, member);
    await joinRoom(memberSocket, roomId);
    const messageId = await send(owner, roomId);
    const elsewhere = await send(owner, await roomOf(owner, 'public', 'elsewhere'));

    const before = await balanceOf(srv, member);
    expect((await buy(srv, member, 'pin_important_message', { roomId })).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'messageId' } });
    expect((await buy(srv, member, 'pin_important_message', { roomId, messageId: elsewhere })).body.error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await buy(srv, outsider, 'pin_important_message', { roomId, messageId })).body.error.code).toBe('NOT_A_MEMBER');
    expect((await buy(srv, member, 'custom_chat_color', { messageId })).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await balanceOf(srv, member)).toBe(before);

    const pinned = waitFor(memberSocket, 'message:pinned');
    const res = await buy(srv, member, 'pin_important_message', { roomId, messageId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.purchase).toMatchObject({ roomId, messageId, state: 'active' });
    const event = await pinned;
    expect(event).toMatchObject({ roomId, messageId, pinnedBy: member.id, purchaseId: res.body.purchase.id, until: new Date(clock.now().getTime() + 24 * HOUR).toISOString() });

    const pins = await as(srv, owner).get(`/api/rooms/${roomId}/pins`);
    expect(pins.status).toBe(200);
    expect(pins.body.pins).toEqual([event]);
    expect((await as(srv, outsider).get(`/api/rooms/${roomId}/pins`)).body.error.code).toBe('NOT_A_MEMBER');

    clock.advance(24 * HOUR - 1);
    expect((await as(srv, owner).get(`/api/rooms/${roomId}/pins`)).body.pins).toHaveLength(1);
    clock.advance(1);
    expect((await as(srv, owner).get(`/api/rooms/${roomId}/pins`)).body.pins).toEqual([]);
  });

  it('a refunded pin disappears at once; a replayed purchase does not announce it again', async () => {
    const owner = await richUser('pinr');
    const roomId = await roomOf(owner);
    const messageId = await send(owner, roomId);
    const ownerSocket = await pool.open(srv, { ...owner, token: srv.ctx.tokens.sign({ userId: owner.id, username: owner.username, role: 'user' }) });
    const events = collect(ownerSocket, 'message:pinned');
    const first = await buy(srv, owner, 'pin_important_message', { roomId, messageId, requestId: 'pin-once-1' });
    expect(first.status).toBe(201);
    const again = await buy(srv, owner, 'pin_important_message', { roomId, messageId, requestId: 'pin-once-1' });
    expect(again.body.duplicate).toBe(true);
    await fence(srv, ownerSocket);
    expect(events).toHaveLength(1);
    expect((await as(srv, owner).get(`/api/rooms/${roomId}/pins`)).body.pins).toHaveLength(1);
    const res = await refund(srv, owner, first.body.purchase.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await as(srv, owner).get(`/api/rooms/${roomId}/pins`)).body.pins).toEqual([]);
  });
});

describe('boost_room_visibility', () => {
  it('a boosted public room lists first while the boost lasts; a refund or the expiry ends it; private rooms cannot be boosted', async () => {
    const owner = await richUser('boost');
    const viewer = await registerUser(srv, 'viewer');
    const boostedId = await roomOf(owner, 'public', 'boosted');
    const newer = await roomOf(owner, 'public', 'newer');
    // Bronze cannot create private rooms over HTTP: the store makes one for this check.
    const privateRoom = await srv.ctx.stores.rooms.create({ id: srv.ctx.newId(), name: 'hidden', description: '', visibility: 'private', ownerId: owner.id, createdAt: clock.now() });
    const before = await balanceOf(srv, owner);
    expect((await buy(srv, owner, 'boost_room_visibility', { roomId: privateRoom.id })).body.error.code).toBe('ROOM_NOT_PUBLIC');
    expect(await balanceOf(srv, owner)).toBe(before);

    const list = async () => (await as(srv, viewer).get('/api/rooms?limit=2')).body as { rooms: Array<{ id: string; boostedUntil: string | null }>; nextCursor: string | null };
    expect((await list()).rooms[0]?.id).toBe(newer);

    const first = await bought(srv, owner, 'boost_room_visibility', { roomId: boostedId });
    const page1 = await list();
    expect(page1.rooms[0]).toMatchObject({ id: boostedId, boostedUntil: new Date(clock.now().getTime() + 7 * 24 * HOUR).toISOString() });
    expect(page1.rooms.slice(1).map((r) => r.id)).toEqual(expect.arrayContaining([newer]));
    expect(page1.rooms.filter((r) => r.id === boostedId)).toHaveLength(1);
    // Later pages leave the boosted room out: it is listed once.
    let cursor = page1.nextCursor;
    while (cursor) {
      const page = (await as(srv, viewer).get(`/api/rooms?limit=50&before=${cursor}`)).body;
      expect(page.rooms.map((r: { id: string }) => r.id)).not.toContain(boostedId);
      cursor = page.nextCursor;
    }
    expect((await as(srv, viewer).get(`/api/rooms/${boostedId}`)).body.room.boostedUntil).not.toBeNull();

    expect((await refund(srv, owner, first)).status).toBe(200);
    expect((await list()).rooms[0]?.id).toBe(newer);
    expect((await as(srv, viewer).get(`/api/rooms/${boostedId}`)).body.room.boostedUntil).toBeNull();

    await bought(srv, owner, 'boost_room_visibility', { roomId: boostedId });
    expect((await list()).rooms[0]?.id).toBe(boostedId);
    clock.advance(7 * 24 * HOUR);
    expect((await list()).rooms[0]?.id).toBe(newer);
  });
});
