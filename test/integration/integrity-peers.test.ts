import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwardOutcome } from '../../shared/events.js';
import { emitAck, type TestSocket } from '../support/socket.js';
import { createRoom, joinRoom, socketPool, type TestUser } from './chat-fixtures.js';
import { registerFrom } from './engagement-fixtures.js';
import { freshUser, HOUR_MS } from './integrity-fixtures.js';
import { balanceOf, startEarningServer, uploadFile, type EarningServer } from './earning-fixtures.js';

/**
 * Issue 9, row 4: helpful votes, popular-message reactions and media views fed by alt accounts.
 * With the multiple-accounts rule on, accounts registered from the author's address are linked;
 * with the peer policy, voters/reactors/viewers must also be a day old and have sent a message.
 * Alts now earn the author nothing; independent peers still do.
 */
const AUTHOR_ADDRESS = '127.0.0.1';

let srv: EarningServer;
const pool = socketPool();
let seq = 0;

beforeAll(async () => {
  srv = await startEarningServer({
    activities: { popular_message: { reactionThreshold: 2 }, media_shared: { viewThreshold: 2 } },
    antiAbuse: { multipleAccounts: { accountsPerIpDaily: 50 } },
    peerAwards: { minAccountAgeHours: 24, minMessagesSent: 1, excludeLinkedAccounts: true },
  });
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await srv.stop();
});

const fresh = (u: TestUser): TestUser => freshUser(srv, u);
const send = (socket: TestSocket, roomId: string) => emitAck(socket, 'message:send', { roomId, clientMessageId: `pm-${++seq}`, body: `message ${seq}` });
const awardOf = (ack: { ok: boolean; data?: { award?: AwardOutcome | null } }): AwardOutcome | null | undefined => ack.data?.award;

/** An author, three alts on the author's address, two peers on other addresses; all a day old, all in one room, each has spoken. */
async function cast() {
  const author = await registerFrom(srv, AUTHOR_ADDRESS, {}, 'author');
  const alts = [await registerFrom(srv, AUTHOR_ADDRESS, {}, 'alt'), await registerFrom(srv, AUTHOR_ADDRESS, {}, 'alt'), await registerFrom(srv, AUTHOR_ADDRESS, {}, 'alt')];
  const peers = [await registerFrom(srv, '127.0.0.2', {}, 'peer'), await registerFrom(srv, '127.0.0.3', {}, 'peer')];
  const newcomer = await registerFrom(srv, '127.0.0.4', {}, 'new');
  srv.clock.advance(25 * HOUR_MS);
  const late = await registerFrom(srv, '127.0.0.5', {}, 'late'); // registered now: too new
  const room = await createRoom(fresh(author));
  const sockets = new Map<string, TestSocket>();
  for (const u of [author, ...alts, ...peers, newcomer, late]) {
    const s = await pool.open(srv, fresh(u));
    if (u !== author) await joinRoom(s, room.id);
    if (u !== newcomer) expect(await send(s, room.id)).toMatchObject({ ok: true });
    sockets.set(u.id, s);
  }
  const sock = (u: TestUser): TestSocket => sockets.get(u.id)!;
  return { author: fresh(author), alts: alts.map(fresh), peers: peers.map(fresh), newcomer: fresh(newcomer), late: fresh(late), room, sock };
}

describe('peer-triggered awards count only independent peers', () => {
  it('helpful votes by alts, a silent account or a new account pay nothing; an independent peer pays', async () => {
    const c = await cast();
    const ack = await send(c.sock(c.author), c.room.id);
    const messageId = (ack as { data: { message: { id: string } } }).data.message.id;
    const before = await balanceOf(srv, c.author.id);
    for (const voter of [...c.alts, c.newcomer, c.late]) {
      const vote = await emitAck(c.sock(voter), 'message:vote-helpful', { messageId });
      expect(awardOf(vote), voter.username).toEqual({ activity: 'helpful_content', granted: 0, reason: 'PEER_NOT_ELIGIBLE' });
    }
    expect(await balanceOf(srv, c.author.id)).toBe(before);
    const vote = await emitAck(c.sock(c.peers[0]!), 'message:vote-helpful', { messageId });
    expect(awardOf(vote)).toMatchObject({ activity: 'helpful_content', granted: 10 });
    expect(await balanceOf(srv, c.author.id)).toBe(before + 10);
  });

  it('reactions by three alts do not make a message popular; two independent peers do', async () => {
    const c = await cast();
    const ack = await send(c.sock(c.author), c.room.id);
    const messageId = (ack as { data: { message: { id: string } } }).data.message.id;
    const key = `earn:popular_message:${messageId}`;
    for (const alt of c.alts) expect(await emitAck(c.sock(alt), 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true });
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    expect(await emitAck(c.sock(c.peers[0]!), 'message:react', { messageId, emoji: '👍', on: true })).toMatchObject({ ok: true });
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    expect(await emitAck(c.sock(c.peers[1]!), 'message:react', { messageId, emoji: '🎉', on: true })).toMatchObject({ ok: true });
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toMatchObject({ activity: 'popular_message', metadata: { independentPeers: 2 } });
  });

  it('views by alts do not pay media_shared; views by two independent peers do', async () => {
    const c = await cast();
    const fileId = await uploadFile(srv, c.author);
    expect(await emitAck(c.sock(c.author), 'file:share', { roomId: c.room.id, fileId })).toMatchObject({ ok: true });
    const key = `earn:media_shared:${fileId}`;
    for (const viewer of [...c.alts, c.late]) expect((await viewer.api.get(`/api/files/${fileId}`)).status).toBe(200);
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toBeNull();
    for (const viewer of c.peers) expect((await viewer.api.get(`/api/files/${fileId}`)).status).toBe(200);
    expect(await srv.ctx.ledger.findByIdempotencyKey(key)).toMatchObject({ activity: 'media_shared' });
  });
});
