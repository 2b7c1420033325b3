import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openBackend, type Backend } from '../../server/stores/backend.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { createLedgerService, type LedgerService } from '../../server/ledger/ledger-service.js';
import { EconomyConfigHolder } from '../../server/economy/config/holder.js';
import { MemoryCapCounter } from '../../server/caps/memory-cap-counter.js';
import { CapsUnavailableError, type CapCounter } from '../../server/caps/index.js';
import { capLimitsFor } from '../../server/economy/rules/caps.js';
import { ManualClock } from '../../server/lib/clock.js';
import { newId } from '../../server/lib/ids.js';
import { createAwardService, type AwardService } from '../../server/earning/award-service.js';
import type { BalanceNotifier } from '../../server/earning/balance-notifier.js';
import type { PostOutcome } from '../../server/ledger/ports.js';
import type { StreakSource } from '../../server/earning/streak-source.js';

/** These tests are about the pipeline after the anti-abuse gate (test/unit/abuse-award-gate.test.ts covers the gate): it lets all through. */
const noGate = { refusal: async () => null };
/** No daily claims in these tests unless one sets `streaks.of`. */
const noStreaks: StreakSource = { streakDays: async () => 0 };

const logger = pino({ level: 'silent' });
const WEDNESDAY = '2026-11-25T12:00:00.000Z';
const SATURDAY = '2026-11-28T12:00:00.000Z';

