import { afterEach, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import pino from 'pino';
import { uniquePrefix, REDIS_URL, type TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { collect, emitAck, waitFor, type TestSocket } from '../support/socket.js';
import type { MessageView } from '../../shared/events.js';
import { createRedis, waitReady } from '../../server/redis.js';
import { createPresenceTracker } from '../../server/realtime/presence.js';
import { createRoom, joinRoom, registerUser, socketPool, waitForChannel } from './chat-fixtures.js';

/**
 * Issue 10 on two nodes sharing Redis (the streams adapter) and one SQLite file: presence and
 * typing cross nodes, the typing throttle holds across nodes, a client cut off from node A
 * recovers its missed events on node B, and a dead node's users go offline when its entries
 * expire. Node B is a separate process (server/main.ts) with the same throttle, reached only over
 * the wire (issue 15); node A stays in this process so that `waitForChannel` can ask its adapter,
 * which counts the channel's sockets on every node. The dead-node scenario drives two presence
 * trackers directly (no server), so it needs neither.
 */
let a: TestServer;
let b: NodeProcess;
const pool = socketPool();
const open: TestSocket[] = [];

useNodePair({ TYPING_THROTTLE_MS: '60000' }, (pair) => ({ a, b } = pair));
afterEach(() => {
  pool.closeAll();
  for (const s of open.splice(0)) s.close();
});

let seq = 0;
async function say(socket: TestSocket, roomId: string, body: string): Promise<MessageView> {
  const ack = await emitAck(socket, 'message:send', { roomId, clientMessageId: `mn-${++seq}`, body });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  return ack.data.message;
}

async function connectManual(url: string, auth: Record<string, unknown>): Promise<TestSocket> {
  const socket: TestSocket = ioClient(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('presence and typing across nodes', () => {
  it('a user connecting and leaving on node B is announced to a member on node A, once each', async () => {
    const owner = await registerUser(a, 'PresA');
    const guest = await registerUser(a, 'PresB');
    const room = await createRoom(owner);
    const ownerOnA = await pool.open(a, owner);
    const setup = await pool.open(b, guest);
    await joinRoom(setup, room.id);
    const seen = collect(ownerOnA, 'presence');
    const online = waitFor(ownerOnA, 'presence', (e) => e.userId === guest.id && e.online);
    const offline = waitFor(ownerOnA, 'presence', (e) => e.userId === guest.id && !e.online);
    setup.close();
    await offline;
    const guestOnB = await connectManual(b.url, { token: guest.token });
    await online;
    // Node A sees B's socket in the members list.
    const members = (await owner.api.get(`/api/rooms/${room.id}/members`)).body.members as Array<{ user: { id: string }; online: boolean }>;
    expect(members.find((m) => m.user.id === guest.id)?.online).toBe(true);
    const offlineAgain = waitFor(ownerOnA, 'presence', (e) => e.userId === guest.id && !e.online);
    guestOnB.close();
    await offlineAgain;
    expect(seen.filter((e) => e.userId === guest.id)).toEqual([
      { userId: guest.id, online: false },
      { userId: guest.id, online: true },
      { userId: guest.id, online: false },
    ]);
  });

  it('typing on node B reaches node A; the throttle holds for the same user on node A', async () => {
    const owner = await registerUser(a, 'TypA');
    const typist = await registerUser(a, 'TypB');
    const room = await createRoom(owner);
    const ownerOnA = await pool.open(a, owner);
    const typistOnB = await pool.open(b, typist);
    await joinRoom(typistOnB, room.id);
    const typistOnA = await pool.open(a, typist);
    // Counted on every node: the owner and the typist's two sockets.
    await waitForChannel(a, room.id, 3);
    const got = waitFor(ownerOnA, 'typing', (e) => e.user.id === typist.id);
    expect(await emitAck(typistOnB, 'typing', { roomId: room.id })).toMatchObject({ ok: true });
    expect((await got).roomId).toBe(room.id);
    expect(await emitAck(typistOnA, 'typing', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});

describe('recovery across nodes', () => {
  it('a client cut off from node A reconnects to node B and receives every missed message exactly once', async () => {
    const owner = await registerUser(a, 'RecOwner');
    const reader = await registerUser(a, 'RecReader');
    const room = await createRoom(owner);
    const ownerOnB = await pool.open(b, owner);
    const readerOnA = await connectManual(a.url, { token: reader.token });
    await joinRoom(readerOnA, room.id);
    const firstSeen = waitFor(readerOnA, 'message:new');
    await say(ownerOnB, room.id, 'before');
    await firstSeen;
    const session = readerOnA as unknown as { _pid?: string; _lastOffset?: string };
    expect(typeof session._pid).toBe('string');
    const gone = waitFor(ownerOnB, 'presence', (e) => e.userId === reader.id && !e.online);
    readerOnA.io.engine.close();
    await gone;
    const missed = [await say(ownerOnB, room.id, 'missed 1'), await say(ownerOnB, room.id, 'missed 2')];
    // What a load balancer does after a node change: the same client state, another node.
    const got: MessageView[] = [];
    const readerOnB: TestSocket = ioClient(b.url, {
      auth: { token: reader.token, pid: session._pid, offset: session._lastOffset },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    open.push(readerOnB);
    readerOnB.on('message:new', (m) => got.push(m));
    await new Promise<void>((resolve, reject) => {
      readerOnB.once('connect', () => resolve());
      readerOnB.once('connect_error', reject);
    });
    const live = waitFor(readerOnB, 'message:new', (m) => m.body === 'after');
    await say(ownerOnB, room.id, 'after');
    await live;
    expect(got.map((m) => m.id)).toEqual([...missed.map((m) => m.id), expect.any(String)]);
    expect(got.map((m) => m.body)).toEqual(['missed 1', 'missed 2', 'after']);
  });
});

describe('a dead node', () => {
  it("its users' presence expires; one sweep on a live node reports them offline once", async () => {
    const logger = pino({ level: 'silent' });
    const redisA = createRedis(REDIS_URL, logger, 'presence-a');
    const redisB = createRedis(REDIS_URL, logger, 'presence-b');
    await Promise.all([waitReady(redisA, 5000), waitReady(redisB, 5000)]);
    try {
      // Near real time: the sets' own key expiry is absolute (PEXPIREAT), judged by Redis's clock.
      let now = Date.now();
      const opts = { prefix: uniquePrefix(), ttlSeconds: 3, logger, nowMs: () => now };
      const nodeA = createPresenceTracker(redisA, opts);
      const nodeB = createPresenceTracker(redisB, opts);
      expect(await nodeA.connected('u1', 'sA1')).toBe(true);
      expect(await nodeA.connected('u2', 'sA2')).toBe(true);
      expect(await nodeB.connected('u2', 'sB2')).toBe(false);
      expect([...(await nodeB.onlineOf(['u1', 'u2', 'u3']))].sort()).toEqual(['u1', 'u2']);
      // Node A dies: its entries are no longer renewed. Node B keeps beating.
      now += 2000;
      expect(await nodeB.beat()).toEqual([]);
      now += 2000;
      expect([...(await nodeB.onlineOf(['u1', 'u2']))]).toEqual(['u2']);
      expect(await nodeB.beat()).toEqual(['u1']);
      expect(await nodeB.beat()).toEqual([]);
      // u2's own socket on B keeps them online; closing it is their last.
      expect(await nodeB.disconnected('u2', 'sB2')).toBe(true);
      expect(await nodeB.onlineOf(['u2'])).toEqual(new Set());
    } finally {
      redisA.disconnect();
      redisB.disconnect();
    }
  });
});
