import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import type { NodeProcess } from '../support/node-process.js';
import { useNodePair } from '../support/node-pair.js';
import { client } from '../support/http.js';
import { collect, waitFor } from '../support/socket.js';
import { createRoom, joinRoom, registerUser, socketPool, waitForChannel, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';
import { balanceOf, fundTo, giftUser, makeAdmin, overridesFile, sendGift } from './gifts-fixtures.js';

/**
 * Two server instances on different ports sharing one Redis (same prefix) and one SQLite data
 * directory, as replicas behind a load balancer: live events cross nodes through the Socket.IO
 * Redis adapter, and gift limits and PIN lockouts are the same whichever node a request hits.
 * Node B is a separate process (server/main.ts) with the same economy config, reached only over
 * the wire (issue 15); node A stays in this process so that `waitForChannel` and `fence` can use
 * its adapter, which reaches the sockets of every node.
 */
let a: TestServer;
let b: NodeProcess;
let admin: TestUser;
const pool = socketPool();

/** The same user, talking to node B. */
const onB = (user: TestUser): TestUser => ({ ...user, api: client(b.url, user.token) });

// Both nodes run one economy config; receive_gift pays for two gifts a day so the shared cap shows.
useNodePair({ ECONOMY_OVERRIDES_FILE: overridesFile({ caps: { activityDailyEvents: { receive_gift: 2 } } }) }, async (pair) => {
  ({ a, b } = pair);
  admin = await makeAdmin(a);
});
afterEach(() => pool.closeAll());

describe('two nodes', () => {
  it('a room gift sent through node A reaches members connected to node B, and no outsider there', async () => {
    const sender = await giftUser(a, 'mnsend');
    const to = await registerUser(a, 'mnto');
    const member = await registerUser(a, 'mnmem');
    const outsider = await registerUser(a, 'mnout');
    const room = await createRoom(sender);
    await fundTo(admin, sender, 40);
    const senderSocket = await pool.open(a, sender);
    const toOnB = await pool.open(b, to);
    const memberOnB = await pool.open(b, member);
    const outsiderOnB = await pool.open(b, outsider);
    await joinRoom(toOnB, room.id);
    await joinRoom(memberOnB, room.id);
    await waitForChannel(a, room.id, 3);
    const outsiderSeen = collect(outsiderOnB, 'gift:received');
    const toSeen = collect(toOnB, 'gift:received');
    const arrivals = [toOnB, memberOnB].map((s) => waitFor(s, 'gift:received'));
    expect(await sendGift(senderSocket, { toUserId: to.id, amount: 9, message: 'across', roomId: room.id })).toMatchObject({ ok: true, data: { balance: 31 } });
    for (const e of await Promise.all(arrivals)) expect(e).toMatchObject({ from: { id: sender.id }, to: { id: to.id }, amount: 9, roomId: room.id });
    await fence(a, toOnB, outsiderOnB);
    expect(toSeen).toHaveLength(1);
    expect(outsiderSeen).toHaveLength(0);
    expect(await balanceOf(onB(sender))).toBe(31);
  });

  it('the 10-a-day gift count is shared: gifts through both nodes add up', async () => {
    const sender = await giftUser(a, 'mncount', { admin, balance: 2000 });
    const to = await registerUser(a, 'mncountto');
    const onA = await pool.open(a, sender);
    const onBSocket = await pool.open(b, sender);
    for (let i = 0; i < 10; i++) expect(await sendGift(i % 2 === 0 ? onA : onBSocket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: true });
    expect(await sendGift(onBSocket, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_COUNT_EXCEEDED' } });
    expect(await sendGift(onA, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'GIFT_DAILY_COUNT_EXCEEDED' } });
    expect(await balanceOf(sender)).toBe(1990);
  });

  it('a PIN lockout earned on node A holds on node B', async () => {
    const sender = await giftUser(a, 'mnlock', { admin, balance: 40 });
    const to = await registerUser(a, 'mnlockto');
    const onA = await pool.open(a, sender);
    for (let i = 0; i < 4; i++) expect(await sendGift(onA, { toUserId: to.id, amount: 1, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID' } });
    const onBSocket = await pool.open(b, sender);
    // The fifth wrong PIN, on the other node, completes the same count.
    expect(await sendGift(onBSocket, { toUserId: to.id, amount: 1, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED' } });
    expect(await sendGift(onA, { toUserId: to.id, amount: 1 })).toMatchObject({ ok: false, error: { code: 'PIN_LOCKED', details: { retryAfterSeconds: expect.any(Number) } } });
    expect(await balanceOf(sender)).toBe(40);
  });

  it("earning caps are shared: the recipient's receive_gift bonus stops at its daily count whichever node the gifts go through", async () => {
    const sender = await giftUser(a, 'mncap', { admin, balance: 60 });
    const to = await registerUser(a, 'mncapto');
    const before = await balanceOf(to);
    const onA = await pool.open(a, sender);
    const onBSocket = await pool.open(b, sender);
    for (const socket of [onA, onBSocket, onA, onBSocket]) expect(await sendGift(socket, { toUserId: to.id, amount: 5 })).toMatchObject({ ok: true });
    const bonus = a.ctx.economy.current.activities.receive_gift.tokens;
    expect(await balanceOf(to)).toBe(before + 4 * 5 + 2 * bonus);
    const history = await to.api.get(`/api/tokens/history/${to.id}?kind=earn`);
    expect(history.body.items.filter((i: { activity: string }) => i.activity === 'receive_gift')).toHaveLength(2);
  });
});
