import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/socket.js';
import { userChannel } from '../../server/realtime/channels.js';
import { registerUser, socketPool } from './chat-fixtures.js';

/**
 * server/realtime/ws-write-batching.ts (issue 16): what a connection is sent in one turn of the
 * event loop leaves in one TCP write, in order, and a close still lets it out first.
 */
let srv: TestServer;
const sockets = socketPool();

beforeAll(async () => {
  srv = await startTestServer();
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

interface TcpWrites {
  _write(...a: unknown[]): unknown;
  _writev(...a: unknown[]): unknown;
}

/** Counts the TCP writes of the server side of the user's one connection. */
function countWrites(userId: string): { writes: number } {
  const socketIds = srv.io.of('/').adapter.rooms.get(userChannel(userId));
  expect(socketIds?.size).toBe(1);
  const socket = srv.io.of('/').sockets.get([...socketIds!][0]!)!;
  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: TcpWrites } } }).transport.socket._socket;
  const counter = { writes: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...a: unknown[]) => {
      counter.writes++;
      return original(...a);
    };
  }
  return counter;
}

describe('writes of one turn together', () => {
  it('five events broadcast in one turn reach the client in order through one TCP write', async () => {
    const user = await registerUser(srv, 'Batch');
    const client = await sockets.open(srv, user);
    const counter = countWrites(user.id);
    const seen: number[] = [];
    client.on('tokens:balance', (e) => seen.push(e.balance));
    const last = waitFor(client, 'tokens:balance', (e) => e.balance === 5);
    for (let balance = 1; balance <= 5; balance++) srv.ctx.broadcast.emit({ users: [user.id] }, 'tokens:balance', { balance, tier: 'bronze' });
    await last;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(counter.writes).toBe(1);
  });

  it('an event broadcast right before the user is disconnected still arrives, before the disconnect', async () => {
    const user = await registerUser(srv, 'Bye');
    const client = await sockets.open(srv, user);
    const order: string[] = [];
    client.on('tokens:balance', () => order.push('event'));
    const gone = new Promise<void>((resolve) => client.on('disconnect', () => resolve()));
    srv.ctx.broadcast.emit({ users: [user.id] }, 'tokens:balance', { balance: 7, tier: 'bronze' });
    srv.ctx.broadcast.disconnectUsers([user.id]);
    await gone;
    order.push('disconnect');
    expect(order).toEqual(['event', 'disconnect']);
  });
});
