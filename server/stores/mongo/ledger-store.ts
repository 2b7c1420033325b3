import type { ClientSession, Connection } from 'mongoose';
import { judgeAudit } from '../../ledger/audit.js';
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
  type PostOutcome,
  type RankField,
} from '../../ledger/ports.js';
import { InsufficientFunds, LedgerInvariantError, ZERO_ACCOUNT, assertCarryUnchanged, assertReadBack, assertSameLegs, assertValidCarry, assertValidDraft, counterDelta, debitsFirst, isGuarded, isUserAccount, userIdOf } from '../../ledger/rules.js';
import { mongoErrorCode, runInTransaction } from './transaction.js';

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** How many times a post is re-run after a duplicate key raced in from another transaction. */
const DUPLICATE_RETRIES_MAX = 3;

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

/** System accounts keep no counters, so their legs move as a counter-free kind. */
const legKind = (entry: JournalEntry, leg: Leg): EntryKind => (isUserAccount(leg.account) ? entry.kind : 'adjustment');

/**
 * The ledger on MongoDB: collections `ledger_journal` (unique `idempotencyKey`) and
 * `ledger_accounts` (balance and counters per account). A post is one multi-document transaction
 * (server/stores/mongo/transaction.ts) and every call inside it carries the session.
 *
 * MongoDB has no savepoints, so a refused draft in a batch is undone by hand inside the same
 * transaction: debits are applied first, each guarded by `balance >= n`; when one is refused the
 * debits already applied for that draft are credited back before anything else of it is written.
 */
