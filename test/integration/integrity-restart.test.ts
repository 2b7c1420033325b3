import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { emitAck, connect } from '../support/socket.js';
import { createRoom, registerUser } from './chat-fixtures.js';
import { fundTo, giftUser, makeAdmin, overridesFile, PIN, sendGift } from './gifts-fixtures.js';
import { rmSync } from 'node:fs';

/**
 * Issue 9, row 9: on the embedded default a restart reset daily gift counts and PIN lockouts
 * (59 gifts in one day, limit 10, across 8 restarts). The counters now live in the SQLite file:
 * each test replays the attack across restarts of a node on the same data directory.
 */
const env = {
  ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { maxPerDay: 2 }, caps: { activityDailyEvents: { send_message: 2 } } }),
};

let dataDir: string | undefined;
let current: TestServer | undefined;
afterEach(async () => {
  await current?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  current = undefined;
  dataDir = undefined;
});

/** Stops the running node (keeping its data directory) and starts a fresh one on it. */
async function restart(): Promise<TestServer> {
  await current?.close();
  current = await startTestServer({ env, ...(dataDir ? { dataDir } : {}) });
  dataDir ??= current.dataDir;
  return current;
}

describe('limits that survive a restart (SQLite)', () => {
  it('the daily gift count holds across restarts', async () => {
    let srv = await restart();
    const admin = await makeAdmin(srv);
    const sender = await giftUser(srv, 'rsGift');
    const to = await registerUser(srv, 'rsTo');
    await fundTo(admin, sender, 50);
    const before = (await srv.ctx.ledger.account(sender.id)).balance;
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      const sock = await connect(srv.url, sender.token);
      const ack = await sendGift(sock, { toUserId: to.id, amount: 1 });
      results.push(ack.ok ? 'ok' : ack.error.code);
      sock.close();
      srv = await restart();
    }
    expect(results).toEqual(['ok', 'ok', 'GIFT_DAILY_COUNT_EXCEEDED', 'GIFT_DAILY_COUNT_EXCEEDED']);
    // Two gifts of 1 token left the sender, not four.
    expect(before - (await srv.ctx.ledger.account(sender.id)).balance).toBe(2);
  });

  it('a PIN lockout holds across a restart', async () => {
    let srv = await restart();
    const sender = await giftUser(srv, 'rsPin');
    const to = await registerUser(srv, 'rsPinTo');
    let sock = await connect(srv.url, sender.token);
    for (let i = 0; i < 5; i++) await sendGift(sock, { toUserId: to.id, amount: 1, pin: '0000' });
    sock.close();
    srv = await restart();
    sock = await connect(srv.url, sender.token);
    try {
      expect(await sendGift(sock, { toUserId: to.id, amount: 1, pin: PIN })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    } finally {
      sock.close();
    }
  });

  it('the daily earning cap holds across restarts', async () => {
    let srv = await restart();
    const user = await registerUser(srv, 'rsCap');
    const room = await createRoom(user);
    const granted: number[] = [];
    for (let i = 0; i < 4; i++) {
      const sock = await connect(srv.url, user.token);
      const ack = await emitAck(sock, 'message:send', { roomId: room.id, clientMessageId: `rs-${i}`, body: 'hello there' });
      expect(ack.ok).toBe(true);
      granted.push(ack.ok ? (ack.data.award?.granted ?? -1) : -1);
      sock.close();
      srv = await restart();
    }
    expect(granted.slice(2)).toEqual([0, 0]);
    expect(granted[0]).toBeGreaterThan(0);
    expect(granted[1]).toBeGreaterThan(0);
  });
});
