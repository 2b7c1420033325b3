import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { connect, emitAck, waitFor, type TestSocket } from '../support/socket.js';
import { PASSWORD, createRoom, joinRoom, registerUser } from './chat-fixtures.js';

/**
 * A real Redis outage: a Redis server of the test's own is killed while the chat server runs on
 * it (caps, counters and the Socket.IO Redis adapter). Chat keeps flowing on the node, awards are
 * refused with a reason, /readyz says Redis is down, and nothing crashes the process (an
 * unhandled rejection from a fire-and-forget publish would fail this run).
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // the port is taken: redis is listening
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

let redis: ChildProcess;
let server: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  server = await startTestServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: uniquePrefix() } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  redis?.kill('SIGKILL');
});

describe('Redis stops mid-run', () => {
  it('chat keeps flowing, awards say CAPS_UNAVAILABLE, readiness says redis is down', async () => {
    const owner = await registerUser(server, 'Outage');
    const member = await registerUser(server, 'Watcher');
    const room = await createRoom(owner);
    const ownerSocket = await connect(server.url, owner.token);
    const memberSocket = await connect(server.url, member.token);
    sockets.push(ownerSocket, memberSocket);
    await joinRoom(memberSocket, room.id);

    expect((await owner.api.post('/api/tokens/pin', { password: PASSWORD, pin: '2468' })).status).toBe(200);
    const before = await emitAck(ownerSocket, 'message:send', { roomId: room.id, clientMessageId: 'before', body: 'redis up' });
    expect(before.ok && before.data.award?.granted).toBe(1);

    redis.kill('SIGKILL');
    const client = server.redis!;
    for (let i = 0; i < 200 && client.status === 'ready'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(client.status).not.toBe('ready');

    for (let i = 0; i < 3; i++) {
      const delivered = waitFor(memberSocket, 'message:new', (m) => m.clientMessageId === `during-${i}`);
      const ack = await emitAck(ownerSocket, 'message:send', { roomId: room.id, clientMessageId: `during-${i}`, body: 'redis down' });
      expect(ack.ok).toBe(true);
      if (ack.ok) expect(ack.data.award).toEqual({ activity: 'send_message', granted: 0, reason: 'CAPS_UNAVAILABLE' });
      expect((await delivered).body).toBe('redis down');
    }
    // What needs the counters refuses instead of running unchecked, and moves nothing.
    const balance = (await server.ctx.ledger.account(owner.id)).balance;
    const gift = await emitAck(ownerSocket, 'gift:send', { toUserId: member.id, amount: 1, pin: '2468', requestId: 'outage-gift' });
    expect(gift).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    const purchase = await owner.api.post('/api/shop/purchase', { itemId: 'custom_chat_color', pin: '2468', requestId: 'outage-buy' });
    expect(purchase.status).toBe(503);
    expect(purchase.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await server.ctx.ledger.account(owner.id)).balance).toBe(balance);

    const ready = await request(server.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toBe('down');
    // Give any stray publish rejection time to surface before the test ends.
    await new Promise((r) => setTimeout(r, 200));
  });
});
