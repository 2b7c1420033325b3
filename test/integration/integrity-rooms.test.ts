import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { emitAck } from '../support/socket.js';
import { roomChannel } from '../../server/realtime/channels.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';

/**
 * Issue 9, rows 6 and 7: room authority. A moderator cannot lift the owner's ban, and a ban
 * racing a join never leaves the user banned and a member (one node on SQLite, and two nodes
 * over one SQLite file and Redis).
 */
const pool = socketPool();
afterEach(() => pool.closeAll());

describe('who may lift a ban', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('only the owner lifts the owner ban; a moderator lifts a moderator ban', async () => {
    const owner = await registerUser(srv, 'auOwner');
    const mod = await registerUser(srv, 'auMod');
    const victim = await registerUser(srv, 'auVictim');
    const other = await registerUser(srv, 'auOther');
    const room = await createRoom(owner);
    await joinRoom(await pool.open(srv, mod), room.id);
    expect((await owner.api.post(`/api/rooms/${room.id}/moderators`, { userId: mod.id })).status).toBe(200);
    const victimSock = await pool.open(srv, victim);
    await joinRoom(victimSock, room.id);

    expect((await owner.api.post(`/api/rooms/${room.id}/bans`, { userId: victim.id })).status).toBe(201);
    const lift = await mod.api.del(`/api/rooms/${room.id}/bans/${victim.id}`);
    expect(lift.status).toBe(403);
    expect(lift.body.error.code).toBe('CANNOT_LIFT_OWNER_BAN');
    // The attack gains nothing: the ban stands and the user cannot re-join.
    expect((await emitAck(victimSock, 'room:join', { roomId: room.id })).ok).toBe(false);
    expect(await srv.ctx.stores.rooms.getBan(room.id, victim.id)).toMatchObject({ bannedBy: owner.id });

    // A moderator's own ban is any moderator's (or the owner's) to lift.
    expect((await mod.api.post(`/api/rooms/${room.id}/bans`, { userId: other.id })).status).toBe(201);
    expect((await mod.api.del(`/api/rooms/${room.id}/bans/${other.id}`)).body.lifted).toBe(true);
    expect((await owner.api.del(`/api/rooms/${room.id}/bans/${victim.id}`)).body.lifted).toBe(true);
    await joinRoom(victimSock, room.id);
  });
});

/**
 * One trial: the owner bans `victim` on `banNode` while `victim` joins on `joinNode`, at once.
 * Whatever the order, the end state must be: banned, not a member, no socket in the channel.
 */
/** True once no socket of `userId` is in the room channel (false if one is still there after 3 s). */
async function channelClears(node: TestServer, roomId: string, userId: string): Promise<boolean> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const sockets = await node.ctx.io.in(roomChannel(roomId)).fetchSockets();
    if (!sockets.some((s) => s.data.auth.userId === userId)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function raceTrials(banNode: TestServer, joinNode: TestServer, trials: number): Promise<number> {
  const owner = await registerUser(banNode, 'raceOwner');
  const victim = await registerUser(banNode, 'raceVictim');
  const room = await createRoom(owner);
  const sock = await pool.open(joinNode, victim);
  const rooms = banNode.ctx.stores.rooms;
  let bad = 0;
  for (let i = 0; i < trials; i++) {
    const [ban, join] = await Promise.all([
      owner.api.post(`/api/rooms/${room.id}/bans`, { userId: victim.id }),
      emitAck(sock, 'room:join', { roomId: room.id }),
    ]);
    expect(ban.status).toBe(201);
    // A join that won the race is undone by the ban; either way it may be acked ok or refused.
    expect(join.ok || (!join.ok && join.error.code === 'BANNED_FROM_ROOM')).toBe(true);
    const member = await rooms.getMembership(room.id, victim.id);
    const banned = await rooms.isBanned(room.id, victim.id);
    const post = await emitAck(sock, 'message:send', { roomId: room.id, clientMessageId: `race-${i}`, body: 'x' });
    // Channel changes made by the other node travel over Redis: wait for them to land.
    const inChannel = !(await channelClears(joinNode, room.id, victim.id));
    if (member || !banned || post.ok || inChannel) bad++;
    expect((await owner.api.del(`/api/rooms/${room.id}/bans/${victim.id}`)).body.lifted).toBe(true);
  }
  return bad;
}

describe('a ban racing a join', () => {
  it('never leaves a banned member on one node (SQLite)', async () => {
    const srv = await startTestServer();
    try {
      expect(await raceTrials(srv, srv, 60)).toBe(0);
    } finally {
      pool.closeAll();
      await srv.stop();
    }
  });

  it('never leaves a banned member across two nodes (shared SQLite, Redis)', async () => {
    const prefix = uniquePrefix();
    const a = await startTestServer({ redis: { prefix } });
    const b = await startTestServer({ redis: { prefix }, dataDir: a.dataDir });
    try {
      expect(await raceTrials(a, b, 60)).toBe(0);
    } finally {
      pool.closeAll();
      await b.stop();
      await a.stop();
    }
  });
});

describe('the store decides ban and join atomically', () => {
  it('addMemberUnlessBanned and banMember: a concurrent burst never ends banned and a member', async () => {
    const srv = await startTestServer();
    try {
      const owner = await registerUser(srv, 'stOwner');
      const room = await createRoom(owner);
      const rooms = srv.ctx.stores.rooms;
      for (let i = 0; i < 50; i++) {
        const userId = `racer-${i}`;
        const at = new Date();
        await Promise.all([
          rooms.addMemberUnlessBanned({ roomId: room.id, userId, role: 'member', joinedAt: at }),
          rooms.banMember({ roomId: room.id, userId, bannedBy: owner.id, createdAt: at }),
          rooms.addMemberUnlessBanned({ roomId: room.id, userId, role: 'member', joinedAt: at }),
        ]);
        expect(await rooms.getMembership(room.id, userId)).toBeNull();
        expect(await rooms.addMemberUnlessBanned({ roomId: room.id, userId, role: 'member', joinedAt: at })).toEqual({ banned: true });
      }
    } finally {
      await srv.stop();
    }
  });
});
