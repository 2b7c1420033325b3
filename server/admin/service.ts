import type { z } from 'zod';
import type { adminAdjustmentBody, banLiftBody, penaltyLiftBody } from '../../shared/schemas.js';
import type { AbuseServices } from '../abuse/index.js';
import type { PenaltyView } from '../abuse/penalty-service.js';
import { penaltyStanding } from '../economy/rules/abuse.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import { tierOfAccount } from '../earning/tiers.js';
import { adjustmentEntry } from '../ledger/entries.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import { userAccount, type JournalEntry } from '../ledger/ports.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { RecordStores, UserRecord } from '../stores/ports.js';
import { userLog } from './lifts.js';
import type { AdminAction, AdminAuditRecord, AdminAuditStore, AuditLogQuery } from './ports.js';

export type AdjustmentInput = z.output<typeof adminAdjustmentBody>;
export type PenaltyLiftInput = z.output<typeof penaltyLiftBody>;
export type BanLiftInput = z.output<typeof banLiftBody>;

/** What `GET /api/admin/users` answers per user. */
export interface AdminUserView {
  id: string;
  username: string;
  role: UserRecord['role'];
  tier: string;
  balance: number;
  totalEarned: number;
  banned: boolean;
  bannedAt: string | null;
  createdAt: string;
  penalties: { count: number; lifted: number; suspendedUntil: string | null; banned: boolean };
  /** Client addresses on record: the one at registration (anti-abuse keeps it per account). */
  addresses: { registration: string | null };
}

/** An audit record as the API answers it (times as ISO strings). */
export type AuditLogView = Omit<AdminAuditRecord, 'createdAt'> & { createdAt: string };

export interface AdjustmentResult {
  entryId: string;
  auditId: string;
  userId: string;
  amount: number;
  reason: string;
  adjustedBy: string;
  createdAt: string;
  balance: number;
  /** True when this requestId was already used for this adjustment: nothing new was written. */
  duplicate: boolean;
}

export interface AdminServiceDeps {
  stores: Pick<RecordStores, 'users' | 'notifications'>;
  ledger: LedgerService;
  audit: AdminAuditStore;
  abuse: Pick<AbuseServices, 'store' | 'penalties' | 'standingChanged'>;
  notifier: BalanceNotifier;
  economy: EconomyConfigHolder;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/** The ledger key of an adjustment: one per admin request id, ever. */
export const adjustmentKey = (requestId: string): string => `admin:adjustment:${requestId}`;

/** Users listed per search, at most. */
export const ADMIN_USERS_PAGE_MAX = 100;

/**
 * Admin tools (docs/operations.md): find users, correct a balance, lift a penalty or an account
 * ban. Every change is written to the append-only audit log and told to the affected user (a
 * stored `admin_action` notification; an adjustment also shows in their token history). Every
 * write is idempotent by the admin's requestId, so a retry after a failure finishes the job
 * instead of doing it twice.
 */
export class AdminService {
  constructor(private readonly deps: AdminServiceDeps) {}

  async searchUsers(search: string | undefined, limit: number): Promise<AdminUserView[]> {
    const users = this.deps.stores.users;
    const term = search ?? '';
    const found = new Map<string, UserRecord>();
    const byId = term ? await users.findById(term) : null;
    if (byId) found.set(byId.id, byId);
    for (const u of await users.searchByUsernamePrefix(term, limit)) if (found.size < limit) found.set(u.id, u);
    const list = [...found.values()];
    const accounts = await this.deps.ledger.accounts(list.map((u) => u.id));
    return Promise.all(list.map(async (u) => this.userView(u, accounts[u.id])));
  }

  private async userView(u: UserRecord, account: Awaited<ReturnType<LedgerService['account']>> | undefined): Promise<AdminUserView> {
    const state = account ?? (await this.deps.ledger.account(u.id));
    const penalties = await this.deps.abuse.store.list(u.id);
    const standing = await this.deps.abuse.penalties.list(u.id);
    return {
      id: u.id,
      username: u.username,
      role: u.role,
      tier: tierOfAccount(state, this.deps.economy.current),
      balance: state.balance,
      totalEarned: state.totalEarned,
      banned: u.bannedAt !== null,
      bannedAt: u.bannedAt?.toISOString() ?? null,
      createdAt: u.createdAt.toISOString(),
      penalties: { count: penalties.length, lifted: penalties.filter((p) => p.liftedAt).length, ...standing.standing },
      addresses: { registration: (await this.deps.abuse.store.registrationOf(u.id))?.ip ?? u.registrationIp },
    };
  }

  /** A signed balance correction against the adjustments account; never takes a balance below zero. */
  async adjust(adminId: string, input: AdjustmentInput): Promise<AdjustmentResult> {
    await this.knownUser(input.userId);
    const draft = adjustmentEntry(input.userId, input.amount, {
      idempotencyKey: adjustmentKey(input.requestId),
      actorId: adminId,
      message: input.reason,
      metadata: { requestId: input.requestId },
    });
    const outcome = await this.deps.ledger.post(draft);
    this.deps.notifier.posted(outcome);
    if (outcome.status === 'insufficient_funds') {
      throw new AppError('INSUFFICIENT_BALANCE', `The balance is ${outcome.balance}: it cannot go below zero`, { balance: outcome.balance, needed: outcome.needed });
    }
    const entry = outcome.entry;
    if (outcome.status === 'duplicate' && !sameAdjustment(entry, input)) throw new AppError('IDEMPOTENCY_CONFLICT');
    // Appended after the ledger entry: a failure in between is finished by the retry, whose
    // ledger post is a duplicate and whose append then writes the missing record.
    const record = await this.record('adjustment', adminId, input.userId, input.reason, input.requestId, entry.id, { amount: input.amount });
    const balance = outcome.status === 'posted' ? (outcome.accounts[input.userId]?.balance ?? (await this.deps.ledger.account(input.userId)).balance) : (await this.deps.ledger.account(input.userId)).balance;
    return {
      entryId: entry.id,
      auditId: record.id,
      userId: input.userId,
      amount: input.amount,
      reason: entry.message ?? input.reason,
      adjustedBy: entry.actorId ?? adminId,
      createdAt: entry.createdAt.toISOString(),
      balance,
      duplicate: outcome.status === 'duplicate',
    };
  }

