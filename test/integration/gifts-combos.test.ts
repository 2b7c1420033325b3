import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, uniquePrefix, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { waitFor, type TestSocket } from '../support/socket.js';
import { registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin, overridesFile, PIN, rid } from './gifts-fixtures.js';

/**
 * Issue 13 (h13a): gift combos. Gifts from one sender to one recipient, each within
 * `gifts.comboWindowSeconds` (10 s here) of the previous, carry the same `combo.id` with a rising
 * `count` and running `total` on `gift:received`; a pause longer than the window starts a new
 * run; another recipient has its own run. Counted in Redis across two nodes, and in the SQLite file
 * on the embedded default. Each gift stays its own ledger entry (the audit counts them).
 */
const sockets = socketPool();
afterEach(() => sockets.closeAll());

type Setup = { name: string; start(clock: ManualClock): Promise<[TestServer, TestServer, () => Promise<void>]> };
const setups: Setup[] = [
  {
    name: 'two nodes over Redis',
    async start(clock) {
      const prefix = uniquePrefix();
      const env = { ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { comboWindowSeconds: 10 } }) };
      const a = await startTestServer({ clock, redis: { prefix }, env });
      const b = await startTestServer({ clock, redis: { prefix }, dataDir: a.dataDir, env });
      return [a, b, async () => { await b.stop(); await a.stop(); }];
    },
  },
  {
    name: 'the embedded default (SQLite counters)',
    async start(clock) {
      const a = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { comboWindowSeconds: 10 } }) } });
      return [a, a, () => a.stop()];
    },
  },
];

describe.each(setups)('gift combos on $name', (setup) => {
  const clock = new ManualClock('2026-07-01T10:00:00.000Z');
  let a: TestServer;
  let b: TestServer;
  let stop: () => Promise<void>;
  let admin: TestUser;
  beforeAll(async () => {
    [a, b, stop] = await setup.start(clock);
    admin = await makeAdmin(a);
  });
  afterAll(async () => stop());

  /** Sends a gift over HTTP through `srv` and returns the combo the recipient's socket is told. */
  async function giftAndSee(srv: TestServer, from: TestUser, to: TestUser, toSocket: TestSocket, amount: number) {
    const seen = waitFor(toSocket, 'gift:received', (e) => e.from.id === from.id && e.to.id === to.id && e.amount === amount);
    const res = await client(srv.url, from.token).post('/api/tokens/gift', { toUserId: to.id, amount, pin: PIN, requestId: rid() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const event = await seen;
    expect(event.giftId).toBe(res.body.gift.giftId);
    return event.combo;
  }

  it('counts a run across nodes, restarts after the window, and keeps runs apart per recipient', async () => {
    const sender = await giftUser(a, 'combo', { admin, balance: 200 });
    const to = await registerUser(a, 'comboto');
    const other = await registerUser(a, 'combooth');
    const toSocket = await sockets.open(a, to);
    const otherSocket = await sockets.open(a, other);

    const first = await giftAndSee(a, sender, to, toSocket, 1);
    expect(first).toMatchObject({ count: 1, total: 1 });
    clock.advance(9_000);
    expect(await giftAndSee(b, sender, to, toSocket, 2)).toEqual({ id: first!.id, count: 2, total: 3 });
    // Another recipient in between: its own run, this one goes on.
    const apart = await giftAndSee(b, sender, other, otherSocket, 5);
    expect(apart).toMatchObject({ count: 1, total: 5 });
    expect(apart!.id).not.toBe(first!.id);
    clock.advance(10_000);
    expect(await giftAndSee(a, sender, to, toSocket, 3)).toEqual({ id: first!.id, count: 3, total: 6 });
    // A pause longer than the window: a new run, whose id is its first gift's.
    clock.advance(10_001);
    const fresh = await giftAndSee(b, sender, to, toSocket, 4);
    expect(fresh).toMatchObject({ count: 1, total: 4 });
    expect(fresh!.id).not.toBe(first!.id);
    // Each gift is its own ledger entry.
    const history = await client(a.url, sender.token).get(`/api/tokens/history/${sender.id}?limit=50`);
    expect(history.body.items.filter((e: { kind: string }) => e.kind === 'gift')).toHaveLength(5);
    expect((await a.ctx.ledger.audit()).ok).toBe(true);
  });

  it('gifts sent at once from both nodes each get their own place in the run', async () => {
    const sender = await giftUser(a, 'burst', { admin, balance: 200 });
    const to = await registerUser(a, 'burstto');
    const toSocket = await sockets.open(a, to);
    const counts: number[] = [];
    const all = new Promise<void>((resolve) => {
      toSocket.on('gift:received', (e) => {
        if (e.from.id !== sender.id || !e.combo) return;
        counts.push(e.combo.count);
        if (counts.length === 6) resolve();
      });
    });
    const sent = await Promise.all(Array.from({ length: 6 }, (_, i) => client((i % 2 ? a : b).url, sender.token).post('/api/tokens/gift', { toUserId: to.id, amount: 1, pin: PIN, requestId: rid() })));
    expect(sent.map((r) => r.status)).toEqual(Array(6).fill(201));
    await all;
    expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
