import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { emitAck, waitFor } from '../support/socket.js';
import { awardTokens } from '../../server/ledger/award.js';
import { THEME_PERK_MARK } from '../../server/shop/room-effects.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';

/**
 * The seed's tier perks that exist on a chat server (docs/chat.md "Tier perks"): priority in
 * rooms (member lists by tier, messages carry it) and custom room themes for platinum. Custom
 * avatars from silver are in profiles.test.ts.
 */
let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startTestServer();
});
afterEach(() => sockets.closeAll());
afterAll(async () => srv.stop());

async function userAt(tier: 'bronze' | 'silver' | 'gold' | 'platinum', prefix: string): Promise<TestUser> {
  const u = await registerUser(srv, prefix);
  const target = srv.ctx.economy.current.tiers.thresholds[tier];
  const { balance } = await srv.ctx.ledger.account(u.id);
  if (target > balance) await awardTokens(srv.ctx, 'test-admin', { userId: u.id, amount: target - balance, reason: 'tier for the test', requestId: `tier-${u.id}` });
  return u;
}

describe('priority in rooms', () => {
  it('lists silver-and-up members first, higher tiers first, the rest in join order; messages carry the tier', async () => {
    const owner = await userAt('bronze', 'owner');
    const room = await createRoom(owner);
    const joiners = [await userAt('bronze', 'b1'), await userAt('silver', 's1'), await userAt('platinum', 'p1'), await userAt('bronze', 'b2'), await userAt('gold', 'g1')];
    for (const u of joiners) await joinRoom(await sockets.open(srv, u), room.id);
    const [b1, s1, p1, b2, g1] = joiners;
    const members = (await owner.api.get(`/api/rooms/${room.id}/members`)).body.members as Array<{ user: { id: string; tier: string } }>;
    expect(members.map((m) => m.user.id)).toEqual([p1!.id, g1!.id, s1!.id, owner.id, b1!.id, b2!.id]);
    expect(members.map((m) => m.user.tier)).toEqual(['platinum', 'gold', 'silver', 'bronze', 'bronze', 'bronze']);

    const ownerSock = await sockets.open(srv, owner);
    const got = waitFor(ownerSock, 'message:new');
    await emitAck(await sockets.open(srv, g1!), 'message:send', { roomId: room.id, clientMessageId: 'tier-1', body: 'hi' });
    expect((await got).author).toMatchObject({ id: g1!.id, tier: 'gold', badge: srv.ctx.economy.current.tiers.benefits.gold.badge });
  });
});

describe('custom room themes for platinum', () => {
  const customize = (u: TestUser, roomId: string, body: unknown) => request(srv.url, 'PATCH', `/api/rooms/${roomId}/customization`, { token: u.token, body });

  it('lets a platinum owner theme a room without a purchase', async () => {
    const owner = await userAt('platinum', 'plat');
    const room = await createRoom(owner);
    const res = await customize(owner, room.id, { color: '#123456', theme: 'midnight' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.room.customization).toMatchObject({ color: '#123456', theme: 'midnight', updatedBy: owner.id });
    expect((await srv.ctx.stores.rooms.customizationsOf([room.id])).get(room.id)?.purchaseId).toBe(THEME_PERK_MARK);
    expect(await srv.ctx.purchases.listByUser(owner.id, 10)).toEqual([]);
  });

  it('still asks gold for a room_customization purchase', async () => {
    const owner = await userAt('gold', 'gold');
    const room = await createRoom(owner);
    const res = await customize(owner, room.id, { color: '#123456', theme: 'midnight' });
    expect([res.status, res.body.error.code]).toEqual([403, 'CUSTOMIZATION_NOT_OWNED']);
    expect((await owner.api.get(`/api/rooms/${room.id}`)).body.room.customization).toBeNull();
  });
});