  /** Lifts one penalty: it no longer counts toward suspensions or bans (the ladder position stays). */
  async liftPenalty(adminId: string, input: PenaltyLiftInput): Promise<{ penalty: PenaltyView; auditId: string; duplicate: boolean }> {
    await this.knownUser(input.userId);
    const penalty = (await this.deps.abuse.store.list(input.userId)).find((p) => p.id === input.penaltyId);
    if (!penalty) throw new AppError('PENALTY_NOT_FOUND');
    let record: AdminAuditRecord & { duplicate: boolean };
    if (penalty.liftedAt) {
      // Already lifted: by this very request (a retry) or by another one.
      const mine = (await userLog(this.deps.audit, input.userId)).find((r) => r.action === 'penalty_lift' && r.requestId === input.requestId);
      if (!mine) throw new AppError('PENALTY_ALREADY_LIFTED');
      record = { ...this.sameOrConflict(mine, input.userId, input.penaltyId), duplicate: true };
    } else {
      record = await this.record('penalty_lift', adminId, input.userId, input.reason, input.requestId, input.penaltyId, { action: penalty.action });
    }
    await this.enforceLift(input.userId);
    const view = (await this.deps.abuse.penalties.list(input.userId)).penalties.find((p) => p.id === input.penaltyId)!;
    return { penalty: view, auditId: record.id, duplicate: record.duplicate };
  }

  /** Lifts an account ban: every account_ban penalty recorded so far is lifted and the account can log in again. */
  async liftBan(adminId: string, input: BanLiftInput): Promise<{ userId: string; auditId: string; duplicate: boolean }> {
    const user = await this.knownUser(input.userId);
    const standing = penaltyStanding(await this.deps.abuse.store.list(input.userId));
    if (!user.bannedAt && !standing.banned) {
      const mine = (await userLog(this.deps.audit, input.userId)).find((r) => r.action === 'ban_lift' && r.requestId === input.requestId);
      if (!mine) throw new AppError('NOT_BANNED');
      return { userId: input.userId, auditId: this.sameOrConflict(mine, input.userId, null).id, duplicate: true };
    }
    const record = await this.record('ban_lift', adminId, input.userId, input.reason, input.requestId, null, {});
    await this.enforceLift(input.userId);
    return { userId: input.userId, auditId: record.id, duplicate: record.duplicate };
  }

  async auditLog(query: AuditLogQuery): Promise<{ items: AuditLogView[]; nextCursor: string | null }> {
    const page = await this.deps.audit.list(query);
    return { items: page.items.map(auditView), nextCursor: page.nextCursor };
  }

  /** Makes the lifts true; safe to repeat: the ban stays only while a ban penalty still stands. */
  private async enforceLift(userId: string): Promise<void> {
    this.deps.abuse.standingChanged(userId);
    const standing = penaltyStanding(await this.deps.abuse.store.list(userId));
    const user = await this.knownUser(userId);
    if (!standing.banned && user.bannedAt) await this.deps.stores.users.setBanned(userId, null);
  }

  private async knownUser(userId: string): Promise<UserRecord> {
    const user = await this.deps.stores.users.findById(userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }

  /** A retried request must name the same target and subject as its first record. */
  private sameOrConflict(existing: AdminAuditRecord, targetUserId: string, subjectId: string | null): AdminAuditRecord {
    if (existing.targetUserId !== targetUserId || (subjectId !== null && existing.subjectId !== subjectId)) throw new AppError('IDEMPOTENCY_CONFLICT');
    return existing;
  }

  /** Appends to the audit log (the first time only) and tells the user. */
  private async record(
    action: AdminAction,
    actorId: string,
    targetUserId: string,
    reason: string,
    requestId: string,
    subjectId: string | null,
    details: Record<string, unknown>,
  ): Promise<AdminAuditRecord & { duplicate: boolean }> {
    const now = this.deps.clock.now();
    const rec: AdminAuditRecord = { id: this.deps.newId(), action, actorId, targetUserId, reason, requestId, subjectId, details, createdAt: now };
    const appended = await this.deps.audit.append(rec);
    if (appended.status === 'duplicate') return { ...this.sameOrConflict(appended.existing, targetUserId, subjectId), duplicate: true };
    try {
      await this.deps.stores.notifications.create({ id: this.deps.newId(), userId: targetUserId, type: 'admin_action', data: { ...auditView(rec) }, readAt: null, createdAt: now });
    } catch (err) {
      // The action stands and is in the audit log; a lost notice is logged, not failed.
      this.deps.logger.error({ err, auditId: rec.id }, 'admin action notification could not be stored');
    }
    return { ...rec, duplicate: false };
  }
}

function sameAdjustment(entry: JournalEntry, input: AdjustmentInput): boolean {
  return entry.kind === 'adjustment' && entry.legs.some((l) => l.account === userAccount(input.userId) && l.amount === input.amount);
}

export function auditView(r: AdminAuditRecord): AuditLogView {
  return { ...r, createdAt: r.createdAt.toISOString() };
}
