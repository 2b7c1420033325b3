import { performance } from 'node:perf_hooks';
import type { GiftView } from '../../shared/events.js';
import type { BenchSettings } from '../settings.js';
import { readCpuSeconds, startServer } from '../server-process.js';
import { connectSocket, createRoom, emitAck, http, HttpError, mapLimit, okData, register, type BenchSocket, type BenchUser } from '../api.js';
import { benchPassword, closeAll, registerUsers, runTag } from '../population.js';
import { round1 } from '../load.js';
import { SampleBuffer, type LatencySummary } from '../samples.js';
import { auditLedger, type LedgerAuditResult } from '../ledger-audit.js';

export interface Unavailable {
  available: false;
  reason: string;
}

/** Gifts sent, and how long they took to be acked and to reach the room's members. */
export interface GiftPhaseResult {
  giftsAttempted: number;
  giftsCommitted: number;
  refusedByCode: Record<string, number>;
  /** Committed gifts per second, first send to last ack. */
  committedPerSec: number;
  /** send -> ack at the sender. */
  ack: LatencySummary;
  /** send -> `gift:received` at each member of the room (sender and recipient included). */
  received: LatencySummary;
  /**
   * send -> `gift:received` at the first member to get it, one sample per gift: the server's part
   * of `received` plus the least of the bench's own. The rest of `received` is the time the one
   * bench process takes to get through every member socket's events (docs/performance.md).
   */
  firstReceived: LatencySummary;
  eventsExpected: number;
  eventsReceived: number;
  /**
   * Server CPU (user + system) from the first send until every member had every gift, per
   * committed gift: the figure that stays comparable when other work loads the machine.
   */
  serverCpuMsPerGift: number | null;
  /**
   * The bench process's own CPU over the same window, per committed gift: the 200 member sockets'
   * Socket.IO clients decoding every `gift:received`. It shares the machine's cores with the server.
   */
  clientCpuMsPerGift: number | null;
}

export interface GiftStormResult extends GiftPhaseResult {
  available: true;
  members: number;
  senders: number;
  /** Registering, funding, PINs, joining: before the storm, not measured by it. */
  setupMs: number;
  /**
   * First: each storm sender's first gift of the session, one at a time; it alone pays the scrypt
   * check of the PIN (later gifts find the PIN verified in the session).
   */
  firstGift: GiftPhaseResult;
  /** Then gifts one at a time by senders whose PIN is already verified (each waits until every member has it), no contention. */
  solo: GiftPhaseResult;
  /** The server's ledger audit after the storm. */
  ledgerAudit: LedgerAuditResult;
}

const pin = '4826';
const eventsPollMs = 20;

/**
 * Scenario 3, written against the gift contract (issue 5): an admin funds G senders through
 * `POST /api/tokens/award`, each sets a PIN (`POST /api/tokens/pin`). Then, in one room of M
 * members: each sender's first gift one at a time (the first-gift figure, scrypt included), S
 * gifts one at a time by senders already verified, and the storm: all senders gift other members
 * back to back over `gift:send`. The daily gift count is raised to fit the extra gifts. A server
 * without the PIN or award route (404 ROUTE_NOT_FOUND) makes the scenario "not available", never
 * a made-up figure.
 */