export function createMongoLedgerStore(connection: Connection, opts: { faults?: LedgerFaults } = {}): LedgerStore {
  const journal = connection.collection<JournalDoc>('ledger_journal');
  const accountsCol = connection.collection<AccountDoc>('ledger_accounts');
  const faults = opts.faults;

  // Collections and indexes are created once, before the first transaction: creating them inside
  // concurrent transactions would make those transactions conflict with each other.
  let ready: Promise<void> | undefined;
  const ensureIndexes = (): Promise<void> =>
    (ready ??= (async () => {
      for (const name of ['ledger_journal', 'ledger_accounts']) {
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
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  async function readAccount(account: string, session: ClientSession): Promise<AccountState> {
    return toState(await accountsCol.findOne({ _id: account }, { session }));
  }

  /** Applies one leg with its guard; `after` is null when the guard refused (nothing written). */
  async function applyLeg(entry: JournalEntry, leg: Leg, session: ClientSession): Promise<{ before: AccountState; after: AccountState | null }> {
    const before = await readAccount(leg.account, session);
    const kind = legKind(entry, leg);
    const d = counterDelta(kind, leg.amount);
    const inc = { balance: leg.amount, totalEarned: d.totalEarned, totalSpent: d.totalSpent, totalGifted: d.totalGifted, totalReceived: d.totalReceived };
    let after: AccountDoc | null;
    if (isGuarded(leg.account) && leg.amount < 0) {
      // The guard: the debit only matches when the balance covers it. No upsert: an account
      // without a document has nothing to give.
      after = await accountsCol.findOneAndUpdate(
        { _id: leg.account, balance: { $gte: -leg.amount } },
        { $inc: inc },
        { session, returnDocument: 'after' },
      );
      if (!after) return { before, after: null };
    } else {
      after = await accountsCol.findOneAndUpdate({ _id: leg.account }, { $inc: inc }, { session, returnDocument: 'after', upsert: true });
    }
    const state = toState(after);
    assertReadBack(leg.account, before, kind, leg.amount, state);
    return { before, after: state };
  }

  /** Reverses legs already applied for a refused draft (same transaction, same session). */
  async function undoLegs(entry: JournalEntry, applied: readonly Leg[], session: ClientSession): Promise<void> {
    for (const leg of applied) {
      const d = counterDelta(legKind(entry, leg), leg.amount);
      await accountsCol.updateOne(
        { _id: leg.account },
        { $inc: { balance: -leg.amount, totalEarned: -d.totalEarned, totalSpent: -d.totalSpent, totalGifted: -d.totalGifted, totalReceived: -d.totalReceived } },
        { session },
      );
    }
  }

  async function postOne(entry: JournalEntry, session: ClientSession): Promise<PostOutcome> {
    const existing = await journal.findOne({ idempotencyKey: entry.idempotencyKey }, { session });
    if (existing) return { status: 'duplicate', entry: toEntry(existing) };
    if (entry.carry) assertCarryUnchanged(entry, (await accountsCol.findOne({ _id: userAccount(entry.carry.userId) }, { session }))?.carryNanos ?? 0);
    const legs = debitsFirst(entry.legs);
    const touched: Record<string, AccountState> = {};
    const applied: Leg[] = [];
    for (const leg of legs.filter((l) => l.amount < 0)) {
      const { before, after } = await applyLeg(entry, leg, session);
      if (!after) {
        await undoLegs(entry, applied, session);
        throw new InsufficientFunds({ status: 'insufficient_funds', account: leg.account, balance: before.balance, needed: -leg.amount });
      }
      applied.push(leg);
      if (isUserAccount(leg.account)) touched[userIdOf(leg.account)] = after;
    }
    const doc: JournalDoc = {
      _id: entry.id,
      idempotencyKey: entry.idempotencyKey,
      kind: entry.kind,
      legs: legs.map((l) => ({ account: l.account, amount: l.amount })),
      accounts: legs.map((l) => l.account),
      activity: entry.activity,
      roomId: entry.roomId,
      message: entry.message,
      metadata: entry.metadata ?? {},
      actorId: entry.actorId,
      createdAt: entry.createdAt,
    };
    await journal.insertOne(doc, { session });
    const stored = await journal.findOne({ _id: entry.id }, { session });
    if (!stored) throw new LedgerInvariantError(`ledger entry ${entry.id} is not readable after its insert`);
    assertSameLegs(entry, stored);
    faults?.afterJournalInsert?.();
    for (const leg of legs.filter((l) => l.amount > 0)) {
      const { after } = await applyLeg(entry, leg, session);
      if (!after) throw new Error(`credit to ${leg.account} did not apply`);
      if (isUserAccount(leg.account)) touched[userIdOf(leg.account)] = after;
    }
    if (entry.carry) await accountsCol.updateOne({ _id: userAccount(entry.carry.userId) }, { $set: { carryNanos: entry.carry.nanos } }, { session });
    return { status: 'posted', entry: toEntry(doc), accounts: touched };
  }

  async function postBatch(entries: readonly JournalEntry[]): Promise<PostOutcome[]> {
    return runInTransaction(connection, async (session) => {
      const outcomes: PostOutcome[] = [];
      for (const entry of entries) {
        try {
          outcomes.push(await postOne(entry, session));
        } catch (err) {
          if (err instanceof InsufficientFunds) outcomes.push(err.outcome);
          else throw err;
        }
      }
      return outcomes;
    });
  }

  return {
    async post(entries) {
      if (entries.length === 0) return [];
      for (const entry of entries) {
        assertValidDraft(entry);
        assertValidCarry(entry);
      }
      await ensureIndexes();
      for (let attempt = 1; ; attempt++) {
        try {
          return await postBatch(entries);
        } catch (err) {
          // A concurrent transaction committed the same key after this one's snapshot: the
          // insert fails with 11000 and MongoDB aborts the transaction. Running it again reads
          // the committed entry and answers `duplicate`.
          if (mongoErrorCode(err) === DUPLICATE_KEY && attempt < DUPLICATE_RETRIES_MAX) continue;
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

    async accountWithCarry(userId) {
      const doc = await accountsCol.findOne({ _id: userAccount(userId) });
      return { account: toState(doc), carryNanos: doc?.carryNanos ?? 0 };
    },

    async findByIdempotencyKey(key) {
      const doc = await journal.findOne({ idempotencyKey: key });
      return doc ? toEntry(doc) : null;
    },

    async history(userId, query: HistoryQuery) {
      const filter: Record<string, unknown> = { accounts: userAccount(userId) };
      if (query.kind) filter['kind'] = query.kind;
      if (query.before) filter['_id'] = { $lt: query.before };
      const docs = await journal.find(filter).sort({ _id: -1 }).limit(query.limit + 1).toArray();
      const page = docs.slice(0, query.limit);
      return { items: page.map(toEntry), nextCursor: docs.length > query.limit ? (page[page.length - 1]?._id ?? null) : null };
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
      const filter: Record<string, unknown> = { roomId };
      if (query.kind) filter['kind'] = query.kind;
      if (query.before) filter['_id'] = { $lt: query.before };
      const docs = await journal.find(filter).sort({ _id: -1 }).limit(query.limit + 1).toArray();
      const page = docs.slice(0, query.limit);
      return { items: page.map(toEntry), nextCursor: docs.length > query.limit ? (page[page.length - 1]?._id ?? null) : null };
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
      // One snapshot, so the count, the sum and the median describe the same moment.
      return runInTransaction(connection, async (session) => {
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

    async audit(): Promise<AuditReport> {
      // A snapshot read transaction, so entries and balances come from one point in time.
      return runInTransaction(connection, async (session) => {
        const entries = await journal.countDocuments({}, { session });
        const unbalanced = await journal
          .aggregate<{ _id: string; sum: number; legs: number }>(
            [
              { $project: { sum: { $sum: '$legs.amount' }, legs: { $size: '$legs' } } },
              { $match: { $or: [{ sum: { $ne: 0 } }, { legs: { $lt: 2 } }] } },
            ],
            { session },
          )
          .toArray();
        const sums = await journal
          .aggregate<{ _id: string; sum: number }>([{ $unwind: '$legs' }, { $group: { _id: '$legs.account', sum: { $sum: '$legs.amount' } } }], { session })
          .toArray();
        const balances: Record<string, number> = {};
        for (const doc of await accountsCol.find({}, { session, projection: { balance: 1 } }).toArray()) balances[doc._id] = doc.balance;
        const journalSums: Record<string, number> = {};
        for (const s of sums) journalSums[s._id] = s.sum;
        return judgeAudit({ entries, unbalanced: unbalanced.map((u) => ({ entryId: u._id, sum: u.sum })), journalSums, balances });
      });
    },
  };
}
