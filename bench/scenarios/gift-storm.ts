import { performance } from 'node:perf_hooks';
import type { GiftView } from '../../shared/events.js';
import type { BenchSettings } from '../settings.js';
import { startServer } from '../server-process.js';
import { connectSocket, createRoom, emitAck, http, HttpError, mapLimit, okData, register, type BenchSocket, type BenchUser } from '../api.js';
import { benchPassword, closeAll, registerUsers, runTag } from '../population.js';
import { round1 } from '../load.js';
import { SampleBuffer, type LatencySummary } from '../samples.js';

export interface Unavailable {
  available: false;
  reason: string;
}

export interface GiftStormResult {
  available: true;
  /** Registering, funding, PINs, joining: before the storm, not measured by it. */
  setupMs: number;
  members: number;
  senders: number;
  giftsAttempted: number;
  giftsCommitted: number;
  refusedByCode: Record<string, number>;
  /** Committed gifts per second, first send to last ack. */
  committedPerSec: number;
  /** send -> ack at the sender. */
  ack: LatencySummary;
  /** send -> `gift:received` at each member of the room (sender and recipient included). */
  received: LatencySummary;
  eventsExpected: number;
  eventsReceived: number;
}

const pin = '4826';
const eventsPollMs = 20;

/**
 * Scenario 3, written against the gift contract (issue 5): an admin funds G senders through
 * `POST /api/tokens/award`, each sets a PIN (`POST /api/tokens/pin`), then all senders gift other
 * members of one room of M members back to back over `gift:send`. A server without the PIN or
 * award route (404 ROUTE_NOT_FOUND) makes the scenario "not available", never a made-up figure.
 */
export async function runGiftStorm(settings: BenchSettings, cpuProfileDir?: string): Promise<GiftStormResult | Unavailable> {
  const g = settings.gifts;
  if (g.senders > g.members || g.members < 2) throw new Error('gift storm needs 2+ members and senders <= members');
  const tag = runTag();
  const adminName = `badm${tag}`;
  const server = await startServer({ env: { ECONOMY_ENABLED: 'true', ADMIN_USERNAMES: adminName }, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
  const sockets: BenchSocket[] = [];
  const setupStart = performance.now();
  try {
    const admin = await register(server.url, adminName, benchPassword);
    const first = await register(server.url, `bg${tag}_0`, benchPassword);
    const pinMissing = await routeMissing(() => setPin(server.url, first));
    if (pinMissing) return { available: false, reason: 'gifts not implemented on this server (POST /api/tokens/pin answered 404 ROUTE_NOT_FOUND)' };
    const awardMissing = await routeMissing(() => fund(server.url, admin, first, g.fundingAmount, `${tag}-0`));
    if (awardMissing) return { available: false, reason: 'token award not implemented on this server (POST /api/tokens/award answered 404 ROUTE_NOT_FOUND)' };

    const rest = await registerUsers(server.url, `bh${tag}`, g.members - 1, settings.registerConcurrency);
    const members = [first, ...rest];
    const room = await createRoom(server.url, first, `gift storm ${tag}`);
    const joined = await mapLimit(members, settings.registerConcurrency, async (user) => {
      const socket = await connectSocket(server.url, user.token);
      sockets.push(socket);
      okData('room:join', await emitAck(socket, 'room:join', { roomId: room.id }));
      return socket;
    });
    const senders = members.slice(0, g.senders);
    await mapLimit(senders.slice(1), settings.registerConcurrency, async (s, i) => {
      await setPin(server.url, s);
      await fund(server.url, admin, s, g.fundingAmount, `${tag}-${i + 1}`);
    });
    const setupMs = Math.round(performance.now() - setupStart);
    return { ...(await storm(members, joined, senders.length, room.id, settings, tag)), setupMs };
  } finally {
    closeAll(sockets);
    await server.stop();
  }
}

async function storm(
  members: BenchUser[],
  sockets: BenchSocket[],
  senderCount: number,
  roomId: string,
  settings: BenchSettings,
  tag: string,
): Promise<Omit<GiftStormResult, 'setupMs'>> {
  const g = settings.gifts;
  const sentAtByGift = new Map<string, number>();
  /** Receipts that arrived before the sender's ack told us the gift id. */
  const early = new Map<string, number[]>();
  const ackSamples = new SampleBuffer();
  const receivedSamples = new SampleBuffer();
  const refusedByCode: Record<string, number> = {};
  let eventsReceived = 0;
  let committed = 0;

  const seen = sockets.map(() => new Set<string>());
  const listeners = sockets.map((socket, i) => {
    const onGift = (e: GiftView): void => {
      const now = performance.now();
      if (seen[i]!.has(e.giftId)) return;
      seen[i]!.add(e.giftId);
      eventsReceived++;
      const sentAt = sentAtByGift.get(e.giftId);
      if (sentAt !== undefined) receivedSamples.add(now - sentAt);
      else early.set(e.giftId, [...(early.get(e.giftId) ?? []), now]);
    };
    socket.on('gift:received', onGift);
    return onGift;
  });

  const start = performance.now();
  let lastAck = start;
  await Promise.all(
    Array.from({ length: senderCount }, async (_, s) => {
      for (let k = 0; k < g.giftsPerSender; k++) {
        const to = members[(s + 1 + k) % members.length]!;
        const sentAt = performance.now();
        const ack = await emitAck(sockets[s]!, 'gift:send', { toUserId: to.id, amount: g.amount, pin, roomId, requestId: `${tag}-g${s}-${k}` });
        const now = performance.now();
        lastAck = Math.max(lastAck, now);
        if (!ack.ok) {
          refusedByCode[ack.error.code] = (refusedByCode[ack.error.code] ?? 0) + 1;
          continue;
        }
        committed++;
        ackSamples.add(now - sentAt);
        const giftId = ack.data.gift.giftId;
        sentAtByGift.set(giftId, sentAt);
        for (const t of early.get(giftId) ?? []) receivedSamples.add(t - sentAt);
        early.delete(giftId);
      }
    }),
  );

  const eventsExpected = committed * members.length;
  const deadline = performance.now() + settings.drainTimeoutMs;
  while (eventsReceived < eventsExpected && performance.now() < deadline) await new Promise((r) => setTimeout(r, eventsPollMs));
  sockets.forEach((socket, i) => socket.off('gift:received', listeners[i]!));

  const elapsedSec = Math.max(lastAck - start, 1) / 1000;
  return {
    available: true,
    members: members.length,
    senders: senderCount,
    giftsAttempted: senderCount * g.giftsPerSender,
    giftsCommitted: committed,
    refusedByCode,
    committedPerSec: round1(committed / elapsedSec),
    ack: ackSamples.summary(),
    received: receivedSamples.summary(),
    eventsExpected,
    eventsReceived,
  };
}

function setPin(baseUrl: string, user: BenchUser): Promise<unknown> {
  return http(baseUrl, 'POST', '/api/tokens/pin', { password: user.password, pin }, user.token);
}

function fund(baseUrl: string, admin: BenchUser, user: BenchUser, amount: number, requestId: string): Promise<unknown> {
  return http(baseUrl, 'POST', '/api/tokens/award', { userId: user.id, amount, reason: 'bench funding', requestId: `bench-fund-${requestId}` }, admin.token);
}

/** True when the call failed with 404 ROUTE_NOT_FOUND (the route does not exist); other failures throw. */
async function routeMissing(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404 && err.code === 'ROUTE_NOT_FOUND') return true;
    throw err;
  }
}