export async function runGiftStorm(settings: BenchSettings, cpuProfileDir?: string): Promise<GiftStormResult | Unavailable> {
  const g = settings.gifts;
  if (g.senders > g.members || g.soloGifts > g.senders || g.members < 2) throw new Error('gift storm needs 2+ members, senders <= members and solo gifts <= senders');
  const tag = runTag();
  const adminName = `badm${tag}`;
  // Each sender sends its first gift, at most one solo gift, then its storm gifts.
  const economyOverrides = { gifts: { maxPerDay: g.giftsPerSender + 2 } };
  const server = await startServer({ env: { ECONOMY_ENABLED: 'true', ADMIN_USERNAMES: adminName }, economyOverrides, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
  const sockets: BenchSocket[] = [];
  const setupStart = performance.now();
  try {
    const admin = await register(server.url, adminName, benchPassword);
    const first = await register(server.url, `bg${tag}_0`, benchPassword);
    const pinMissing = await routeMissing(() => setPin(server.url, first));
    if (pinMissing) return { available: false, reason: 'the target server has no gift routes (POST /api/tokens/pin answered 404 ROUTE_NOT_FOUND)' };
    const awardMissing = await routeMissing(() => fund(server.url, admin, first, g.fundingAmount, `${tag}-0`));
    if (awardMissing) return { available: false, reason: 'the target server has no admin award route to fund senders (POST /api/tokens/award answered 404 ROUTE_NOT_FOUND)' };

    const rest = await registerUsers(server.url, `bh${tag}`, g.members - 1, settings.registerConcurrency);
    const members = [first, ...rest];
    const room = await createRoom(server.url, first, `gift storm ${tag}`);
    const joined = await mapLimit(members, settings.registerConcurrency, async (user) => {
      const socket = await connectSocket(server.url, user.token);
      sockets.push(socket);
      okData('room:join', await emitAck(socket, 'room:join', { roomId: room.id }));
      return socket;
    });
    const givers = members.slice(0, g.senders);
    await mapLimit(givers.slice(1), settings.registerConcurrency, async (s, i) => {
      await setPin(server.url, s);
      await fund(server.url, admin, s, g.fundingAmount, `${tag}-${i + 1}`);
    });
    const setupMs = Math.round(performance.now() - setupStart);
    const tracker = new GiftTracker(joined);
    try {
      const giftRoom = (phase: string): GiftRoom => ({ members, sockets: joined, roomId: room.id, tag: `${tag}${phase}`, amount: g.amount, serverPid: server.pid });
      const everySender = Array.from({ length: g.senders }, (_, s) => s);
      const firstGift = await sendGifts(tracker, giftRoom('f'), [everySender], true, settings.drainTimeoutMs);
      const solo = await sendGifts(tracker, giftRoom('s'), [everySender.slice(0, g.soloGifts)], true, settings.drainTimeoutMs);
      const stormPlan = everySender.map((s) => Array.from({ length: g.giftsPerSender }, () => s));
      const stormed = await sendGifts(tracker, giftRoom('t'), stormPlan, false, settings.drainTimeoutMs);
      const ledgerAudit = await auditLedger(server.url, admin, 'the gift storm');
      return { available: true, members: members.length, senders: g.senders, setupMs, firstGift, solo, ...stormed, ledgerAudit };
    } finally {
      tracker.detach();
    }
  } finally {
    closeAll(sockets);
    await server.stop();
  }
}

/**
 * Follows `gift:received` on every member socket: each gift's send time (known once its ack names
 * the gift id; receipts that come first wait for it) and one latency sample per member.
 */
class GiftTracker {
  private readonly sentAt = new Map<string, number>();
  /** Receipts that arrived before the sender's ack told us the gift id. */
  private readonly early = new Map<string, number[]>();
  private readonly seen: Array<Set<string>>;
  private readonly listeners: Array<(e: GiftView) => void>;
  private samples = new SampleBuffer();
  private firstSamples = new SampleBuffer();
  /** When the first member got each gift. */
  private firstAt = new Map<string, number>();
  private receivedById = new Map<string, number>();
  received = 0;

  constructor(private readonly sockets: BenchSocket[]) {
    this.seen = sockets.map(() => new Set<string>());
    this.listeners = sockets.map((socket, i) => {
      const onGift = (e: GiftView): void => this.receive(i, e.giftId, performance.now());
      socket.on('gift:received', onGift);
      return onGift;
    });
  }

  /** Starts a new phase: fresh samples and counters. */
  reset(): void {
    this.samples = new SampleBuffer();
    this.firstSamples = new SampleBuffer();
    this.firstAt = new Map();
    this.receivedById = new Map();
    this.received = 0;
  }

  sent(giftId: string, at: number): void {
    this.sentAt.set(giftId, at);
    for (const t of this.early.get(giftId) ?? []) this.samples.add(t - at);
    this.early.delete(giftId);
    const first = this.firstAt.get(giftId);
    if (first !== undefined) this.firstSamples.add(first - at);
  }

  receivedOf(giftId: string): number {
    return this.receivedById.get(giftId) ?? 0;
  }

  summary(): LatencySummary {
    return this.samples.summary();
  }

  /** One sample per gift: its first receipt by any member. */
  firstSummary(): LatencySummary {
    return this.firstSamples.summary();
  }

  detach(): void {
    this.sockets.forEach((socket, i) => socket.off('gift:received', this.listeners[i]!));
  }

  private receive(socketIndex: number, giftId: string, now: number): void {
    const seen = this.seen[socketIndex]!;
    if (seen.has(giftId)) return;
    seen.add(giftId);
    this.received++;
    this.receivedById.set(giftId, (this.receivedById.get(giftId) ?? 0) + 1);
    const at = this.sentAt.get(giftId);
    if (!this.firstAt.has(giftId)) {
      this.firstAt.set(giftId, now);
      if (at !== undefined) this.firstSamples.add(now - at);
    }
    if (at !== undefined) this.samples.add(now - at);
    else {
      // In a storm most receipts come before their ack. Appended in place: copying the list on
      // each receipt made this quadratic in the room's size, bench CPU the server was charged for.
      const waiting = this.early.get(giftId);
      if (waiting) waiting.push(now);
      else this.early.set(giftId, [now]);
    }
  }
}

interface GiftRoom {
  members: BenchUser[];
  sockets: BenchSocket[];
  roomId: string;
  tag: string;
  amount: number;
  serverPid: number;
}

/**
 * Sends gifts: `plan` holds one sequence of sender indexes per concurrent lane, each lane sending
 * back to back. With `oneAtATime` each gift also waits until every member has received it.
 */
async function sendGifts(tracker: GiftTracker, room: GiftRoom, plan: number[][], oneAtATime: boolean, drainTimeoutMs: number): Promise<GiftPhaseResult> {
  tracker.reset();
  const ackSamples = new SampleBuffer();
  const refusedByCode: Record<string, number> = {};
  const n = room.members.length;
  let committed = 0;
  let seq = 0;
  const waitUntil = async (done: () => boolean): Promise<void> => {
    const deadline = performance.now() + drainTimeoutMs;
    while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, eventsPollMs));
  };

  const cpuStart = readCpuSeconds(room.serverPid);
  const clientCpuStart = process.cpuUsage();
  const start = performance.now();
  let lastAck = start;
  await Promise.all(
    plan.map(async (lane) => {
      for (const s of lane) {
        const k = seq++;
        const to = room.members[(s + 1 + k) % n]!;
        const target = to.id === room.members[s]!.id ? room.members[(s + 1) % n]! : to;
        const sentAt = performance.now();
        const ack = await emitAck(room.sockets[s]!, 'gift:send', { toUserId: target.id, amount: room.amount, pin, roomId: room.roomId, requestId: `${room.tag}-g${k}` });
        const now = performance.now();
        lastAck = Math.max(lastAck, now);
        if (!ack.ok) {
          refusedByCode[ack.error.code] = (refusedByCode[ack.error.code] ?? 0) + 1;
          continue;
        }
        committed++;
        ackSamples.add(now - sentAt);
        const giftId = ack.data.gift.giftId;
        tracker.sent(giftId, sentAt);
        if (oneAtATime) await waitUntil(() => tracker.receivedOf(giftId) >= n);
      }
    }),
  );
  const eventsExpected = committed * n;
  await waitUntil(() => tracker.received >= eventsExpected);
  const serverCpuMs = (readCpuSeconds(room.serverPid) - cpuStart) * 1000;
  const clientCpu = process.cpuUsage(clientCpuStart);
  const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;

  const elapsedSec = Math.max(lastAck - start, 1) / 1000;
  return {
    giftsAttempted: seq,
    giftsCommitted: committed,
    refusedByCode,
    committedPerSec: round1(committed / elapsedSec),
    ack: ackSamples.summary(),
    received: tracker.summary(),
    firstReceived: tracker.firstSummary(),
    eventsExpected,
    eventsReceived: tracker.received,
    serverCpuMsPerGift: committed > 0 ? round1(serverCpuMs / committed) : null,
    clientCpuMsPerGift: committed > 0 ? round1(clientCpuMs / committed) : null,
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
