import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hashSecret } from '../../server/auth/passwords.js';
import { MemoryPinLockout } from '../../server/caps/index.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createPinGuard, createPinGuardState } from '../../server/pin/pin-guard.js';
import { PIN_VERIFIED_TTL_MS, PinVerifiedCache } from '../../server/pin/verified-cache.js';

// Counts scrypt verifications while keeping the real ones.
const scryptCalls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../server/auth/passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/auth/passwords.js')>();
  return {
    ...real,
    verifySecret: async (secret: string, stored: string) => {
      scryptCalls.n++;
      return real.verifySecret(secret, stored);
    },
  };
});

const POLICY = { maxFailures: 5, lockMinutes: 15, failureWindowMinutes: 15 };

async function setup() {
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  const user = { id: 'u1', pinHash: await hashSecret('1234') as string | null };
  const lockout = new MemoryPinLockout();
  const deps = {
    stores: { users: { findById: async (id: string) => (id === user.id ? user : null) } },
    counters: { pinLockout: lockout },
    economy: { current: { pin: POLICY } },
    clock,
  };
  const guard = createPinGuard(deps as unknown as Parameters<typeof createPinGuard>[0]);
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));
  return { clock, user, guard, code, deps };
}

describe('PIN guard: remembered verifications', () => {
  beforeEach(() => {
    scryptCalls.n = 0;
  });

  it('pays scrypt for the first correct PIN only, until the mark expires', async () => {
    const { clock, guard, code } = await setup();
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(scryptCalls.n).toBe(1);
    // Cached checks do not extend the mark: it ends TTL after the scrypt pass.
    clock.advance(PIN_VERIFIED_TTL_MS);
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(scryptCalls.n).toBe(2);
  });

  it('a wrong PIN after a remembered right one still goes to scrypt and counts towards the lockout', async () => {
    const { guard, code } = await setup();
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    for (let i = 1; i <= 4; i++) expect(await code(guard.verify('u1', '0000'))).toBe('PIN_INVALID');
    expect(await code(guard.verify('u1', '0000'))).toBe('PIN_LOCKED');
    expect(scryptCalls.n).toBe(6);
    // The lockout is checked first: the remembered right PIN does not get past it.
    expect(await code(guard.verify('u1', '1234'))).toBe('PIN_LOCKED');
    expect(scryptCalls.n).toBe(6);
  });

  it('a remembered right PIN still resets the count of wrong ones', async () => {
    const { guard, code } = await setup();
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    for (let i = 0; i < 4; i++) expect(await code(guard.verify('u1', '0000'))).toBe('PIN_INVALID');
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    for (let i = 0; i < 4; i++) expect(await code(guard.verify('u1', '0000'))).toBe('PIN_INVALID');
    expect(await code(guard.verify('u1', '0000'))).toBe('PIN_LOCKED');
  });

  it('a correct PIN resets only when something is recorded: a stream of correct ones writes nothing', async () => {
    const { guard, code, deps } = await setup();
    const resets = vi.spyOn(deps.counters.pinLockout, 'reset');
    for (let i = 0; i < 3; i++) expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(resets).not.toHaveBeenCalled();
    expect(await code(guard.verify('u1', '0000'))).toBe('PIN_INVALID');
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(resets).toHaveBeenCalledTimes(1);
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    expect(resets).toHaveBeenCalledTimes(1);
  });

  it('a changed PIN hash invalidates the mark: the old PIN is refused and counted', async () => {
    const { user, guard, code } = await setup();
    expect(await code(guard.verify('u1', '1234'))).toBe('ok');
    user.pinHash = await hashSecret('9999');
    expect(await code(guard.verify('u1', '1234'))).toBe('PIN_INVALID');
    expect(await code(guard.verify('u1', '9999'))).toBe('ok');
    user.pinHash = null;
    expect(await code(guard.verify('u1', '9999'))).toBe('PIN_NOT_SET');
  });
});

describe('PIN guard: per session, per app', () => {
  beforeEach(() => {
    scryptCalls.n = 0;
  });

  it('a PIN verified in one session is not remembered for another (a logged-out session reaches nothing)', async () => {
    const { guard, code } = await setup();
    expect(await code(guard.verify('u1', '1234', 'jti-a'))).toBe('ok');
    expect(await code(guard.verify('u1', '1234', 'jti-a'))).toBe('ok');
    expect(scryptCalls.n).toBe(1);
    expect(await code(guard.verify('u1', '1234', 'jti-b'))).toBe('ok');
    expect(scryptCalls.n).toBe(2);
    // A wrong PIN in a session with a mark still goes to scrypt and counts.
    expect(await code(guard.verify('u1', '0000', 'jti-a'))).toBe('PIN_INVALID');
    expect(scryptCalls.n).toBe(3);
  });

  it('guards on one state share its queue and cache; a fresh state has its own', async () => {
    const { deps } = await setup();
    const make = (state?: ReturnType<typeof createPinGuardState>) => createPinGuard(deps as unknown as Parameters<typeof createPinGuard>[0], state);
    const state = createPinGuardState();
    await make(state).verify('u1', '1234', 's');
    await make(state).verify('u1', '1234', 's');
    expect(scryptCalls.n).toBe(1);
    await make().verify('u1', '1234', 's');
    expect(scryptCalls.n).toBe(2);
  });
});

describe('PinVerifiedCache', () => {
  it('matches only the exact (user, pin, hash) and drops the oldest beyond its bound', () => {
    const cache = new PinVerifiedCache(1000, 2);
    cache.remember('a', '1234', 'h1', 0);
    expect(cache.has('a', '1234', 'h1', 999)).toBe(true);
    expect(cache.has('a', '1234', 'h1', 1000)).toBe(false);
    cache.remember('a', '1234', 'h1', 0);
    expect(cache.has('a', '1235', 'h1', 1)).toBe(false);
    expect(cache.has('a', '1234', 'h2', 1)).toBe(false);
    expect(cache.has('b', '1234', 'h1', 1)).toBe(false);
    // Field boundaries are part of the mark: ('a|1', '234') is not ('a', '1|234').
    expect(cache.has('a1', '234', 'h1', 1)).toBe(false);
    cache.remember('b', '1', 'h', 0);
    cache.remember('c', '1', 'h', 0);
    expect(cache.size).toBe(2);
    expect(cache.has('a', '1234', 'h1', 1)).toBe(false);
    expect(cache.has('c', '1', 'h', 1)).toBe(true);
    // The session is part of the mark.
    cache.remember('d', '1', 'h', 0, 'jti1');
    expect(cache.has('d', '1', 'h', 1, 'jti1')).toBe(true);
    expect(cache.has('d', '1', 'h', 1, 'jti2')).toBe(false);
    expect(cache.has('d', '1', 'h', 1)).toBe(false);
  });
});
