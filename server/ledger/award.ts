import { AppError } from '../lib/app-error.js';
import { refuseIneligible } from '../earning/gate-refusal.js';
import type { AppContext } from '../context.js';
import { awardEntry } from './entries.js';
import { userAccount, type AccountState, type JournalEntry } from './ports.js';
import { idempotencyKeys } from './rules.js';

export interface AwardRequest {
  userId: string;
  amount: number;
  reason: string;
  requestId: string;
}

export interface AwardResult {
  entryId: string;
  userId: string;
  amount: number;
  reason: string;
  awardedBy: string;
  createdAt: string;
  /** True when this requestId was already used for the same award: nothing new was written. */
  duplicate: boolean;
  account: AccountState;
}

/**
 * An admin mints tokens for a user: an `award` entry from issuance, recorded with the admin as
 * actor. The admin's requestId makes it idempotent; reusing it for a different award is refused.
 */
export async function awardTokens(ctx: Pick<AppContext, 'ledger' | 'stores' | 'balanceNotifier' | 'awards' | 'clock'>, adminId: string, req: AwardRequest): Promise<AwardResult> {
  const user = await ctx.stores.users.findById(req.userId);
  if (!user) throw new AppError('USER_NOT_FOUND');
  if (user.bannedAt) throw new AppError('RECIPIENT_BANNED');
  const idempotencyKey = idempotencyKeys.award(adminId, req.requestId);
  // Issue 9: an admin award passes the award gate like every other mint; a retry of an award
  // already made is answered as it was, whatever the standing now.
  if (!(await ctx.ledger.findByIdempotencyKey(idempotencyKey))) await refuseIneligible(ctx.awards, { userId: req.userId, activity: 'admin_award' }, ctx.clock.now());
  const draft = awardEntry(req.userId, req.amount, {
    idempotencyKey,
    actorId: adminId,
    message: req.reason,
    metadata: { requestId: req.requestId },
  });
  const outcome = await ctx.ledger.post(draft);
  ctx.balanceNotifier.posted(outcome);
  if (outcome.status === 'insufficient_funds') {
    // Issuance is never guarded; reaching this is a broken invariant, not a user error.
    throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { account: outcome.account });
  }
  const entry = outcome.entry;
  const duplicate = outcome.status === 'duplicate';
  if (duplicate && !sameAward(entry, req)) throw new AppError('IDEMPOTENCY_CONFLICT');
  const account = outcome.status === 'posted' ? (outcome.accounts[req.userId] ?? (await ctx.ledger.account(req.userId))) : await ctx.ledger.account(req.userId);
  return {
    entryId: entry.id,
    userId: req.userId,
    amount: req.amount,
    reason: entry.message ?? req.reason,
    awardedBy: adminId,
    createdAt: entry.createdAt.toISOString(),
    duplicate,
    account,
  };
}

function sameAward(entry: JournalEntry, req: AwardRequest): boolean {
  return entry.kind === 'award' && entry.legs.some((l) => l.account === userAccount(req.userId) && l.amount === req.amount);
}
