import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { client } from '../support/http.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, as, registerAdmin, writeOverrides } from './engagement-fixtures.js';
import { STANDING_CACHE_MS } from '../../server/abuse/award-gate.js';

/**
 * Two nodes over one Redis and one data directory: a ban on one node disconnects the user's
 * sockets on the other, TOO_FAST state is shared, a suspension reaches the other node within the
 * same moment (a node notice), concurrent penalties take distinct steps; Redis down refuses awards only.
 * Node B is a separate process (server/main.ts) with the same economy config, reached only over
 * the wire (issue 15). A process runs on the real clock, so both nodes do: the message interval is
 * waited out in real time (nothing signals its end), which is why it is short and the waits are
 * computed from the last answer, not guessed. A suspension reaches B's cached standing through a
 * node notice, at once, not after the cache time.
 */
const sockets = socketPool();
afterEach(() => sockets.closeAll());

const MIN_MESSAGE_INTERVAL_MS = 1500;
const OVERRIDES = { ...PLAIN_MULTIPLIERS, antiAbuse: { fakeActivity: { minMessageIntervalMs: MIN_MESSAGE_INTERVAL_MS, duplicateWindowMs: 0 } } };

/** Resolves at `atMs` (epoch ms) on the real clock. */
const until = (atMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));

describe('anti-abuse across two nodes', () => {
  let a: TestServer;
  let b: NodeProcess;
  let admin: TestUser;
  useNodePair({ ECONOMY_OVERRIDES_FILE: writeOverrides(OVERRIDES), ADMIN_USERNAMES: 'adm_nodes' }, async (pair) => {
    ({ a, b } = pair);
    admin = await registerAdmin(a, 'adm_nodes');
  });

  /** The admin, talking to node B (one JWT secret, so A's signature is good there). */
  const adminOnB = () => client(b.url, a.ctx.tokens.sign({ userId: admin.id, username: admin.username, role: 'admin' }));

  it('TOO_FAST state is shared; a suspension applied on A reaches B; a ban on A disconnects the sockets on B', async () => {
    const user = await registerUser(a, 'twonode');
    const room = await createRoom(user);
    const onA = await sockets.open(a, user);
    const onB = await sockets.open(b, user);
    await joinRoom(onA, room.id);
    let n = 0;
    // When the last send was answered: its guard check (which every message moves) was no later.
    let answeredAt = 0;
    const send = async (sock: typeof onA) => {
      const ack = await emitAck(sock, 'message:send', { roomId: room.id, clientMessageId: `n-${++n}`, body: `m${n}` });
      answeredAt = Date.now();
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      return ack.data.award;
    };
    expect((await send(onA))?.granted).toBe(1);
    expect((await send(onB))?.reason).toBe('TOO_FAST');

    await until(answeredAt + MIN_MESSAGE_INTERVAL_MS);
    // B caches the user's (empty) standing now; A then suspends.
    expect((await send(onB))?.granted).toBe(1);
    const cachedOnB = answeredAt;
    const penalize = (requestId: string, severe = false) => as(a, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: 'farming', requestId, severe });
    await penalize('w');
    await penalize('s');
    await until(answeredAt + MIN_MESSAGE_INTERVAL_MS);
    expect((await send(onA))?.reason).toBe('EARNING_SUSPENDED');
    // B cached the user's clean standing moments ago and would trust it for STANDING_CACHE_MS; A's
    // `abuse:standing-changed` notice makes it forget at once. A round trip through the adapter's
    // stream (every node answers in order) proves B has handled the notice, with no timed wait.
    await a.io.fetchSockets();
    expect(Date.now() - cachedOnB).toBeLessThan(STANDING_CACHE_MS);
    expect((await send(onB))?.reason).toBe('EARNING_SUSPENDED');

    const goneOnB = new Promise<void>((resolve) => onB.once('disconnect', () => resolve()));
    const goneOnA = new Promise<void>((resolve) => onA.once('disconnect', () => resolve()));
    expect((await penalize('ban', true)).status).toBe(201);
    await Promise.all([goneOnA, goneOnB]);
  });

  it('two admins penalising at once take two consecutive steps', async () => {
    const user = await registerUser(a, 'race');
    const results = await Promise.all([
      as(a, admin, 'admin').post('/api/admin/penalties', { userId: user.id, reason: 'r', requestId: 'one' }),
      adminOnB().post('/api/admin/penalties', { userId: user.id, reason: 'r', requestId: 'two' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results.map((r) => r.body.penalty.sequence).sort()).toEqual([1, 2]);
    expect(results.map((r) => r.body.penalty.action).sort()).toEqual(['earning_suspension', 'warning']);
  });
});

describe('counters down', () => {
  let srv: EarningServer;
  beforeAll(async () => {
    srv = await startEarningServer(OVERRIDES);
  });
  afterAll(async () => {
    await srv.stop();
  });

  it('with Redis down a message still flows; its award is CAPS_UNAVAILABLE and nothing moves', async () => {
    const user = await registerUser(srv, 'down');
    const room = await createRoom(user);
    const socket = await sockets.open(srv, user);
    await joinRoom(socket, room.id);
    const before = await balanceOf(srv, user.id);
    srv.redis!.disconnect();
    const ack = await emitAck(socket, 'message:send', { roomId: room.id, clientMessageId: 'd1', body: 'still here' });
    expect(ack).toMatchObject({ ok: true, data: { message: { body: 'still here' }, award: { granted: 0, reason: 'CAPS_UNAVAILABLE' } } });
    expect(await balanceOf(srv, user.id)).toBe(before);
  });
});
