import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { emitAck, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, waitForChannel } from './chat-fixtures.js';

/**
 * Channels across tabs and nodes: two server nodes over one SQLite file and one Redis (the
 * Socket.IO Redis adapter), so "every socket of the user" must mean every socket on every node.
 * Node B is a separate process (server/main.ts), reached only over the wire, so nothing but Redis
 * and the store is shared (issue 15); node A stays in this process so that `waitForChannel` can
 * ask its adapter, which counts the channel's sockets on every node.
 */
let nodeA: TestServer;
let nodeB: NodeProcess;
const sockets = socketPool();

useNodePair({}, (pair) => ({ a: nodeA, b: nodeB } = pair));
afterEach(() => sockets.closeAll());

describe('personal channel and room channels', () => {
  it('a join made in one tab puts every tab of the user, on every node, in the room', async () => {
    const owner = await registerUser(nodeA, 'Owner');
    const user = await registerUser(nodeA, 'Tabs');
    const room = await createRoom(owner);
    const ownerOnB = await sockets.open(nodeB, owner);
    const tabA = await sockets.open(nodeA, user);
    const tabB = await sockets.open(nodeB, user);
    await waitForChannel(nodeA, room.id, 1);
    await joinRoom(tabA, room.id);
    await waitForChannel(nodeA, room.id, 3);
    const onA = waitFor(tabA, 'message:new');
    const onB = waitFor(tabB, 'message:new');
    await emitAck(ownerOnB, 'message:send', { roomId: room.id, clientMessageId: 'x-node', body: 'everywhere' });
    expect((await onA).body).toBe('everywhere');
    expect((await onB).body).toBe('everywhere');
  });

  it('a kick reaches every open tab of the kicked user and takes all of them out', async () => {
    const owner = await registerUser(nodeA, 'Owner');
    const user = await registerUser(nodeA, 'Kicked');
    const room = await createRoom(owner);
    const tab1 = await sockets.open(nodeA, user);
    const tab2 = await sockets.open(nodeB, user);
    await joinRoom(tab1, room.id);
    await waitForChannel(nodeA, room.id, 2);
    const told1 = waitFor(tab1, 'room:member-left');
    const told2 = waitFor(tab2, 'room:member-left');
    expect((await owner.api.post(`/api/rooms/${room.id}/kick`, { userId: user.id })).status).toBe(200);
    expect(await told1).toMatchObject({ userId: user.id, reason: 'kicked' });
    expect(await told2).toMatchObject({ userId: user.id, reason: 'kicked' });
    await waitForChannel(nodeA, room.id, 0);
  });

  it('a socket that connects to either node joins the rooms its user belongs to', async () => {
    const owner = await registerUser(nodeA, 'Owner');
    const user = await registerUser(nodeA, 'Member');
    const room = await createRoom(owner);
    await joinRoom(await sockets.open(nodeA, user), room.id);
    const late = await sockets.open(nodeB, user);
    const ownerSock = await sockets.open(nodeA, owner);
    await waitForChannel(nodeA, room.id, 3);
    const got = waitFor(late, 'message:new');
    await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'late', body: 'catch up' });
    expect((await got).body).toBe('catch up');
  });
});
