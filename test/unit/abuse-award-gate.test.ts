import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createAwardGate, STANDING_CACHE_MS } from '../../server/abuse/award-gate.js';
import type { ActivityGuard } from '../../server/abuse/activity-guard.js';
import type { PenaltyRecord, PenaltyStore } from '../../server/abuse/ports.js';
import { createAwardService } from '../../server/earning/award-service.js';
import { EconomyConfigHolder } from '../../server/economy/config/holder.js';
import { CapsUnavailableError, MemoryCapCounter } from '../../server/caps/index.js';
import { ManualClock } from '../../server/lib/clock.js';
import type { LedgerService } from '../../server/ledger/ledger-service.js';

const T0 = '2026-11-25T12:00:00.000Z';

/** A penalties store holding one user's records and counting reads (the gate must cache them). */
function penaltiesOf(records: PenaltyRecord[]): PenaltyStore & { reads: number } {
  const store = {
    reads: 0,
    async insert() {
      return { status: 'inserted' as const };
    },
    async list() {
      store.reads += 1;
      return records;
    },
    async recordRegistration() {},
    async registrationRank() {
      return 1;
    },
    async registrationsFrom() {
      return [];
    },
    async registrationOf() {
      return null;
    },
  };
  return store;
}

const suspension = (until: string): PenaltyRecord => ({
  id: 'P1', userId: 'u', sequence: 1, action: 'earning_suspension', severe: false, reason: 'r', actorId: 'a', requestId: 'q', suspendedUntil: new Date(until), createdAt: new Date(T0),
});

const economy = new EconomyConfigHolder({ preset: 'current', overridesFile: 'x.json', readFile: () => JSON.stringify({ antiAbuse: { fakeActivity: { minMessageIntervalMs: 1000, duplicateWindowMs: 0 } } }) });
const noGuard: ActivityGuard = { check: async () => null };
const users = { findById: async () => null };

describe('award gate', () => {
  it('caches the standing for STANDING_CACHE_MS of the clock and re-reads after; invalidate forces a read', async () => {
    const clock = new ManualClock(T0);
    const store = penaltiesOf([suspension('2026-11-26T12:00:00.000Z')]);
    const gate = createAwardGate({ penalties: store, users, guard: noGuard, economy, clock });
    const req = { userId: 'u', activity: 'join_room' as const, idempotencyKey: 'k' };
    expect(await gate.refusal(req, clock.now())).toBe('EARNING_SUSPENDED');
    expect(await gate.refusal(req, clock.now())).toBe('EARNING_SUSPENDED');
    expect(store.reads).toBe(1);
    clock.advance(STANDING_CACHE_MS);
    await gate.refusal(req, clock.now());
    expect(store.reads).toBe(2);
    gate.invalidate('u');
    await gate.refusal(req, clock.now());
    expect(store.reads).toBe(3);
    clock.set('2026-11-26T12:00:00.000Z');
    expect(await gate.refusal(req, clock.now())).toBeNull();
  });

  it('asks the activity guard for send_message with content only', async () => {
    const clock = new ManualClock(T0);
    const seen: string[] = [];
    const guard: ActivityGuard = {
      check: async ({ content }) => {
        seen.push(content);
        return 'TOO_FAST';
      },
    };
    const gate = createAwardGate({ penalties: penaltiesOf([]), users, guard, economy, clock });
    expect(await gate.refusal({ userId: 'u', activity: 'send_message', idempotencyKey: 'k', content: 'hi' }, clock.now())).toBe('TOO_FAST');
    expect(await gate.refusal({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' }, clock.now())).toBeNull();
    expect(await gate.refusal({ userId: 'u', activity: 'share_file', idempotencyKey: 'k', content: 'hi' }, clock.now())).toBeNull();
    expect(seen).toEqual(['hi']);
  });
});

describe('award service with a gate', () => {
  const logger = pino({ level: 'silent' });
  // A ledger that must never be touched: a refused award reads and reserves nothing.
  const untouchable = new Proxy({} as LedgerService, {
    get: () => () => {
      throw new Error('ledger touched');
    },
  });
  const service = (refusal: () => Promise<'TOO_FAST' | null>) => {
    const caps = new MemoryCapCounter();
    const awards = createAwardService({ config: { economyEnabled: true }, economy, caps, ledger: untouchable, notifier: { posted: () => undefined }, clock: new ManualClock(T0), logger, gate: { refusal }, streaks: { streakDays: async () => 0 } });
    return awards;
  };

  it('answers the refusal before any read or reservation', async () => {
    const awards = service(async () => 'TOO_FAST');
    expect(await awards.grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k', content: 'x' })).toEqual({ activity: 'send_message', granted: 0, reason: 'TOO_FAST' });
  });

  it('counters down: CAPS_UNAVAILABLE; anything else: LEDGER_UNAVAILABLE, never a throw', async () => {
    expect((await service(async () => Promise.reject(new CapsUnavailableError('down'))).grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' })).reason).toBe('CAPS_UNAVAILABLE');
    expect((await service(async () => Promise.reject(new Error('store down'))).grant({ userId: 'u', activity: 'send_message', idempotencyKey: 'k' })).reason).toBe('LEDGER_UNAVAILABLE');
  });
});
