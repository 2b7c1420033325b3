import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin, rid, sendGift } from './gifts-fixtures.js';

/** Stored notifications for gifts and room rewards: listing, the unread filter, paging and marking read. */
let srv: TestServer;
let admin: TestUser;
const pool = socketPool();

beforeAll(async () => {
  srv = await startTestServer({ redis: true });
  admin = await makeAdmin(srv);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

describe('/api/notifications', () => {
  it('stores gifts and rewards for the recipient, lists them newest first, and marks them read', async () => {
    const sender = await giftUser(srv, 'nsend', { admin, balance: 40 });
    const to = await registerUser(srv, 'nto');
    const bystander = await registerUser(srv, 'nby');
    const room = await createRoom(sender);
    const senderSocket = await pool.open(srv, sender);
    await joinRoom(await pool.open(srv, to), room.id);
    await joinRoom(await pool.open(srv, bystander), room.id);

    // Sent while the recipient has no socket open: the notification is still there afterwards.
    pool.closeAll();
    const socket = await pool.open(srv, sender);
    expect(await sendGift(socket, { toUserId: to.id, amount: 3, message: 'one' })).toMatchObject({ ok: true });
    expect(await sendGift(socket, { toUserId: to.id, amount: 4, message: 'two', roomId: room.id })).toMatchObject({ ok: true });
    expect(await emitAck(socket, 'room:reward', { roomId: room.id, userId: to.id, amount: 5, reason: 'kind words', requestId: rid('nr') })).toMatchObject({ ok: true });
    expect(senderSocket.connected).toBe(false);

    const all = await to.api.get('/api/notifications');
    expect(all.status).toBe(200);
    type Item = { id: string; type: string; read: boolean; data: Record<string, unknown> };
    const items = all.body.items as Item[];
    // Other features (achievements) may add their own notifications; ours are these three.
    const ours = items.filter((n) => n.type === 'gift' || n.type === 'room_reward');
    expect(ours.map((n) => n.type)).toEqual(['room_reward', 'gift', 'gift']);
    expect(ours[1]).toMatchObject({ read: false, readAt: null, data: { amount: 4, message: 'two', roomId: room.id, from: { id: sender.id } } });
    expect(ours[2]).toMatchObject({ data: { amount: 3, message: 'one', roomId: null } });
    expect(ours[0]!.data).toMatchObject({ amount: 5, reason: 'kind words', by: { id: sender.id } });
    expect((await bystander.api.get('/api/notifications')).body.items.filter((n: Item) => n.type === 'gift' || n.type === 'room_reward')).toEqual([]);

    const page = await to.api.get('/api/notifications?limit=2');
    expect(page.body.items.map((n: Item) => n.id)).toEqual(items.slice(0, 2).map((n) => n.id));
    const rest = await to.api.get(`/api/notifications?limit=50&before=${page.body.nextCursor}`);
    expect(rest.body.items.map((n: Item) => n.id)).toEqual(items.slice(2).map((n) => n.id));

    const [reward, roomGift, plainGift] = ours as [Item, Item, Item];
    // Someone else's ids are ignored.
    expect((await bystander.api.post('/api/notifications/read', { ids: [reward.id] })).body).toEqual({ updated: 0 });
    const marked = await to.api.post('/api/notifications/read', { ids: [reward.id, roomGift.id, reward.id] });
    expect(marked.body).toEqual({ updated: 2 });
    const unread = (await to.api.get('/api/notifications?unread=true')).body.items as Item[];
    expect(unread.map((n) => n.id)).toContain(plainGift.id);
    expect(unread.map((n) => n.id)).not.toContain(reward.id);
    expect(unread.map((n) => n.id)).not.toContain(roomGift.id);
    expect(unread.every((n) => !n.read)).toBe(true);
    const again = (await to.api.get('/api/notifications')).body.items as Item[];
    expect(again.find((n) => n.id === reward.id)).toMatchObject({ read: true, readAt: expect.any(String) });
    expect((await to.api.post('/api/notifications/read', { ids: [reward.id] })).body).toEqual({ updated: 0 });
  });

  it('refuses bad input and anonymous callers', async () => {
    const user = await registerUser(srv, 'nbad');
    expect((await user.api.post('/api/notifications/read', { ids: [] })).status).toBe(400);
    expect((await user.api.post('/api/notifications/read', {})).status).toBe(400);
    expect((await user.api.get('/api/notifications?limit=0')).status).toBe(400);
    expect((await user.api.get('/api/notifications?unread=maybe')).status).toBe(400);
    expect((await fetch(`${srv.url}/api/notifications`)).status).toBe(401);
  });
});
