import { AppError } from '../lib/app-error.js';
import { hashSecret, verifySecret } from '../auth/passwords.js';
import { isCapsUnavailable, pinPolicyFrom } from '../caps/index.js';
import type { AppContext } from '../context.js';
import { PinVerifiedCache } from './verified-cache.js';
import { PerKeyQueue } from '../lib/per-key-queue.js';
import type { UserRecord } from '../stores/ports.js';

type PinDeps = Pick<AppContext, 'stores' | 'counters' | 'economy' | 'clock'>;

/**
 * The transaction PIN that guards gifts and purchases. `verify` is the one gate both use: it
 * answers PIN_LOCKED while a lockout runs, PIN_NOT_SET without a PIN, PIN_INVALID (counting a
 * failure towards the lockout) for a wrong one, and resets the failure count on a correct one.
 * A correct PIN is remembered for a few minutes in the caller's session (PinVerifiedCache), so the
 * next gifts of the session skip scrypt; the lockout is still checked first and a wrong PIN still goes to scrypt
 * and counts (docs/gifts.md, "PIN").
 */
export interface PinGuard {
  /**
   * Resolves when `pin` is the user's PIN; throws the catalogued refusal otherwise. `session` is
   * the caller's token id (AuthClaims.jti): a correct PIN is remembered for that session only.
   * Resolves with the user's record as read for the check, so a caller that needs the account's
   * other fields (a gift's sender allowance: its creation time) does not read it again.
   */
  verify(userId: string, pin: string, session?: string): Promise<UserRecord>;
  /**
   * Sets or changes the PIN; the account password must be given. A wrong password answers
   * INVALID_CREDENTIALS (with attemptsLeft) and counts on the PIN lockout; while a lockout runs
   * (wrong PINs or wrong passwords) it answers PIN_LOCKED. Success resets the failure count.
   */
  set(userId: string, password: string, pin: string): Promise<void>;
}

/** Lockout counters live in Redis: an outage refuses the operation instead of skipping the brake. */
export async function counterCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isCapsUnavailable(err)) throw new AppError('SERVICE_UNAVAILABLE', 'PIN checks are unavailable right now');
    throw err;
  }
}

/**
 * What the guards of one app share (one per node, built by composeServices: gifts, the shop, the market and the PIN route use `ctx.pins`):
 * the per-user queue, so a user's secret checks run one at a time and parallel guesses meet the
 * lockout one by one (across N nodes a burst can still test at most maxFailures + N - 1 secrets
 * before the lock, docs/gifts.md), and the remembered verifications.
 */
export interface PinGuardState {
  checks: PerKeyQueue;
  verified: PinVerifiedCache;
}

export function createPinGuardState(verified: PinVerifiedCache = new PinVerifiedCache()): PinGuardState {
  return { checks: new PerKeyQueue(), verified };
}

export function createPinGuard(deps: PinDeps, state: PinGuardState = createPinGuardState()): PinGuard {
  const lockout = deps.counters.pinLockout;
  const { checks: checksPerUser, verified } = state;

  /** Throws PIN_LOCKED while a lockout runs; otherwise answers whether any failure entry is recorded. */
  const refuseIfLocked = async (userId: string): Promise<boolean> => {
    const state = await counterCall(() => lockout.standing({ userId, at: deps.clock.now() }));
    if (state.locked) throw new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: state.retryAfterSeconds });
    return state.recorded;
  };

  /** Counts one wrong secret; throws PIN_LOCKED when it starts a lockout, else returns the attempts left. */
  const countFailure = async (userId: string): Promise<number> => {
    const policy = pinPolicyFrom(deps.economy.current.pin);
    const failure = await counterCall(() => lockout.recordFailure({ userId, at: deps.clock.now(), policy }));
    if (failure.locked) throw new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: failure.retryAfterSeconds });
    return failure.attemptsLeft;
  };

  return {
    verify: (userId, pin, session = '') => checksPerUser.run(userId, () => verifyNow(userId, pin, session)),
    set: (userId, password, pin) => checksPerUser.run(userId, () => setNow(userId, password, pin)),
  };

  async function verifyNow(userId: string, pin: string, session: string): Promise<UserRecord> {
    const recorded = await refuseIfLocked(userId);
    const user = await deps.stores.users.findById(userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (!user.pinHash) throw new AppError('PIN_NOT_SET');
    const pinHash = user.pinHash;
    const cached = verified.has(userId, pin, pinHash, deps.clock.now().getTime(), session);
    if (cached || (await verifySecret(pin, pinHash))) {
      // Nothing recorded, nothing to reset: a stream of correct gifts writes nothing here. This
      // user's checks run one at a time on this node; a wrong PIN counted on another node since
      // the read is kept (before, the reset could wipe it), which only errs on the strict side.
      if (recorded) await counterCall(() => lockout.reset(userId));
      // Only a scrypt pass starts a mark: a stream of cached checks never extends it.
      if (!cached) verified.remember(userId, pin, pinHash, deps.clock.now().getTime(), session);
      return user;
    }
    const attemptsLeft = await countFailure(userId);
    throw new AppError('PIN_INVALID', undefined, { attemptsLeft });
  }

  async function setNow(userId: string, password: string, pin: string): Promise<void> {
    // A wrong account password here is a guess like a wrong PIN: it counts on the same shared
    // lockout, and a running lockout refuses before the password is even checked, so a stolen
    // session cannot guess passwords through this route without limit (docs/gifts.md, "PIN").
    await refuseIfLocked(userId);
    const user = await deps.stores.users.findById(userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    if (!(await verifySecret(password, user.passwordHash))) {
      const attemptsLeft = await countFailure(userId);
      throw new AppError('INVALID_CREDENTIALS', 'Wrong password', { attemptsLeft });
    }
    await deps.stores.users.setPinHash(userId, await hashSecret(pin));
    await counterCall(() => lockout.reset(userId));
  }
}
