import type { ClientSession, Connection } from 'mongoose';
import { JournalTally, judgeAudit } from '../../ledger/audit.js';
import {
  NO_ACTIVITY,
  userAccount,
  type AccountId,
  type AccountState,
  type ActivitySumsQuery,
  type AllUsersSumsQuery,
  type AuditReport,
  type EntryKind,
  type HistoryQuery,
  type JournalEntry,
  type LedgerFaults,
  type LedgerStore,
  type Leg,
  type RankField,
  type StoredPostOutcome,
  type TransferRefusal,
} from '../../ledger/ports.js';
import { LedgerInvariantError, ZERO_ACCOUNT, userIdOf } from '../../ledger/rules.js';
import { accountsOf, assertPostable, assertWriteReadBack, claimKeysOf, keysOf, planPosting, withTransfer, companionFor, type AccountSnapshot, type AccountWrite, type ClaimWrite, type PostingPlan } from '../../ledger/posting-plan.js';
import type { MongoEntryCompanions } from './entry-companions.js';
import { checkPageLimit, scanPages, toPage } from '../page.js';
import type { IndexBuilds } from './index-builds.js';
import { mongoErrorCode, runInTransaction } from './transaction.js';

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** How many times a post is re-run after a duplicate key raced in from another transaction. */
const DUPLICATE_RETRIES_MAX = 3;
/**
 * How many times a batch is re-run in a fresh transaction because a guard refusal was read from a
 * snapshot older than the account's latest commit. The last attempt trusts its refusal: it was true
 * at a moment during the call, and a hot account must not keep a batch looping.
 */
export const GUARD_RETRIES_MAX = 3;
/** Journal and account documents per page of the audit's scan. */
export const AUDIT_PAGE_DOCS = 1000;

interface JournalDoc {
  _id: string;
  idempotencyKey: string;
  kind: EntryKind;
  legs: Leg[];
  /** The accounts of `legs`, indexed with `_id` for history by account. */
  accounts: AccountId[];
  activity: string | null;
  roomId: string | null;
  message: string | null;
  metadata: Record<string, unknown>;
  actorId: string | null;
  createdAt: Date;
}

interface AccountDoc {
  _id: string;
  balance: number;
  totalEarned: number;
  totalSpent: number;
  totalGifted: number;
  totalReceived: number;
  /** The award remainder (billionths of a token); absent until the first award with a carry. */
  carryNanos?: number;
}

/** A bounded counter (EntryDraft.claims), one small document per key: `shop:stock:<itemId>`, never one global document. */
interface ClaimDoc {
  _id: string;
  count: number;
}

/**
 * One counter's summed batch write: an existing document must still hold the count the plan read
 * (a change since the snapshot is a write conflict, and the transaction runs again); a new one is
 * upserted (a concurrent insert is a duplicate key, and the post runs again).
 */
function claimUpdate(write: ClaimWrite) {
  const filter: Record<string, unknown> = write.before === null ? { _id: write.key } : { _id: write.key, count: write.before };
  return { updateOne: { filter, update: { $inc: { count: write.delta } }, upsert: write.before === null } };
}

const toState = (doc: AccountDoc | null): AccountState =>
  doc
    ? { balance: doc.balance, totalEarned: doc.totalEarned, totalSpent: doc.totalSpent, totalGifted: doc.totalGifted, totalReceived: doc.totalReceived }
    : { ...ZERO_ACCOUNT };

const toEntry = (doc: JournalDoc): JournalEntry => ({
  id: doc._id,
  kind: doc.kind,
  legs: doc.legs.map((l) => ({ account: l.account, amount: l.amount })),
  idempotencyKey: doc.idempotencyKey,
  activity: doc.activity,
  roomId: doc.roomId,
  message: doc.message,
  metadata: doc.metadata ?? {},
  actorId: doc.actorId,
  createdAt: doc.createdAt,
});

/** User account ids (`user:...`); anchored, so an index on `_id` or `legs.account` serves it. */
const USER_ACCOUNT_PATTERN = /^user:/;

/**
 * The journal-level $match and the per-leg $match of a filter over every user account's legs:
 * the first narrows documents (time, kinds), the second keeps only matching legs after $unwind.
 */
