import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { startNodePair, useNodePair, type NodePair } from '../support/node-pair.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { balanceOf } from './earning-fixtures.js';
import { PLAIN_MULTIPLIERS, writeOverrides as overridesFile } from './engagement-fixtures.js';

/**
 * Two nodes sharing one Redis and one data directory share the earning caps, and an economy
 * reload on either reaches the other. Node B is a separate process (server/main.ts) with the same
 * economy config, reached only over the wire (issue 15); it runs on the real clock, so node A does
 * too, and the multipliers are plain so an award is its base whatever the day.
 */
const sockets = socketPool();
afterEach(() => sockets.closeAll());

describe('two server instances sharing one Redis and one data directory', () => {
  let a: TestServer;
  let b: NodeProcess;
  useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile({ ...PLAIN_MULTIPLIERS, caps: { activityDailyEvents: { send_message: 3 } } }) }, (pair) => ({ a, b } = pair));

  it('share the caps: messages sent through either node count against one daily cap', async () => {
    const owner = await registerUser(a, 'Owner');
    const ownerOnB = client(b.url, owner.token);
    const room = await createRoom(owner);
    const onA = await sockets.open(a, owner);
    const onB = await sockets.open(b, owner);
    await joinRoom(onA, room.id);
    const before = await balanceOf(a, owner.id);
    const granted: unknown[] = [];
    for (const [i, sock] of [onA, onB, onA, onB].entries()) {
      const ack = await emitAck(sock, 'message:send', { roomId: room.id, clientMessageId: `two-${i}`, body: 'hi' });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      granted.push(ack.data.award);
    }
    expect(granted).toEqual([
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 1 },
      { activity: 'send_message', granted: 0, reason: 'ACTIVITY_CAP' },
    ]);
    expect((await ownerOnB.get(`/api/tokens/balance/${owner.id}`)).body.balance).toBe(before + 3);
    const capOnB = await ownerOnB.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(capOnB.body.remaining.activityEvents).toBe(0);
  });
});

describe('economy config reload reaches every node sharing Redis', () => {
  let dir: string;
  let file: string;
  let nodes: NodePair;
  let a: TestServer;
  let b: NodeProcess;
  /** Same file, another REDIS_PREFIX: a separate deployment that must not follow. */
  let other: TestServer;
  const writeOverrides = (o: unknown): void => writeFileSync(file, JSON.stringify(o));
  const configOf = async (srv: { url: string }) => (await client(srv.url).get('/api/economy/config')).body as { version: number; config: { caps: { dailyTotalTokens: number } } };
  /** Polls until `srv` shows `version` (pub/sub delivery is asynchronous), then returns its config. */
  const untilVersion = async (srv: { url: string }, version: number) => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const body = await configOf(srv);
      if (body.version === version || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tc-economy-nodes-'));
    file = join(dir, 'economy.json');
    writeOverrides({ caps: { dailyTotalTokens: 300 } });
    const env = { ECONOMY_OVERRIDES_FILE: file, ADMIN_USERNAMES: 'reload_admin' };
    nodes = await startNodePair(env);
    ({ a, b } = nodes);
    other = await startTestServer({ redis: { prefix: uniquePrefix() }, env });
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
    await nodes?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Resolves once node B has handled every reload notice A published before: each node reads the
   * adapter's Redis stream in order and handles a notice synchronously, and B answers A's
   * fetchSockets (a later entry of the same stream) only after that. So a late notice can never
   * re-read a file the test has rewritten since.
   */
  const bHasHandledANotices = async (): Promise<void> => {
    await a.io.fetchSockets();
  };

  it('an admin reload on A reloads B; A answers its own result; a bad file is refused on every node', async () => {
    const reg = await client(a.url).post('/api/auth/register', { username: 'reload_admin', password: 'correct horse battery' });
    expect(reg.status).toBe(201);
    const adminOnA = client(a.url, reg.body.token);
    const adminOnB = client(b.url, reg.body.token);
    expect(await configOf(b)).toMatchObject({ version: 1, config: { caps: { dailyTotalTokens: 300 } } });
    // A knows B (the adapter's heartbeat), so the fence below waits for B's answer.
    expect(await a.io.of('/').adapter.serverCount()).toBe(2);

    writeOverrides({ caps: { dailyTotalTokens: 350 } });
    const ok = await adminOnA.post('/api/admin/economy/reload');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ version: 2 });
    expect(await untilVersion(b, 2)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });
    await bHasHandledANotices();
    // One notice, one reload: B is still at version 2.
    expect(await configOf(b)).toMatchObject({ version: 2 });
    expect(await configOf(a)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });

    writeOverrides({ caps: { dailyTotalTokens: -1 } });
    const bad = await adminOnA.post('/api/admin/economy/reload');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'ECONOMY_CONFIG_INVALID', details: { version: 2 } });
    // B got the notice too and refused the same file, keeping version 2. The reverse direction
    // (B -> A): the operator's reload on B (its admin route; SIGHUP on B calls the same reload).
    await bHasHandledANotices();
    expect(await configOf(b)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });
    writeOverrides({ caps: { dailyTotalTokens: 360 } });
    const onB = await adminOnB.post('/api/admin/economy/reload');
    expect(onB.status).toBe(200);
    expect(onB.body).toEqual({ version: 3 });
    expect(await untilVersion(a, 3)).toMatchObject({ version: 3, config: { caps: { dailyTotalTokens: 360 } } });
    expect(await configOf(b)).toMatchObject({ version: 3, config: { caps: { dailyTotalTokens: 360 } } });

    // A node under another REDIS_PREFIX is another deployment: it never heard of these reloads.
    expect(await configOf(other)).toMatchObject({ version: 1, config: { caps: { dailyTotalTokens: 300 } } });
  });
});
