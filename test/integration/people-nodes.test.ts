import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { startPeerProcess, type NodeProcess } from '../support/node-process.js';
import { client } from '../support/http.js';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, PASSWORD, registerUser, socketPool, waitForChannel, type TestUser } from './chat-fixtures.js';

/**
 * Direct messages, room management and account deletion across two nodes sharing one Redis and
 * one SQLite directory: channel joins, leaves and disconnects made on node A reach sockets on B.
 * Node B is a separate process (server/main.ts), so nothing but Redis and the store is shared;
 * node A stays in this process only so that `waitForChannel` can ask its Socket.IO adapter, which
 * counts the channel's sockets on every node of the cluster.
 */
let a: TestServer;
let b: NodeProcess;
const pool = socketPool();

beforeAll(async () => {
  a = await startTestServer({ redis: true });
  b = await startPeerProcess(a);
  // A second process starts tsx and the whole server: seconds on a loaded machine.
}, 60_000);
afterEach(() => pool.closeAll());
afterAll(async () => {
  await b.stop();
  await a.stop();
});

describe('two nodes', () => {
  it('a DM opened on node A puts the peer on node B in the room at once', async () => {
    const alice = await registerUser(a, 'alice');
    const bob = await registerUser(a, 'bob');
    const bobOnB = await pool.open(b, bob);
    const opened = waitFor(bobOnB, 'dm:opened');
    const res = await alice.api.post('/api/dms', { userId: bob.id });
    expect(res.status).toBe(201);
    expect((await opened).room).toMatchObject({ id: res.body.room.id, peer: { id: alice.id } });
    await waitForChannel(a, res.body.room.id, 1);
    const got = waitFor(bobOnB, 'message:new');
    expect(await emitAck(await pool.open(a, alice), 'message:send', { roomId: res.body.room.id, clientMessageId: 'x-node', body: 'hi bob' })).toMatchObject({ ok: true });
    expect((await got).body).toBe('hi bob');
    // The same pair through node B is the same room.
    expect((await client(b.url, bob.token).post('/api/dms', { userId: alice.id })).body).toMatchObject({ created: false, room: { id: res.body.room.id } });
  });

  it('a room deleted on node A empties its channel on node B', async () => {
    const owner = await registerUser(a, 'owner');
    const member: TestUser = await registerUser(a, 'member');
    const room = await createRoom(owner);
    const memberOnB = await pool.open(b, member);
    await joinRoom(memberOnB, room.id);
    const heard = waitFor(memberOnB, 'room:deleted');
    expect((await owner.api.del(`/api/rooms/${room.id}`)).status).toBe(200);
    expect(await heard).toEqual({ roomId: room.id, by: owner.id });
    await waitForChannel(a, room.id, 0);
  });

  it('deleting an account on node A disconnects its sockets on node B', async () => {
    const u = await registerUser(a, 'leaver');
    const onB = await pool.open(b, u);
    const dropped = new Promise<string>((resolve) => onB.once('disconnect', (reason) => resolve(reason)));
    expect((await u.api.del('/api/users/me', { password: PASSWORD })).status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
    expect((await client(b.url, u.token).get('/api/users/me')).body.error.code).toBe('TOKEN_INVALID');
  });
});