function allUsersLegMatch(query: AllUsersSumsQuery): { entry: Record<string, unknown>; leg: Record<string, unknown> } {
  const entry: Record<string, unknown> = {};
  if (query.kinds) entry['kind'] = { $in: query.kinds };
  const createdAt: Record<string, Date> = {};
  if (query.since) createdAt['$gte'] = query.since;
  if (query.until) createdAt['$lt'] = query.until;
  if (query.since || query.until) entry['createdAt'] = createdAt;
  return { entry, leg: { 'legs.account': USER_ACCOUNT_PATTERN, 'legs.amount': query.direction === 'credit' ? { $gt: 0 } : { $lt: 0 } } };
}

const toSnapshot = (doc: AccountDoc): AccountSnapshot => ({ state: toState(doc), carryNanos: doc.carryNanos ?? 0 });

const toJournalDoc = (entry: JournalEntry): JournalDoc => ({
  _id: entry.id,
  idempotencyKey: entry.idempotencyKey,
  kind: entry.kind,
  legs: entry.legs.map((l) => ({ account: l.account, amount: l.amount })),
  accounts: entry.legs.map((l) => l.account),
  activity: entry.activity,
  roomId: entry.roomId,
  message: entry.message,
  metadata: entry.metadata ?? {},
  actorId: entry.actorId,
  createdAt: entry.createdAt,
});

/**
 * One account's summed batch write: one increment of every field (so a created document has them
 * all), the new carry when planned, and the guard as a filter. A row that does not exist yet is
 * created (upsert); one that should exist must match, or the write is a broken invariant.
 */
function accountUpdate(write: AccountWrite) {
  const filter: Record<string, unknown> = { _id: write.account };
  if (write.guardMin !== undefined) filter['balance'] = { $gte: write.guardMin };
  const update: Record<string, unknown> = { $inc: { ...write.delta } };
  if (write.carryNanos !== undefined) update['$set'] = { carryNanos: write.carryNanos };
  return { updateOne: { filter, update, upsert: write.before === null } };
}

/**
 * A guard refusal read from a snapshot older than the account's latest commit: the batch is run
 * again in a fresh transaction (see GUARD_RETRIES_MAX).
 */
class StaleGuardRead extends Error {
  override name = 'StaleGuardRead';
}

/**
 * The ledger on MongoDB: collections `ledger_journal` (unique `idempotencyKey`) and
 * `ledger_accounts` (balance, counters and award carry per account). A post is one multi-document
 * transaction (server/stores/mongo/transaction.ts) and every call inside it carries the session.
 *
 * The rules are the planner's (server/ledger/posting-plan.ts); this adapter only reads and
 * applies, in a fixed number of round trips per batch whatever its size:
 *   1. find the batch's idempotency keys in the journal;
 *   2. find the batch's account documents (the transaction's snapshot);
 *   (3. only when the plan refused a debit: read those accounts again outside the snapshot)
 *   4. insertMany the planned entries;
 *   5. one bulkWrite with one update per account, system accounts included: issuance and the sink
 *      are written once per batch, not once per entry;
 *   6. find the written accounts again: the read-back, checked against the plan; then the bounded
 *      counters, and the companion writes of the posted entries (EntryDraft.transfer: a market
 *      sale's item move and listing close), each conditional, on the same session;
 *   7. commit.
 * (A draft with a companion write adds that companion's reads to steps 1-2.)
 * A refused draft writes nothing, so nothing is ever undone by hand.
 */
