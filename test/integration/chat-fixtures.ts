import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { client } from '../support/http.js';
import { connect, emitAck, type TestSocket } from '../support/socket.js';
import type { TestServer } from '../support/server.js';
import type { RoomView } from '../../shared/events.js';
import { roomChannel } from '../../server/realtime/channels.js';
import { awardTokens } from '../../server/ledger/award.js';

/** Shared helpers of the chat integration suites: unique users, rooms, sockets. */

/** A username no other test in the run uses (3-32 chars of [A-Za-z0-9_]). */
export function uname(prefix = 'u'): string {
  return `${prefix.slice(0, 12)}_${randomBytes(6).toString('hex')}`;
}

export const PASSWORD = 'correct horse battery';

export interface TestUser {
  id: string;
  username: string;
  token: string;
  api: ReturnType<typeof client>;
}

export async function registerUser(srv: TestServer, prefix = 'u', extra: Record<string, unknown> = {}): Promise<TestUser> {
  const username = uname(prefix);
  const res = await client(srv.url).post('/api/auth/register', { username, password: PASSWORD, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.user.id, username, token: res.body.token, api: client(srv.url, res.body.token) };
}

export async function createRoom(owner: TestUser, visibility: 'public' | 'private' = 'public', name = 'room'): Promise<RoomView> {
  const res = await owner.api.post('/api/rooms', { name, visibility });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.room as RoomView;
}

/**
 * Private rooms are a gold-tier benefit (bronze has no private_rooms): funds `user` to the gold
 * threshold with an admin award, the way an operator would, so a suite can create private rooms.
 */
export async function fundToGold(srv: TestServer, user: TestUser): Promise<void> {
  const gold = srv.ctx.economy.current.tiers.thresholds.gold;
  const { balance } = await srv.ctx.ledger.account(user.id);
  if (balance >= gold) return;
  await awardTokens(srv.ctx, 'test-admin', { userId: user.id, amount: gold - balance, reason: 'private rooms need gold', requestId: `gold-${user.id}` });
}

/** Opens sockets that are closed by `closeAll` (call it in afterEach/afterAll). */
export function socketPool() {
  const open: TestSocket[] = [];
  return {
    async open(srv: Pick<TestServer, 'url'>, user: TestUser): Promise<TestSocket> {
      const s = await connect(srv.url, user.token);
      open.push(s);
      return s;
    },
    closeAll(): void {
      for (const s of open.splice(0)) s.close();
    },
  };
}

export type SocketPool = ReturnType<typeof socketPool>;

/**
 * An owner and a member, both connected through `sockets` and in one room. A private room's owner
 * is funded to gold (private rooms are a gold benefit) and invites the member first.
 */
export async function chatRoom(srv: TestServer, sockets: SocketPool, visibility: 'public' | 'private' = 'public') {
  const owner = await registerUser(srv, 'Owner');
  const member = await registerUser(srv, 'Member');
  if (visibility === 'private') await fundToGold(srv, owner);
  const room = await createRoom(owner, visibility);
  if (visibility === 'private') await owner.api.post(`/api/rooms/${room.id}/invites`, { userId: member.id });
  const ownerSock = await sockets.open(srv, owner);
  const memberSock = await sockets.open(srv, member);
  await joinRoom(memberSock, room.id);
  return { owner, member, room, ownerSock, memberSock };
}

/** Joins `user` to `roomId` over the socket and asserts it worked. */
export async function joinRoom(socket: TestSocket, roomId: string): Promise<void> {
  const ack = await emitAck(socket, 'room:join', { roomId });
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
}

/**
 * Waits until the server has put `count` sockets in the room channel: `onConnect` joins channels
 * after `connect` fires on the client, so a test that relies on it waits here first. With the
 * Redis adapter the count covers every node of the cluster (the adapter asks them all).
 */
export async function waitForChannel(srv: TestServer, roomId: string, count: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sockets = await srv.io.in(roomChannel(roomId)).fetchSockets();
    if (sockets.length === count) return;
    if (Date.now() > deadline) throw new Error(`room channel has ${sockets.length} sockets, expected ${count}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A polling pause. Never the proof that something did NOT arrive: a pause only hopes so; use
 * fence() (test/support/fence.ts), which waits for a marker sent after it.
 */
export function settle(ms = 100): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
