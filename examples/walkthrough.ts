/**
 * A complete client session against a running token-chat server, as README "Try it" tells it:
 * register two users, create a room, join it over Socket.IO, send a message (and retry it with
 * the same clientMessageId), set a PIN, gift tokens, and buy a pin for the message in the shop.
 *
 *   npm start                                   # in one terminal
 *   npx tsx examples/walkthrough.ts http://127.0.0.1:3000
 *
 * The test suite runs this very file against a real server (test/integration/examples.test.ts).
 * Types come from shared/, the contract every client can import.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../shared/ack.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/events.js';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the walkthrough did, for the caller (and the test) to check. */
export interface WalkthroughResult {
  alice: { id: string; balance: number };
  bob: { id: string; balance: number };
  roomId: string;
  messageId: string;
  giftId: string;
  purchaseId: string;
}

/** JSON over HTTP; throws with the server's error code on a non-2xx answer. */
async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${data.error?.code}: ${data.error?.message}`);
  return data;
}

/** Emits a client event and resolves with its ack's data, or throws with the ack's error code. */
async function emit<E extends keyof ClientToServerEvents>(socket: ChatSocket, event: E, payload: Parameters<ClientToServerEvents[E]>[0]) {
  type Data = Parameters<ClientToServerEvents[E]>[1] extends (a: Ack<infer T>) => void ? T : never;
  // The untyped view: emitWithAck's typing does not follow a generic event name.
  const ack = (await (socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<Data>> }).emitWithAck(event, payload));
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

function connect(base: string, token: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export async function runWalkthrough(base: string, log: (line: string) => void = console.log): Promise<WalkthroughResult> {
  const tag = randomBytes(3).toString('hex');
  const password = 'correct horse battery';

  // 1. Register two users: each gets a JWT and the registration award.
  const alice = await api<{ token: string; user: { id: string } }>(base, 'POST', '/api/auth/register', { username: `alice_${tag}`, password });
  const bob = await api<{ token: string; user: { id: string } }>(base, 'POST', '/api/auth/register', { username: `bob_${tag}`, password });
  log(`registered alice (${alice.user.id}) and bob (${bob.user.id})`);

  // 2. Alice creates a public room (earns create_room).
  const { room } = await api<{ room: { id: string } }>(base, 'POST', '/api/rooms', { name: 'walkthrough', visibility: 'public' }, alice.token);
  log(`room ${room.id} created`);

  // 3. Both connect over Socket.IO with their token and join the room.
  const aliceSocket = await connect(base, alice.token);
  const bobSocket = await connect(base, bob.token);
  try {
    await emit(aliceSocket, 'room:join', { roomId: room.id });
    const joined = await emit(bobSocket, 'room:join', { roomId: room.id });
    log(`bob joined as ${joined.role}; award: ${JSON.stringify(joined.award)}`);

    // 4. Alice sends a message; Bob sees it live. A retry with the same clientMessageId is the same message.
    const seen = new Promise<string>((resolve) => bobSocket.once('message:new', (m) => resolve(m.body)));
    const sent = await emit(aliceSocket, 'message:send', { roomId: room.id, clientMessageId: `hello-${tag}`, body: 'Hello, Bob!' });
    const retried = await emit(aliceSocket, 'message:send', { roomId: room.id, clientMessageId: `hello-${tag}`, body: 'Hello, Bob!' });
    if (retried.message.id !== sent.message.id) throw new Error('a retry posted a second message');
    log(`message ${sent.message.id} sent (award ${JSON.stringify(sent.award)}); bob saw "${await seen}"`);

    // 5. Alice sets a PIN (it needs her password): gifts and purchases ask for it.
    await api(base, 'POST', '/api/tokens/pin', { password, pin: '4321' }, alice.token);

    // 6. Alice gifts Bob 5 tokens in the room; the whole room sees gift:received.
    const landed = new Promise<number>((resolve) => bobSocket.once('gift:received', (g) => resolve(g.amount)));
    const gift = await emit(aliceSocket, 'gift:send', { toUserId: bob.user.id, amount: 5, pin: '4321', roomId: room.id, message: 'thanks!', requestId: `gift-${tag}` });
    log(`gift ${gift.gift.giftId} of ${await landed} landed; alice has ${gift.balance} left`);

    // 7. Alice buys a 24 h pin for her message (10 tokens), idempotent by requestId.
    const bought = await api<{ purchase: { id: string }; balance: number }>(
      base,
      'POST',
      '/api/shop/purchase',
      { itemId: 'pin_important_message', pin: '4321', requestId: `buy-${tag}`, roomId: room.id, messageId: sent.message.id },
      alice.token,
    );
    log(`purchase ${bought.purchase.id}: message pinned; alice has ${bought.balance} left`);

    const balance = async (who: { token: string; user: { id: string } }) => (await api<{ balance: number }>(base, 'GET', `/api/tokens/balance/${who.user.id}`, undefined, who.token)).balance;
    return {
      alice: { id: alice.user.id, balance: await balance(alice) },
      bob: { id: bob.user.id, balance: await balance(bob) },
      roomId: room.id,
      messageId: sent.message.id,
      giftId: gift.gift.giftId,
      purchaseId: bought.purchase.id,
    };
  } finally {
    aliceSocket.close();
    bobSocket.close();
  }
}

// Run as a script: `tsx examples/walkthrough.ts [base URL]`; prints a JSON summary last.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWalkthrough(process.argv[2] ?? 'http://127.0.0.1:3000').then(
    (result) => console.log(JSON.stringify(result)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
