import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startPeerProcess } from '../support/node-process.js';
import { client } from '../support/http.js';
import { waitFor, type TestSocket } from '../support/socket.js';
import { registerUser, socketPool, type TestUser } from './chat-fixtures.js';
import { giftUser, makeAdmin, overridesFile, PIN, rid } from './gifts-fixtures.js';

/**
 * Issue 13 (h13a): gift combos. Gifts from one sender to one recipient, each within
 * `gifts.comboWindowSeconds` of the previous, carry the same `combo.id` with a rising `count` and
 * running `total` on `gift:received`; a pause longer than the window starts a new run; another
 * recipient has its own run. Counted in Redis across two nodes, and in the SQLite file on the
 * embedded default. Each gift stays its own ledger entry (the audit counts them).
 *
 * On two nodes, node B is a separate process (server/main.ts, issue 15), reached only over HTTP:
 * a process cannot share the test's manual clock, so both nodes run on the real clock with a 5 s
 * window; gifts meant to fall inside it are sent back to back, and the pause waits out the window
 * (a known duration: no event marks a run's end). The embedded default keeps a manual clock and
 * a 10 s window, and moves the clock to just inside and just past it.
 */
const sockets = socketPool();
afterEach(() => sockets.closeAll());

/**
 * Node A, the node to send through as "B" (`b.url`), and how time moves between gifts: on the
 * manual clock by the given milliseconds, on the real clock not at all (back to back) or past the
 * window.
 */
type Nodes = { a: TestServer; b: { url: string }; stop(): Promise<void>; insideWindow(manualMs: number): Promise<void>; pastWindow(): Promise<void> };
type Setup = { name: string; start(): Promise<Nodes> };
const REAL_WINDOW_SECONDS = 5;
const setups: Setup[] = [
  {
    name: 'two nodes over Redis',
    async start() {
      const env = { ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { comboWindowSeconds: REAL_WINDOW_SECONDS } }) };
      const a = await startTestServer({ redis: true, env });
      const b = await startPeerProcess(a, env);
      return {
        a,
        b,
        stop: async () => {
          await b.stop();
          await a.stop();
        },
        insideWindow: async () => undefined,
        // Called right after the last gift's response, so the gap from that gift's stamp exceeds the window.
        pastWindow: () => new Promise((resolve) => setTimeout(resolve, REAL_WINDOW_SECONDS * 1000 + 50)),
      };
    },
  },
  {
    name: 'the embedded default (SQLite counters)',
    async start() {
      const clock = new ManualClock('2026-07-01T10:00:00.000Z');
      const a = await startTestServer({ clock, env: { ECONOMY_OVERRIDES_FILE: overridesFile({ gifts: { comboWindowSeconds: 10 } }) } });
      return {
        a,
        b: a,
        stop: () => a.stop(),
        insideWindow: async (ms) => {
          clock.advance(ms);
        },
        pastWindow: async () => {
          clock.advance(10_001);
        },
      };
    },
  },
];

describe.each(setups)('gift combos on $name', (setup) => {
  let a: TestServer;
  let b: { url: string };
  let nodes: Nodes;
  let admin: TestUser;
  beforeAll(async () => {
    nodes = await setup.start();
    ({ a, b } = nodes);
    admin = await makeAdmin(a);
  }, 60_000);
  afterAll(async () => nodes.stop());

  /** Sends a gift over HTTP through `srv` and returns the combo the recipient's socket is told. */
  async function giftAndSee(srv: { url: string }, from: TestUser, to: TestUser, toSocket: TestSocket, amount: number) {
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
    await nodes.insideWindow(9_000);
    expect(await giftAndSee(b, sender, to, toSocket, 2)).toEqual({ id: first!.id, count: 2, total: 3 });
    // Another recipient in between: its own run, this one goes on.
    const apart = await giftAndSee(b, sender, other, otherSocket, 5);
    expect(apart).toMatchObject({ count: 1, total: 5 });
    expect(apart!.id).not.toBe(first!.id);
    // The window's edge still counts (on the manual clock: exactly 10 s after the previous gift).
    await nodes.insideWindow(10_000);
    expect(await giftAndSee(a, sender, to, toSocket, 3)).toEqual({ id: first!.id, count: 3, total: 6 });
    // A pause longer than the window: a new run, whose id is its first gift's.
    await nodes.pastWindow();
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