interface Rig {
  awards: AwardService;
  ledger: LedgerService;
  caps: MemoryCapCounter;
  clock: ManualClock;
  economy: EconomyConfigHolder;
  posted: PostOutcome[];
  streaks: { of: StreakSource['streakDays'] };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** The award service over a real SQLite ledger and the in-process caps, with config overrides. */
async function rig(overrides: unknown = {}, opts: { economyEnabled?: boolean; caps?: CapCounter } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-award-'));
  const backend: Backend = await openBackend({ mongoUrl: undefined, dataDir: dir }, logger);
  const clock = new ManualClock(WEDNESDAY);
  const ledger = createLedgerService(await createLedgerStore(backend), { clock, newId, logger });
  const economy = new EconomyConfigHolder({ preset: 'current', overridesFile: 'overrides.json', readFile: () => JSON.stringify(overrides) });
  const caps = new MemoryCapCounter();
  const posted: PostOutcome[] = [];
  const notifier: BalanceNotifier = { posted: (o) => posted.push(o) };
  // The rig's streak source; a test changes `streaks.of` to give a user a streak.
  const streaks = { of: noStreaks.streakDays };
  const awards = createAwardService({
    config: { economyEnabled: opts.economyEnabled ?? true }, economy, caps: opts.caps ?? caps, ledger, notifier, clock, logger,
    gate: noGate,
    streaks: { streakDays: (userId, at) => streaks.of(userId, at) },
  });
  cleanups.push(async () => {
    await ledger.flush();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { awards, ledger, caps, clock, economy, posted, streaks };
}

const usage = (r: Rig, userId: string, activity: 'send_message' = 'send_message') =>
  r.caps.usage({ userId, activity, at: r.clock.now(), limits: capLimitsFor(activity, r.economy.current) }).then((u) => u.usage);

describe('award service', () => {
  it('credits the config tokens, notifies, and answers ALREADY_REWARDED for the same key without using caps', async () => {
    const r = await rig();
    expect(await r.awards.grant({ userId: 'u', activity: 'share_file', idempotencyKey: 'earn:share_file:m1' })).toEqual({ activity: 'share_file', granted: 3 });
    expect(r.posted).toHaveLength(1);
    expect(await r.awards.grant({ userId: 'u', activity: 'share_file', idempotencyKey: 'earn:share_file:m1' })).toEqual({ activity: 'share_file', granted: 0, reason: 'ALREADY_REWARDED' });
    expect((await usage(r, 'u', 'send_message')).dailyTokens).toBe(3);
    expect((await r.ledger.account('u')).balance).toBe(3);
  });

  it('a duplicate found only by the ledger (newEvent) gives the reservation back', async () => {
    const r = await rig();
    await r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k', newEvent: true });
    expect(await r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k', newEvent: true })).toEqual({
      activity: 'send_message',
      granted: 0,
      reason: 'ALREADY_REWARDED',
    });
    expect(await usage(r, 'u')).toEqual({ activityEvents: 1, dailyTokens: 1, weeklyTokens: 1 });
  });

  it('is exact under concurrency: 20 simultaneous awards of 1 at x1.1 credit 22', async () => {
    const r = await rig({ multipliers: { tier: { bronze: 1.1 } } });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: `k${i}`, newEvent: true })));
    expect(outcomes.reduce((s, o) => s + o.granted, 0)).toBe(22);
    expect(await r.ledger.accountWithCarry('u')).toMatchObject({ account: { balance: 22 }, carryNanos: 0 });
  });

  it('stays exact across two nodes: 10 messages and 10 file shares at x1.1 through two services over one ledger credit 44', async () => {
    const r = await rig({ multipliers: { tier: { bronze: 1.1 } } });
    // A second node: its own award service and per-user queue, the same ledger and counters.
    const other = createAwardService({ config: { economyEnabled: true }, economy: r.economy, caps: r.caps, ledger: r.ledger, notifier: { posted: () => undefined }, clock: r.clock, logger, gate: noGate, streaks: noStreaks });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: `n${i}`, newEvent: true })
          : other.grant({ userId: 'u', activity: 'share_file', idempotencyKey: `n${i}`, newEvent: true }),
      ),
    );
    expect(outcomes.filter((o) => o.reason !== undefined)).toEqual([]);
    // 10 x 1.1 + 10 x 3.3 = 44 exactly.
    expect(await r.ledger.accountWithCarry('u')).toMatchObject({ account: { balance: 44 }, carryNanos: 0 });
  });

  it('recomputes when another node changed the carry first: two concurrent awards keep the exact remainder', async () => {
    const r = await rig({ multipliers: { tier: { bronze: 1.1 } } });
    const other = createAwardService({ config: { economyEnabled: true }, economy: r.economy, caps: r.caps, ledger: r.ledger, notifier: { posted: () => undefined }, clock: r.clock, logger, gate: noGate, streaks: noStreaks });
    const [a, b] = await Promise.all([
      r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'x1', newEvent: true }),
      other.grant({ userId: 'u', activity: 'share_file', idempotencyKey: 'x2', newEvent: true }),
    ]);
    expect([a.granted, b.granted]).toEqual([1, 3]);
    // 1.1 + 3.3 = 4.4: 4 tokens and 0.4 carried (0.3 if the second write had overwritten the first's remainder).
    expect(await r.ledger.accountWithCarry('u')).toMatchObject({ account: { balance: 4 }, carryNanos: 400_000_000 });
    // Both reservations taken once: the conflicting attempt gave its reservation back.
    expect(await usage(r, 'u')).toMatchObject({ dailyTokens: 4 });
  });

  it('multiplies streak (from the installed StreakSource), tier and the weekend, carrying the remainder', async () => {
    const r = await rig();
    r.streaks.of = async (userId) => (userId === 'streaker' ? 7 : 0);
    // 10 x 1.25 (7-day streak) = 12.5: 12 now, 0.5 carried.
    expect((await r.awards.grant({ userId: 'streaker', activity: 'create_room', idempotencyKey: 'a' })).granted).toBe(12);
    expect((await r.ledger.accountWithCarry('streaker')).carryNanos).toBe(500_000_000);
    expect((await r.awards.grant({ userId: 'streaker', activity: 'create_room', idempotencyKey: 'b' })).granted).toBe(13);
    r.clock.set(SATURDAY);
    // 10 x 1.2 (weekend) for a user without a streak.
    expect((await r.awards.grant({ userId: 'other', activity: 'create_room', idempotencyKey: 'c' })).granted).toBe(12);
  });

  it('grants part at the daily total and names the cap', async () => {
    const r = await rig({ caps: { dailyTotalTokens: 12 } });
    expect(await r.awards.grant({ userId: 'u', activity: 'create_room', idempotencyKey: 'a' })).toEqual({ activity: 'create_room', granted: 10 });
    expect(await r.awards.grant({ userId: 'u', activity: 'create_room', idempotencyKey: 'b' })).toEqual({ activity: 'create_room', granted: 2, reason: 'DAILY_CAP' });
    expect(await r.awards.grant({ userId: 'u', activity: 'create_room', idempotencyKey: 'c' })).toEqual({ activity: 'create_room', granted: 0, reason: 'DAILY_CAP' });
    expect((await r.ledger.account('u')).balance).toBe(12);
  });

  it('answers CAPS_UNAVAILABLE when the counters are down, writing nothing', async () => {
    const down: CapCounter = {
      reserve: () => Promise.reject(new CapsUnavailableError('redis down')),
      release: () => Promise.resolve(),
      usage: () => Promise.reject(new CapsUnavailableError('redis down')),
    };
    const r = await rig({}, { caps: down });
    expect(await r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' })).toEqual({ activity: 'send_message', granted: 0, reason: 'CAPS_UNAVAILABLE' });
    expect((await r.ledger.audit()).entries).toBe(0);
  });

  it('answers LEDGER_UNAVAILABLE and releases the reservation when the write fails', async () => {
    const r = await rig();
    r.ledger.enqueue = () => Promise.reject(new Error('disk full'));
    expect(await r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' })).toEqual({ activity: 'send_message', granted: 0, reason: 'LEDGER_UNAVAILABLE' });
    expect(await usage(r, 'u')).toEqual({ activityEvents: 0, dailyTokens: 0, weeklyTokens: 0 });
    expect(r.posted).toHaveLength(0);
  });

  it('does nothing at all when the economy is disabled', async () => {
    const r = await rig({}, { economyEnabled: false });
    expect(await r.awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' })).toEqual({ activity: 'send_message', granted: 0, reason: 'ECONOMY_DISABLED' });
    expect(await usage(r, 'u')).toEqual({ activityEvents: 0, dailyTokens: 0, weeklyTokens: 0 });
  });
});