export function createMongoLedgerStore(connection: Connection, builds: IndexBuilds, opts: { faults?: LedgerFaults; companions?: MongoEntryCompanions } = {}): LedgerStore {
  const journal = connection.collection<JournalDoc>('ledger_journal');
  const accountsCol = connection.collection<AccountDoc>('ledger_accounts');
  const claimsCol = connection.collection<ClaimDoc>('ledger_claims');
  const { faults, companions } = opts;

  // Collections and indexes are created before the first transaction (creating them inside
  // concurrent transactions would make those transactions conflict). A failed build is retried by
  // the next call and shows in /readyz (index-builds.ts).
  const ensureIndexes = builds.register('ledger', async () => {
    for (const name of ['ledger_journal', 'ledger_accounts', 'ledger_claims']) {
      await connection.createCollection(name).catch((err: unknown) => {
        if (mongoErrorCode(err) !== NAMESPACE_EXISTS) throw err;
      });
    }
    await journal.createIndex({ idempotencyKey: 1 }, { unique: true, name: 'idempotencyKey_unique' });
    await journal.createIndex({ accounts: 1, _id: -1 }, { name: 'accounts_history' });
    await journal.createIndex({ accounts: 1, createdAt: 1 }, { name: 'accounts_createdAt' });
    await journal.createIndex({ roomId: 1, _id: -1 }, { name: 'room_entries' });
    await journal.createIndex({ createdAt: 1 }, { name: 'createdAt' });
    await accountsCol.createIndex({ balance: -1, _id: 1 }, { name: 'rank_balance' });
    await accountsCol.createIndex({ totalEarned: -1, _id: 1 }, { name: 'rank_totalEarned' });
  });

  /** Steps 1-2: what the planner needs, read in the transaction's snapshot. */
  async function readInputs(entries: readonly JournalEntry[], session: ClientSession) {
    const existing = new Map<string, JournalEntry>();
    for (const doc of await journal.find({ idempotencyKey: { $in: keysOf(entries) } }, { session }).toArray()) existing.set(doc.idempotencyKey, toEntry(doc));
    const accounts = new Map<string, AccountSnapshot>();
    for (const doc of await accountsCol.find({ _id: { $in: accountsOf(entries) } }, { session }).toArray()) accounts.set(doc._id, toSnapshot(doc));
    const claims = new Map<string, number>();
    const claimKeys = claimKeysOf(entries);
    if (claimKeys.length > 0) for (const doc of await claimsCol.find({ _id: { $in: claimKeys } }, { session }).toArray()) claims.set(doc._id, doc.count);
    // Each companion write's condition, read by the store that owns its records, on this session.
    const transfers = new Map<string, TransferRefusal | null>();
    for (const e of withTransfer(entries)) transfers.set(e.id, await companionFor(companions, e.transfer).refusal(e.transfer, session));
    return { existing, accounts, claims, transfers };
  }

  /** Step 6b: the posted entries' companion writes, on the same session, before the commit. */
  async function applyTransfers(plan: PostingPlan, session: ClientSession): Promise<void> {
    for (const { entry, transfer } of plan.transfers) await companionFor(companions, transfer).apply(transfer, entry, session);
    if (plan.transfers.length > 0) faults?.afterTransfers?.();
  }

  /**
   * Step 3: a snapshot is taken at the transaction's first read, so a credit committed after it is
   * invisible and the plan may refuse a debit the account can now afford. The refused accounts are
   * read again outside the transaction (latest committed state): a higher balance than the
   * snapshot's means the refusal is stale, and the batch runs again in a fresh transaction.
   */
  async function assertRefusalsCurrent(plan: PostingPlan, snapshot: ReadonlyMap<string, AccountSnapshot>, claims: ReadonlyMap<string, number>): Promise<void> {
    if (plan.guardMisses.length > 0) {
      const latest = await accountsCol.find({ _id: { $in: plan.guardMisses } }, { projection: { balance: 1 } }).toArray();
      for (const doc of latest) {
        if (doc.balance > (snapshot.get(doc._id)?.state.balance ?? 0)) throw new StaleGuardRead(`a credit to ${doc._id} committed after this transaction's snapshot`);
      }
    }
    // Likewise a counter given back (a refund returning stock) after the snapshot.
    if (plan.claimMisses.length > 0) {
      for (const doc of await claimsCol.find({ _id: { $in: plan.claimMisses } }).toArray()) {
        if (doc.count < (claims.get(doc._id) ?? 0)) throw new StaleGuardRead(`counter ${doc._id} was given back after this transaction's snapshot`);
      }
    }
  }

  /** Applies the plan's bounded counters and checks what they hold afterwards. */
  async function applyClaims(writes: readonly ClaimWrite[], session: ClientSession): Promise<void> {
    if (writes.length === 0) return;
    const result = await claimsCol.bulkWrite(writes.map(claimUpdate), { session, ordered: true });
    if (result.matchedCount + result.upsertedCount !== writes.length) {
      throw new LedgerInvariantError('claim writes matched fewer documents than planned', { expected: writes.length, matched: result.matchedCount, upserted: result.upsertedCount });
    }
    const after = new Map((await claimsCol.find({ _id: { $in: writes.map((w) => w.key) } }, { session }).toArray()).map((d) => [d._id, d.count]));
    for (const write of writes) {
      if (after.get(write.key) !== write.after) throw new LedgerInvariantError(`claim ${write.key} read back differs from the write`, { key: write.key, expected: write.after, actual: after.get(write.key) });
    }
  }

  /** Steps 4-6: write the plan and check what the server holds afterwards. */
  async function applyPlan(plan: PostingPlan, session: ClientSession): Promise<void> {
    if (plan.inserts.length > 0) {
      const inserted = await journal.insertMany(plan.inserts.map(toJournalDoc), { session, ordered: true });
      if (inserted.insertedCount !== plan.inserts.length) {
        throw new LedgerInvariantError('journal insert count differs from the plan', { expected: plan.inserts.length, actual: inserted.insertedCount });
      }
      faults?.afterJournalInsert?.();
    }
    if (plan.writes.length === 0) return;
    const result = await accountsCol.bulkWrite(plan.writes.map(accountUpdate), { session, ordered: true });
    if (result.matchedCount + result.upsertedCount !== plan.writes.length) {
      // A guard filter or an expected document did not match although the snapshot said it would.
      throw new LedgerInvariantError('account writes matched fewer documents than planned', { expected: plan.writes.length, matched: result.matchedCount, upserted: result.upsertedCount });
    }
    const after = new Map((await accountsCol.find({ _id: { $in: plan.writes.map((w) => w.account) } }, { session }).toArray()).map((d) => [d._id, d]));
    for (const write of plan.writes) {
      const doc = after.get(write.account);
      if (!doc) throw new LedgerInvariantError(`account ${write.account} is not readable after its write`, { account: write.account });
      assertWriteReadBack(write, toState(doc), doc.carryNanos);
    }
  }

  async function postBatch(entries: readonly JournalEntry[], checkRefusals: boolean): Promise<StoredPostOutcome[]> {
    return runInTransaction(connection, async (session) => {
      const inputs = await readInputs(entries, session);
      const plan = planPosting(entries, inputs);
      if (checkRefusals && plan.guardMisses.length + plan.claimMisses.length > 0) await assertRefusalsCurrent(plan, inputs.accounts, inputs.claims);
      await applyPlan(plan, session);
      await applyClaims(plan.claimWrites, session);
      await applyTransfers(plan, session);
      return plan.outcomes;
    });
  }

  /** One snapshot-read session (no transaction, so no 60 s limit): every read sees one moment. */
  async function withSnapshot<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = await connection.startSession({ snapshot: true });
    try {
      return await fn(session);
    } finally {
      await session.endSession();
    }
  }

  /** A page of entries newest first (history, a room's entries): one indexed query, paged by id. */
  async function entryPage(filter: Record<string, unknown>, query: HistoryQuery) {
    checkPageLimit(query.limit);
    if (query.kind) filter['kind'] = query.kind;
    if (query.before) filter['_id'] = { $lt: query.before };
    const docs = await journal.find(filter).sort({ _id: -1 }).limit(query.limit + 1).toArray();
    return toPage(docs.map(toEntry), query.limit);
  }

  return {
    async post(entries) {
      if (entries.length === 0) return [];
      assertPostable(entries);
      await ensureIndexes();
      let duplicateRaces = 0;
      let staleRefusals = 0;
      for (;;) {
        try {
          // The last allowed run trusts its refusals instead of checking them again.
          return await postBatch(entries, staleRefusals < GUARD_RETRIES_MAX - 1);
        } catch (err) {
          if (err instanceof StaleGuardRead) {
            staleRefusals++;
            continue;
          }
          // A concurrent transaction committed the same key after this one's snapshot: the
          // insert fails with 11000 and MongoDB aborts the transaction. Running it again reads
          // the committed entry and answers `duplicate`.
          if (mongoErrorCode(err) === DUPLICATE_KEY && ++duplicateRaces < DUPLICATE_RETRIES_MAX) continue;
          throw err;
        }
      }
    },

    async account(userId) {
      return toState(await accountsCol.findOne({ _id: userAccount(userId) }));
    },

    async accounts(userIds) {
      const docs = await accountsCol.find({ _id: { $in: userIds.map(userAccount) } }).toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      const out: Record<string, AccountState> = {};
      for (const id of userIds) out[id] = toState(byId.get(userAccount(id)) ?? null);
      return out;
    },

    async claimCounts(keys) {
      const out: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
      if (keys.length === 0) return out;
      for (const doc of await claimsCol.find({ _id: { $in: [...new Set(keys)] } }).toArray()) out[doc._id] = doc.count;
      return out;
    },

    async accountWithCarry(userId) {
      const doc = await accountsCol.findOne({ _id: userAccount(userId) });
      return { account: toState(doc), carryNanos: doc?.carryNanos ?? 0 };
    },

    async findByIdempotencyKey(key) {
      const doc = await journal.findOne({ idempotencyKey: key });
      return doc ? toEntry(doc) : null;
    },

    async history(userId, query: HistoryQuery) {
      return entryPage({ accounts: userAccount(userId) }, query);
    },

    async sumsByActivity(userId, query: ActivitySumsQuery) {
      if (query.kinds && query.kinds.length === 0) return {};
      const account = userAccount(userId);
      const match: Record<string, unknown> = { accounts: account };
      if (query.kinds) match['kind'] = { $in: query.kinds };
      if (query.since) match['createdAt'] = { $gte: query.since };
      const rows = await journal
        .aggregate<{ _id: string | null; total: number }>([
          { $match: match },
          { $unwind: '$legs' },
          { $match: { 'legs.account': account, 'legs.amount': query.direction === 'credit' ? { $gt: 0 } : { $lt: 0 } } },
          { $group: { _id: '$activity', total: { $sum: { $abs: '$legs.amount' } } } },
        ])
        .toArray();
      const out: Record<string, number> = {};
      for (const r of rows) out[r._id ?? NO_ACTIVITY] = (out[r._id ?? NO_ACTIVITY] ?? 0) + r.total;
      return out;
    },

    async roomEntries(roomId, query) {
      await ensureIndexes();
      return entryPage({ roomId }, query);
    },

    async topAccounts(query) {
      await ensureIndexes();
      const docs = await accountsCol
        .find({ _id: USER_ACCOUNT_PATTERN, [query.by]: { $gt: 0 } })
        .sort({ [query.by]: -1, _id: 1 })
        .skip(query.offset ?? 0)
        .limit(query.limit)
        .toArray();
      return docs.map((d) => ({ userId: userIdOf(d._id as `user:${string}`), account: toState(d) }));
    },

    async countAccountsAtLeast(by: RankField, mins) {
      await ensureIndexes();
      return Promise.all(mins.map((min) => accountsCol.countDocuments({ _id: USER_ACCOUNT_PATTERN, [by]: { $gte: min } })));
    },

    async userBalanceStats() {
      await ensureIndexes();
      // One snapshot-read session, so the count, the sum and the median describe the same moment,
      // without a transaction's time limit.
      return withSnapshot(async (session) => {
        const [totals] = await accountsCol
          .aggregate<{ n: number; total: number }>([{ $match: { _id: USER_ACCOUNT_PATTERN } }, { $group: { _id: null, n: { $sum: 1 }, total: { $sum: '$balance' } } }], { session })
          .toArray();
        const n = totals?.n ?? 0;
        if (n === 0) return { accounts: 0, balanceSum: 0, medianBalance: 0 };
        const middle = await accountsCol
          .find({ _id: USER_ACCOUNT_PATTERN }, { session, projection: { balance: 1 } })
          .sort({ balance: -1, _id: 1 })
          .skip(Math.floor((n - 1) / 2))
          .limit(n % 2 === 0 ? 2 : 1)
          .toArray();
        return { accounts: n, balanceSum: totals?.total ?? 0, medianBalance: middle.reduce((sum, d) => sum + d.balance, 0) / middle.length };
      });
    },

    async allUsersSumsByActivity(query) {
      if (query.kinds && query.kinds.length === 0) return {};
      const m = allUsersLegMatch(query);
      const rows = await journal
        .aggregate<{ _id: string | null; total: number }>([
          { $match: m.entry },
          { $unwind: '$legs' },
          { $match: m.leg },
          { $group: { _id: '$activity', total: { $sum: { $abs: '$legs.amount' } } } },
        ])
        .toArray();
      const out: Record<string, number> = {};
      for (const r of rows) out[r._id ?? NO_ACTIVITY] = (out[r._id ?? NO_ACTIVITY] ?? 0) + r.total;
      return out;
    },

    async allUsersDailySumsByActivity(query) {
      if (query.kinds && query.kinds.length === 0) return [];
      const m = allUsersLegMatch(query);
      const rows = await journal
        .aggregate<{ _id: { day: string; activity: string | null }; total: number }>([
          { $match: m.entry },
          { $unwind: '$legs' },
          { $match: m.leg },
          // $dateToString formats in UTC unless a timezone is given.
          { $group: { _id: { day: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt' } }, activity: '$activity' }, total: { $sum: { $abs: '$legs.amount' } } } },
          { $sort: { '_id.day': 1, '_id.activity': 1 } },
        ])
        .toArray();
      return rows.map((r) => ({ day: r._id.day, activity: r._id.activity ?? NO_ACTIVITY, total: r.total }));
    },

    async countActiveUsers(query) {
      if (query.kinds && query.kinds.length === 0) return 0;
      const m = allUsersLegMatch(query);
      const [row] = await journal
        .aggregate<{ n: number }>([{ $match: m.entry }, { $unwind: '$legs' }, { $match: m.leg }, { $group: { _id: '$legs.account' } }, { $count: 'n' }])
        .toArray();
      return row?.n ?? 0;
    },

    async netFlows(accounts, since) {
      const match: Record<string, unknown> = { accounts: { $in: accounts } };
      if (since) match['createdAt'] = { $gte: since };
      const rows = await journal
        .aggregate<{ _id: string; total: number }>([
          { $match: match },
          { $unwind: '$legs' },
          { $match: { 'legs.account': { $in: accounts } } },
          { $group: { _id: '$legs.account', total: { $sum: '$legs.amount' } } },
        ])
        .toArray();
      const out: Record<string, number> = {};
      for (const account of accounts) out[account] = rows.find((r) => r._id === account)?.total ?? 0;
      return out;
    },
    async firstEntryAt() {
      // Entry ids are ULIDs, sorted by time: the default _id index finds the first one.
      const [first] = await journal.find({}, { projection: { createdAt: 1 } }).sort({ _id: 1 }).limit(1).toArray();
      return first ? first.createdAt : null;
    },

    async topEarnersBetween(query) {
      if (query.kinds.length === 0) return [];
      await ensureIndexes();
      // The createdAt index bounds the scan to the season's window.
      const rows = await journal
        .aggregate<{ _id: string; earned: number }>([
          { $match: { createdAt: { $gte: query.since, $lt: query.until }, kind: { $in: [...query.kinds] } } },
          { $unwind: '$legs' },
          { $match: { 'legs.account': USER_ACCOUNT_PATTERN, 'legs.amount': { $gt: 0 } } },
          { $group: { _id: '$legs.account', earned: { $sum: '$legs.amount' } } },
          { $sort: { earned: -1, _id: 1 } },
          { $limit: query.limit },
        ])
        .toArray();
      return rows.map((r) => ({ userId: userIdOf(r._id as `user:${string}`), earned: r.earned }));
    },

    async audit(): Promise<AuditReport> {
      // Paged reads in one snapshot-read session: every page sees the same moment, no page holds
      // a transaction or a cursor open for long, and the journal is tallied here instead of
      // grouped by the server in one pass (no 60 s transaction limit, no 100 MB group limit).
      // The snapshot must outlive the scan: minSnapshotHistoryWindowInSeconds, 300 s by default.
      return withSnapshot(async (session) => {
        const tally = new JournalTally();
        const journalPage = async (after: string | undefined, limit: number) =>
          (await journal.find(after === undefined ? {} : { _id: { $gt: after } }, { session, projection: { legs: 1 } }).sort({ _id: 1 }).limit(limit).toArray()).map((d) => ({ id: d._id, legs: d.legs }));
        for await (const page of scanPages(journalPage, AUDIT_PAGE_DOCS)) for (const e of page) tally.add(e.id, e.legs);
        const balances: Record<string, number> = {};
        const accountPage = async (after: string | undefined, limit: number) =>
          (await accountsCol.find(after === undefined ? {} : { _id: { $gt: after } }, { session, projection: { balance: 1 } }).sort({ _id: 1 }).limit(limit).toArray()).map((d) => ({ id: d._id, balance: d.balance }));
        for await (const page of scanPages(accountPage, AUDIT_PAGE_DOCS)) for (const a of page) balances[a.id] = a.balance;
        return judgeAudit({ entries: tally.entries, unbalanced: tally.unbalanced, journalSums: tally.journalSums, balances });
      });
    },
  };
}
