import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http.js';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { emitAck } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool } from './chat-fixtures.js';
import { balanceOf, startEarningServer, type EarningServer } from './earning-fixtures.js';

const sockets = socketPool();
afterEach(() => sockets.closeAll());

describe('two server instances sharing one Redis and one data directory', () => {
  let a: EarningServer;
  let b: EarningServer;
  beforeAll(async () => {
    const prefix = uniquePrefix();
    const overrides = { caps: { activityDailyEvents: { send_message: 3 } } };
    a = await startEarningServer(overrides, { redis: { prefix } });
    b = await startEarningServer(overrides, { redis: { prefix }, dataDir: a.dataDir });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('share the caps: messages sent through either node count against one daily cap', async () => {
    const owner = await registerUser(a, 'Owner');
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
    expect(await balanceOf(b, owner.id)).toBe(before + 3);
    const capOnB = await owner.api.post('/api/tokens/check-cap', { activity: 'send_message' });
    expect(capOnB.body.remaining.activityEvents).toBe(0);
  });
});

describe('economy config reload reaches every node sharing Redis', () => {
  let dir: string;
  let file: string;
  let a: TestServer;
  let b: TestServer;
  /** Same file, another REDIS_PREFIX: a separate deployment that must not follow. */
  let other: TestServer;
  const writeOverrides = (o: unknown): void => writeFileSync(file, JSON.stringify(o));
  const configOf = async (srv: TestServer) => (await client(srv.url).get('/api/economy/config')).body as { version: number; config: { caps: { dailyTotalTokens: number } } };
  /** Polls until `srv` shows `version` (pub/sub delivery is asynchronous), then returns its config. */
  const untilVersion = async (srv: TestServer, version: number) => {
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
    const prefix = uniquePrefix();
    const env = { ECONOMY_OVERRIDES_FILE: file, ADMIN_USERNAMES: 'reload_admin' };
    a = await startTestServer({ redis: { prefix }, env });
    b = await startTestServer({ redis: { prefix }, env, dataDir: a.dataDir });
    other = await startTestServer({ redis: { prefix: uniquePrefix() }, env });
  });
  afterAll(async () => {
    await other.stop();
    await b.stop();
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an admin reload on A reloads B; A answers its own result; a bad file is refused on every node', async () => {
    const reg = await client(a.url).post('/api/auth/register', { username: 'reload_admin', password: 'correct horse battery' });
    expect(reg.status).toBe(201);
    const adminOnA = client(a.url, reg.body.token);
    expect(await configOf(b)).toMatchObject({ version: 1, config: { caps: { dailyTotalTokens: 300 } } });
    // Notices B has handled: the test moves on only after B has acted on each one, so a late
    // notice can never re-read a file the test has rewritten since.
    let noticesOnB = 0;
    b.io.on('economy:reload', () => void (noticesOnB += 1));
    const untilNoticesOnB = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && noticesOnB < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(noticesOnB).toBe(n);
    };

    writeOverrides({ caps: { dailyTotalTokens: 350 } });
    const ok = await adminOnA.post('/api/admin/economy/reload');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ version: 2 });
    expect(await untilVersion(b, 2)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });
    await untilNoticesOnB(1);
    expect(await configOf(a)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });

    writeOverrides({ caps: { dailyTotalTokens: -1 } });
    const bad = await adminOnA.post('/api/admin/economy/reload');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'ECONOMY_CONFIG_INVALID', details: { version: 2 } });
    // B got the notice too and refused the same file, keeping version 2. The reverse direction
    // (B -> A) is what SIGHUP on B does.
    await untilNoticesOnB(2);
    expect(await configOf(b)).toMatchObject({ version: 2, config: { caps: { dailyTotalTokens: 350 } } });
    writeOverrides({ caps: { dailyTotalTokens: 360 } });
    expect(b.ctx.reloadEconomy('SIGHUP')).toEqual({ ok: true, version: 3 });
    expect(await untilVersion(a, 3)).toMatchObject({ version: 3, config: { caps: { dailyTotalTokens: 360 } } });
    expect(await configOf(b)).toMatchObject({ version: 3, config: { caps: { dailyTotalTokens: 360 } } });

    // A node under another REDIS_PREFIX is another deployment: it never heard of these reloads.
    expect(await configOf(other)).toMatchObject({ version: 1, config: { caps: { dailyTotalTokens: 300 } } });
  });
});
