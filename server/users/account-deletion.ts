import type { Router } from 'express';
import { deleteAccountBody } from '../../shared/schemas.js';
import type { AppContext } from '../context.js';
import { verifySecret } from '../auth/passwords.js';
import { pinPolicyFrom } from '../caps/index.js';
import { counterCall } from '../pin/pin-guard.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import { spendEntry } from '../ledger/entries.js';
import { AvatarStore } from '../files/avatars.js';

/** The one ledger entry that takes a deleted account's balance (docs/chat.md "Delete account"). */
export const accountDeletionKey = (userId: string): string => `account-deletion:${userId}`;
/** A balance that keeps changing under the sweep (credits racing in) is read again this many times. */
const SWEEP_ATTEMPTS_MAX = 5;

/**
 * `DELETE /api/users/me {password}` -> `{deleted: true, tokensRemoved}`. The password is checked
 * on the PIN lockout (a wrong one counts like a wrong PIN), so a stolen session cannot guess
 * passwords here without limit. Then, in this order: the account is tombstoned (its tokens stop
 * working at once, its name is freed, it is banned for every rule that reads bans), every socket
 * of it on every node is disconnected, the whole balance moves to the system sink in one ledger
 * entry keyed by the account, and the profile and avatar go. Messages stay, shown as
 * "deleted user".
 */
export function accountDeletionRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const avatars = new AvatarStore(ctx.config.dataDir, ctx.newId);

  api.delete('/users/me', auth, async (req, res) => {
    const { password } = parseOrThrow(deleteAccountBody, req.body);
    const userId = authOf(req).userId;
    await checkPassword(ctx, userId, password);
    if (!(await ctx.stores.users.markDeleted(userId, ctx.clock.now()))) throw new AppError('USER_NOT_FOUND');
    ctx.broadcast.disconnectUsers([userId]);
    const tokensRemoved = await sweepBalance(ctx, userId);
    await avatars.remove(await ctx.profiles.remove(userId));
    res.json({ deleted: true, tokensRemoved });
  });
}

async function checkPassword(ctx: AppContext, userId: string, password: string): Promise<void> {
  const lockout = ctx.counters.pinLockout;
  const state = await counterCall(() => lockout.isLocked({ userId, at: ctx.clock.now() }));
  if (state.locked) throw new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: state.retryAfterSeconds });
  const user = await ctx.stores.users.findById(userId);
  if (!user) throw new AppError('USER_NOT_FOUND');
  if (await verifySecret(password, user.passwordHash)) return;
  const failure = await counterCall(() => lockout.recordFailure({ userId, at: ctx.clock.now(), policy: pinPolicyFrom(ctx.economy.current.pin) }));
  if (failure.locked) throw new AppError('PIN_LOCKED', undefined, { retryAfterSeconds: failure.retryAfterSeconds });
  throw new AppError('INVALID_CREDENTIALS', 'Wrong password', { attemptsLeft: failure.attemptsLeft });
}

/** Moves the whole balance to the sink in one entry keyed by the account; a retry finds that entry. */
async function sweepBalance(ctx: AppContext, userId: string): Promise<number> {
  const key = accountDeletionKey(userId);
  for (let attempt = 0; attempt < SWEEP_ATTEMPTS_MAX; attempt++) {
    const existing = await ctx.ledger.findByIdempotencyKey(key);
    if (existing) return Math.abs(existing.legs[0]?.amount ?? 0);
    const { balance } = await ctx.ledger.account(userId);
    if (balance <= 0) return 0;
    const outcome = await ctx.ledger.post(spendEntry(userId, balance, { idempotencyKey: key, activity: 'account_deletion', actorId: userId }));
    if (outcome.status === 'posted') {
      ctx.balanceNotifier.posted(outcome);
      return balance;
    }
    if (outcome.status === 'duplicate') return Math.abs(outcome.entry.legs[0]?.amount ?? 0);
    // insufficient_funds: the balance fell meanwhile (a purchase in flight); read it again.
  }
  throw new Error(`account deletion of ${userId}: the balance kept changing`);
}
