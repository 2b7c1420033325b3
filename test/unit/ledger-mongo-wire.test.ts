import { afterEach, describe, expect, it } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { connectMongo } from '../../server/stores/mongo/connection.js';
import { AUDIT_PAGE_DOCS, GUARD_RETRIES_MAX, createMongoLedgerStore } from '../../server/stores/mongo/ledger-store.js';
import { createIndexBuilds } from '../../server/stores/mongo/index-builds.js';
import { ISSUANCE, SINK, userAccount, type JournalEntry, type LedgerFaults } from '../../server/ledger/ports.js';
import { createMongoEntryCompanions } from '../../server/stores/mongo/entry-companions.js';
import { saleDraft } from '../../server/market/rules.js';
import { earnEntry, giftEntry, type DraftInput } from '../../server/ledger/entries.js';
import { newId } from '../../server/lib/ids.js';
import { commandName, isHello, replicaSetHello, startFakeMongo, target, type Command, type FakeMongo } from '../support/fake-mongo.js';

/**
 * MongoDB cannot run here, so the MongoDB ledger adapter is driven against a wire-protocol fake
 * that keeps documents in memory and answers find / insert / update the way a server does (no
 * isolation, no rollback: it checks the adapter's commands and its own logic, not MongoDB's
 * transactions; test/contract/ does that wherever MONGO_URL is set). What it pins:
 * - a post is one transaction on one session, a fixed number of round trips per batch whatever
 *   its size, and the system accounts are written once per batch;
 * - the guard travels as a filter on the account's one update, and a refused draft writes nothing;
 * - a refusal read from a stale snapshot is re-checked outside the transaction and re-run fresh;
 * - the audit and the balance statistics read in a snapshot session without a transaction, the
 *   audit in pages;
 * - a failed index build is retried and is visible to /readyz until it succeeds;
 * - a market sale's companion write (the purchase's owner change and the listing close) is read and
 *   sent on the posting transaction's session, in the same transaction as the journal insert, and
 *   nothing of a refused or failed sale is committed.
 */

type Doc = Record<string, unknown>;
const silent = pino({ level: 'silent' });
const { Long } = mongoose.mongo;
const running: Array<{ fake: FakeMongo; connection: Connection }> = [];

afterEach(async () => {
  for (const { fake, connection } of running.splice(0)) {
    await connection.close(true);
    await fake.close();
  }
});

/** The subset of query operators the adapter uses. */
function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    // A dotted key reads a field of an embedded document ('claim.requestId').
    const value = key.split('.').reduce<unknown>((d, k) => (d && typeof d === 'object' ? (d as Doc)[k] : undefined), doc);
    if (cond instanceof RegExp) return typeof value === 'string' && cond.test(value);
    if (cond && typeof cond === 'object' && !(cond instanceof Date)) {
      const c = cond as Record<string, unknown>;
      if ('$in' in c) return (c['$in'] as unknown[]).some((v) => (Array.isArray(value) ? value.includes(v) : value === v));
      if ('$gte' in c) return typeof value === 'number' && value >= (c['$gte'] as number);
      if ('$gt' in c) return String(value) > String(c['$gt']);
      if ('$lt' in c) return String(value) < String(c['$lt']);
    }
    return Array.isArray(value) ? value.includes(cond) : value === cond;
  });
}

function applyUpdate(doc: Doc, u: { $inc?: Record<string, number>; $set?: Doc }): void {
  for (const [k, v] of Object.entries(u.$inc ?? {})) doc[k] = ((doc[k] as number | undefined) ?? 0) + v;
  Object.assign(doc, u.$set ?? {});
}

interface Options {
  /** Answers a command before the document logic does (return undefined to pass). */
  override?: (command: Command) => Command | undefined;
  /** Builds the store with the market's entry companions (a sale's item move) and these faults. */
  companions?: boolean;
  faults?: LedgerFaults;
}

async function start(opts: Options = {}) {
  const collections = new Map<string, Doc[]>();
  const coll = (name: string): Doc[] => {
    let c = collections.get(name);
    if (!c) collections.set(name, (c = []));
    return c;
  };
  const fake = await startFakeMongo((command: Command, port: number): Command => {
    if (isHello(command)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
    const early = opts.override?.(command);
    if (early) return early;
    const name = commandName(command);
    const target = String(Object.values(command)[0]);
    if (name === 'find') {
      let found = coll(target).filter((d) => matches(d, (command['filter'] ?? {}) as Doc));
      const sort = command['sort'] as Record<string, number> | undefined;
      if (sort?.['_id']) found = [...found].sort((a, b) => (String(a['_id']) < String(b['_id']) ? -sort['_id']! : sort['_id']!));
      const limit = Number(command['limit'] ?? 0);
      return { cursor: { id: Long.fromNumber(0), ns: `db.${target}`, firstBatch: (limit ? found.slice(0, limit) : found).map((d) => ({ ...d })) }, ok: 1 };
    }
    if (name === 'insert') {
      const docs = command['documents'] as Doc[];
      for (const [i, d] of docs.entries()) {
        if (coll(target).some((x) => x['idempotencyKey'] === d['idempotencyKey'] || x['_id'] === d['_id'])) {
          return { n: i, writeErrors: [{ index: i, code: 11000, errmsg: 'E11000 duplicate key error index: idempotencyKey_unique dup key' }], ok: 1 };
        }
        coll(target).push({ ...d });
      }
      return { n: docs.length, ok: 1 };
    }
    if (name === 'update') {
      const updates = command['updates'] as Array<{ q: Doc; u: { $inc?: Record<string, number>; $set?: Doc }; upsert?: boolean }>;
      let n = 0;
      const upserted: Doc[] = [];
      for (const [index, u] of updates.entries()) {
        let doc = coll(target).find((d) => matches(d, u.q));
        if (!doc && u.upsert) {
          coll(target).push((doc = { _id: u.q['_id'] }));
          upserted.push({ index, _id: u.q['_id'] });
        } else if (doc) n++;
        if (doc) applyUpdate(doc, u.u);
      }
      return { n: n + upserted.length, nModified: n, ...(upserted.length ? { upserted } : {}), ok: 1 };
    }
    return { ok: 1 };
  });
  const connection = await connectMongo(`mongodb://127.0.0.1:${fake.port}/db?serverSelectionTimeoutMS=2000`, silent);
  running.push({ fake, connection });
  const indexBuilds = createIndexBuilds();
  const store = createMongoLedgerStore(connection, indexBuilds, { ...(opts.companions ? { companions: createMongoEntryCompanions(connection) } : {}), ...(opts.faults ? { faults: opts.faults } : {}) });
  const account = (id: string) => coll('ledger_accounts').find((d) => d['_id'] === id);
  return { fake, store, collections, coll, account, connection, indexBuilds };
}

const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: new Date('2026-01-05T12:00:00Z') });
const DATA_COMMANDS = new Set(['find', 'insert', 'update', 'aggregate', 'findandmodify', 'committransaction', 'aborttransaction']);

/** The data commands sent after `from` (index builds, handshakes and monitoring left out). */
function dataCommands(fake: FakeMongo, from: number): Command[] {
  return fake.commands.slice(from).filter((c) => DATA_COMMANDS.has(commandName(c)));
}

const updatesOf = (c: Command) => c['updates'] as Array<{ q: Doc; u: Doc; upsert?: boolean }>;

describe('MongoDB ledger adapter on the wire', () => {
  it('sends every command of a post in one transaction on one session, ending with a commit', async () => {
    const { fake, store, account } = await start();
    const [funded] = await store.post([stamp(earnEntry('a', 10, { idempotencyKey: 'earn:t:1', activity: 'x' }))]);
    expect(funded?.status).toBe('posted');
    const from = fake.commands.length;
    const outcomes = await store.post([stamp(giftEntry('a', 'b', 4, { idempotencyKey: 'gift:a:1' })), stamp(giftEntry('a', 'b', 7, { idempotencyKey: 'gift:a:2' }))]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds']);
    expect(outcomes[1]).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 6, needed: 7 });
    const inTxn = dataCommands(fake, from).filter((c) => c['txnNumber'] !== undefined);
    const lsid = JSON.stringify(inTxn[0]?.['lsid']);
    for (const c of inTxn) {
      expect(JSON.stringify(c['lsid'])).toBe(lsid);
      expect(String(c['txnNumber'])).toBe(String(inTxn[0]?.['txnNumber']));
      expect(c['autocommit']).toBe(false);
    }
    expect(inTxn[0]?.['startTransaction']).toBe(true);
    expect(inTxn.slice(1).some((c) => c['startTransaction'])).toBe(false);
    expect(commandName(inTxn.at(-1)!)).toBe('committransaction');
    // The guard travels as a filter on the account's one update: the posted debit's 4, not the refused 7.
    const [update] = inTxn.filter((c) => commandName(c) === 'update');
    expect(updatesOf(update!).find((u) => u.q['_id'] === userAccount('a'))?.q['balance']).toEqual({ $gte: 4 });
    expect(account(userAccount('a'))).toMatchObject({ balance: 6, totalEarned: 10, totalGifted: 4 });
    expect(account(userAccount('b'))).toMatchObject({ balance: 4, totalReceived: 4, totalEarned: 0, totalSpent: 0, totalGifted: 0 });
    expect(account(ISSUANCE)).toMatchObject({ balance: -10 });
  });

  it('posts a batch in six round trips whatever its size, writing issuance once', async () => {
    const { fake, store, account, coll } = await start();
    const roundTrips = async (size: number, tag: string) => {
      const from = fake.commands.length;
      const batch = Array.from({ length: size }, (_, i) => stamp(earnEntry(`u${i % 7}`, 1, { idempotencyKey: `earn:${tag}:${i}`, activity: 'send_message' })));
      const outcomes = await store.post(batch);
      expect(outcomes.every((o) => o.status === 'posted')).toBe(true);
      return dataCommands(fake, from);
    };
    const one = await roundTrips(1, 'one');
    const hundred = await roundTrips(100, 'hundred');
    const names = ['find', 'find', 'insert', 'update', 'find', 'committransaction'];
    expect(one.map(commandName)).toEqual(names);
    expect(hundred.map(commandName)).toEqual(names);
    const insert = hundred.find((c) => commandName(c) === 'insert')!;
    expect(insert['documents']).toHaveLength(100);
    const updates = updatesOf(hundred.find((c) => commandName(c) === 'update')!);
    // One update per account: issuance once (summed), each of the seven users once.
    expect(updates.map((u) => u.q['_id'])).toEqual([ISSUANCE, ...Array.from({ length: 7 }, (_, i) => userAccount(`u${i}`))]);
    expect(updates[0]?.u).toEqual({ $inc: { balance: -100, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 } });
    expect(account(ISSUANCE)).toMatchObject({ balance: -101 });
    expect(coll('ledger_journal')).toHaveLength(101);
  });

  it('writes nothing of a refused draft: no compensating updates, the rest of the batch posts', async () => {
    const { fake, store, account, coll } = await start();
    await store.post([stamp(earnEntry('a', 10, { idempotencyKey: 'earn:t:1', activity: 'x' }))]);
    const twoDebits: DraftInput = {
      ...earnEntry('a', 1, { idempotencyKey: 'adj:1', activity: 'fix' }),
      kind: 'adjustment',
      legs: [
        { account: userAccount('a'), amount: -5 },
        { account: userAccount('b'), amount: -3 },
        { account: ISSUANCE, amount: 8 },
      ],
    };
    const from = fake.commands.length;
    const outcomes = await store.post([stamp(twoDebits), stamp(earnEntry('c', 2, { idempotencyKey: 'earn:t:2', activity: 'x' }))]);
    expect(outcomes[0]).toMatchObject({ status: 'insufficient_funds', account: userAccount('b'), needed: 3 });
    expect(outcomes[1]?.status).toBe('posted');
    const update = dataCommands(fake, from).filter((c) => commandName(c) === 'update');
    expect(update).toHaveLength(1);
    expect(updatesOf(update[0]!).map((u) => u.q['_id'])).toEqual([ISSUANCE, userAccount('c')]);
    expect(account(userAccount('a'))).toMatchObject({ balance: 10, totalEarned: 10 });
    expect(account(userAccount('b'))).toBeUndefined();
    expect(coll('ledger_journal')).toHaveLength(2);
  });

  it('answers duplicate for a key already in the journal and writes nothing', async () => {
    const { fake, store, coll } = await start();
    const draft = earnEntry('a', 10, { idempotencyKey: 'earn:send_message:m1', activity: 'send_message' });
    const [first] = await store.post([stamp(draft)]);
    const from = fake.commands.length;
    const [again] = await store.post([stamp(draft)]);
    expect(again?.status).toBe('duplicate');
    if (first?.status === 'posted' && again?.status === 'duplicate') expect(again.entry.id).toBe(first.entry.id);
    expect(dataCommands(fake, from).map(commandName)).toEqual(['find', 'find', 'committransaction']);
    expect(coll('ledger_journal')).toHaveLength(1);
  });

  it('re-runs a batch whose insert met a key another transaction committed, and answers duplicate', async () => {
    // The other transaction commits the same key between this one's read and its insert.
    let raced = false;
    const { fake, store, coll } = await start({
      override: (c) => {
        if (commandName(c) !== 'insert' || c['insert'] !== 'ledger_journal' || raced) return undefined;
        raced = true;
        const theirs = { ...(c['documents'] as Doc[])[0]!, _id: 'their-entry' };
        coll('ledger_journal').push(theirs);
        return { n: 0, writeErrors: [{ index: 0, code: 11000, errmsg: 'E11000 duplicate key error index: idempotencyKey_unique dup key' }], ok: 1 };
      },
    });
    const from = fake.commands.length;
    const [outcome] = await store.post([stamp(earnEntry('a', 3, { idempotencyKey: 'earn:x:1', activity: 'x' }))]);
    expect(outcome).toMatchObject({ status: 'duplicate', entry: { id: 'their-entry', idempotencyKey: 'earn:x:1' } });
    const sent = dataCommands(fake, from);
    expect(sent.filter((c) => c['startTransaction'])).toHaveLength(2);
    expect(sent.map(commandName)).toContain('aborttransaction');
    expect(coll('ledger_accounts')).toEqual([]);
  });

  it('answers a stale carry for its draft only, and posts the rest of the batch', async () => {
    const { store, coll, account } = await start();
    const award = (k: string, user: string, nanos: number, expectedNanos: number) => ({ ...stamp(earnEntry(user, 1, { idempotencyKey: k, activity: 'x' })), carry: { userId: user, nanos, expectedNanos } });
    const outcomes = await store.post([award('c1', 'a', 10, 0), award('c2', 'a', 20, 0), award('c3', 'b', 30, 0)]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'carry_conflict', 'posted']);
    expect(account(userAccount('a'))).toMatchObject({ balance: 1, carryNanos: 10 });
    expect(account(userAccount('b'))).toMatchObject({ balance: 1, carryNanos: 30 });
    expect(coll('ledger_journal').map((d) => d['idempotencyKey'])).toEqual(['c1', 'c3']);
  });

  it('re-runs a batch in a fresh transaction when its refusal came from a stale snapshot', async () => {
    // The first in-transaction read of the accounts shows a's balance before a credit committed
    // elsewhere (a snapshot taken just before it); every later read shows the credit.
    let staleReads = 1;
    const { fake, store, coll } = await start({
      override: (c) => {
        if (commandName(c) !== 'find' || c['find'] !== 'ledger_accounts' || c['txnNumber'] === undefined || staleReads === 0) return undefined;
        staleReads--;
        return { cursor: { id: Long.fromNumber(0), ns: 'db.ledger_accounts', firstBatch: [{ _id: userAccount('a'), balance: 2, totalEarned: 2, totalSpent: 0, totalGifted: 0, totalReceived: 0 }] }, ok: 1 };
      },
    });
    coll('ledger_accounts').push({ _id: userAccount('a'), balance: 9, totalEarned: 9, totalSpent: 0, totalGifted: 0, totalReceived: 0 });
    const from = fake.commands.length;
    const [outcome] = await store.post([stamp(giftEntry('a', 'b', 5, { idempotencyKey: 'gift:a:1' }))]);
    expect(outcome?.status).toBe('posted');
    const sent = dataCommands(fake, from);
    // The refusal was checked by a read outside the transaction, which found the credit.
    const outside = sent.filter((c) => c['txnNumber'] === undefined);
    expect(outside.map((c) => [commandName(c), c['find']])).toEqual([['find', 'ledger_accounts']]);
    expect(sent.filter((c) => c['startTransaction']).map((c) => String(c['txnNumber']))).toHaveLength(2);
    expect(sent.map(commandName)).toContain('aborttransaction');
    expect(coll('ledger_accounts').find((d) => d['_id'] === userAccount('a'))).toMatchObject({ balance: 4 });
  });

  it('bounds the re-runs when every snapshot is stale: the last run trusts its refusal', async () => {
    const { fake, store, coll } = await start({
      override: (c) =>
        commandName(c) === 'find' && c['find'] === 'ledger_accounts' && c['txnNumber'] !== undefined
          ? { cursor: { id: Long.fromNumber(0), ns: 'db.ledger_accounts', firstBatch: [{ _id: userAccount('a'), balance: 2, totalEarned: 2, totalSpent: 0, totalGifted: 0, totalReceived: 0 }] }, ok: 1 }
          : undefined,
    });
    coll('ledger_accounts').push({ _id: userAccount('a'), balance: 9, totalEarned: 9, totalSpent: 0, totalGifted: 0, totalReceived: 0 });
    const from = fake.commands.length;
    const [outcome] = await store.post([stamp(giftEntry('a', 'b', 5, { idempotencyKey: 'gift:a:1' }))]);
    expect(outcome).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 2, needed: 5 });
    const sent = dataCommands(fake, from);
    expect(sent.filter((c) => c['startTransaction'])).toHaveLength(GUARD_RETRIES_MAX);
    expect(sent.filter((c) => c['txnNumber'] === undefined)).toHaveLength(GUARD_RETRIES_MAX - 1);
    expect(commandName(sent.at(-1)!)).toBe('committransaction');
  });

  it('trusts a refusal the latest committed balance confirms: one transaction, one extra read', async () => {
    const { fake, store } = await start();
    await store.post([stamp(earnEntry('a', 3, { idempotencyKey: 'earn:t:1', activity: 'x' }))]);
    const from = fake.commands.length;
    const [outcome] = await store.post([stamp(giftEntry('a', 'b', 5, { idempotencyKey: 'gift:a:1' }))]);
    expect(outcome).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 3, needed: 5 });
    expect(dataCommands(fake, from).map((c) => `${commandName(c)}${c['txnNumber'] === undefined ? ' (outside)' : ''}`)).toEqual([
      'find',
      'find',
      'find (outside)',
      'committransaction',
    ]);
  });

  it('audits in pages of a snapshot session, never inside a transaction', async () => {
    const { fake, store, coll } = await start();
    const journalDocs = AUDIT_PAGE_DOCS * 2 + 5;
    for (let i = 0; i < journalDocs; i++) {
      coll('ledger_journal').push({ _id: `e${String(i).padStart(6, '0')}`, legs: [{ account: ISSUANCE, amount: -1 }, { account: userAccount('a'), amount: 1 }] });
    }
    coll('ledger_journal').push({ _id: 'e999999', legs: [{ account: SINK, amount: 1 }] });
    coll('ledger_accounts').push({ _id: ISSUANCE, balance: -journalDocs }, { _id: userAccount('a'), balance: journalDocs }, { _id: SINK, balance: 1 });
    const from = fake.commands.length;
    const report = await store.audit();
    expect(report).toMatchObject({ ok: false, entries: journalDocs + 1, minted: journalDocs, userBalanceSum: journalDocs });
    expect(report.violations).toEqual([
      { rule: 'entry_not_balanced', entryId: 'e999999', expected: 0, actual: 1 },
      { rule: 'total_not_zero', expected: 0, actual: 1 },
      { rule: 'supply_mismatch', expected: journalDocs - 1, actual: journalDocs },
    ]);
    const sent = dataCommands(fake, from);
    expect(sent.filter((c) => c['find'] === 'ledger_journal')).toHaveLength(3);
    expect(sent.filter((c) => c['find'] === 'ledger_journal').map((c) => c['limit'])).toEqual([AUDIT_PAGE_DOCS, AUDIT_PAGE_DOCS, AUDIT_PAGE_DOCS]);
    for (const c of sent) {
      expect(c['txnNumber'], commandName(c)).toBeUndefined();
      expect(c['startTransaction']).toBeUndefined();
      expect(c['readConcern']).toMatchObject({ level: 'snapshot' });
      expect(JSON.stringify(c['lsid'])).toBe(JSON.stringify(sent[0]?.['lsid']));
    }
  });

  it('reads the balance statistics in a snapshot session, not a transaction', async () => {
    const { fake, store } = await start({
      override: (c) => (commandName(c) === 'aggregate' ? { cursor: { id: Long.fromNumber(0), ns: 'db.ledger_accounts', firstBatch: [{ _id: null, n: 1, total: 7 }] }, ok: 1 } : undefined),
    });
    const from = fake.commands.length;
    const statsPromise = store.userBalanceStats();
    await expect(statsPromise).resolves.toMatchObject({ accounts: 1, balanceSum: 7 });
    const sent = dataCommands(fake, from);
    expect(sent.map(commandName)).toEqual(['aggregate', 'find']);
    for (const c of sent) {
      expect(c['txnNumber']).toBeUndefined();
      expect(c['readConcern']).toMatchObject({ level: 'snapshot' });
    }
  });

  it('retries a failed index build on the next post and keeps readiness red until it succeeds', async () => {
    let failIndexes = true;
    const { indexBuilds, store } = await start({
      override: (c) => (commandName(c) === 'createindexes' && failIndexes ? { ok: 0, code: 67, codeName: 'CannotCreateIndex', errmsg: 'index build interrupted' } : undefined),
    });
    const draft = () => stamp(earnEntry('a', 1, { idempotencyKey: newId(), activity: 'x' }));
    await expect(store.post([draft()])).rejects.toThrow(/index build interrupted/);
    await expect(indexBuilds.ensureAll()).rejects.toThrow(/index builds not done: ledger/);
    failIndexes = false;
    await expect(indexBuilds.ensureAll()).resolves.toBeUndefined();
    expect((await store.post([draft()]))[0]?.status).toBe('posted');
  });

  it('creates its collections and the unique idempotency index before the first transaction', async () => {
    const { fake, store } = await start();
    await store.post([stamp(earnEntry('a', 1, { idempotencyKey: 'k1', activity: 'x' }))]);
    const names = fake.commands.map(commandName);
    const firstTxn = fake.commands.findIndex((c) => c['startTransaction'] === true);
    expect(names.indexOf('create')).toBeLessThan(firstTxn);
    const createIndexes = fake.commands.filter((c) => commandName(c) === 'createindexes');
    expect(createIndexes.flatMap((c) => c['indexes'] as Doc[])).toContainEqual(expect.objectContaining({ key: { idempotencyKey: 1 }, unique: true }));
    expect(createIndexes.every((c) => c['lsid'] === undefined || c['txnNumber'] === undefined)).toBe(true);
  });

  describe('a market sale (EntryDraft.transfer)', () => {
    const listing = { id: 'L1', sellerId: 'S', purchaseId: 'P1', itemId: 'custom_avatar_frame', price: 100 };
    /** A funded buyer, the seller's purchase and the listing claimed under request `r`. */
    async function sale(opts: Options = {}) {
      const wire = await start({ ...opts, companions: true });
      await wire.store.post([stamp(earnEntry('B', 500, { idempotencyKey: 'earn:fund:B', activity: 'x' }))]);
      wire.coll('token_purchases').push({ _id: 'P1', userId: 'S', itemId: 'custom_avatar_frame', refundedAt: null, usedAt: null });
      wire.coll('market_listings').push({ _id: 'L1', sellerId: 'S', purchaseId: 'P1', itemId: 'custom_avatar_frame', price: 100, status: 'open', buyerId: null, saleEntryId: null, claim: { buyerId: 'B', requestId: 'r', until: new Date('2026-01-05T12:01:00Z') } });
      return wire;
    }

    it('reads the condition and sends the owner change and the listing close on the session of the journal insert, one transaction', async () => {
      const { fake, store, coll, account } = await sale();
      const from = fake.commands.length;
      const entry = stamp(saleDraft(listing, 'B', 'r', 5, true));
      expect((await store.post([entry]))[0]?.status).toBe('posted');
      const sent = dataCommands(fake, from);
      const insert = sent.find((c) => commandName(c) === 'insert' && target(c) === 'ledger_journal')!;
      const move = sent.find((c) => commandName(c) === 'update' && target(c) === 'token_purchases')!;
      const close = sent.find((c) => commandName(c) === 'update' && target(c) === 'market_listings')!;
      const reads = sent.filter((c) => commandName(c) === 'find' && ['market_listings', 'token_purchases'].includes(target(c)));
      expect(reads).toHaveLength(2);
      expect(updatesOf(move)).toEqual([{ q: { _id: 'P1', userId: 'S', refundedAt: null, usedAt: null }, u: { $set: { userId: 'B' } } }]);
      expect(updatesOf(close)).toEqual([
        { q: { _id: 'L1', status: 'open', 'claim.buyerId': 'B', 'claim.requestId': 'r' }, u: { $set: { status: 'sold', buyerId: 'B', saleEntryId: entry.id, closedAt: entry.createdAt, claim: null } } },
      ]);
      // One session, one transaction number: the reads, the insert and both updates, then one commit.
      for (const c of [...reads, insert, move, close]) {
        expect(JSON.stringify(c['lsid'])).toBe(JSON.stringify(insert['lsid']));
        expect(String(c['txnNumber'])).toBe(String(insert['txnNumber']));
        expect(c['autocommit']).toBe(false);
      }
      const commit = sent.findIndex((c) => commandName(c) === 'committransaction');
      expect(sent.indexOf(insert)).toBeLessThan(sent.indexOf(move));
      expect(sent.indexOf(close)).toBeLessThan(commit);
      expect(sent.filter((c) => commandName(c) === 'committransaction')).toHaveLength(1);
      expect(JSON.stringify(sent[commit]!['lsid'])).toBe(JSON.stringify(insert['lsid']));
      expect(coll('ledger_journal').at(-1)).not.toHaveProperty('transfer');
      expect(coll('token_purchases')[0]).toMatchObject({ userId: 'B' });
      expect(coll('market_listings')[0]).toMatchObject({ status: 'sold', saleEntryId: entry.id, claim: null });
      expect(account(userAccount('S'))).toMatchObject({ balance: 95 });
    });

    it('a seller who no longer holds the purchase: transfer_refused, and no insert or update is sent', async () => {
      const { fake, store, coll } = await sale();
      coll('token_purchases')[0]!['refundedAt'] = new Date('2026-01-05T12:00:30Z');
      const from = fake.commands.length;
      expect(await store.post([stamp(saleDraft(listing, 'B', 'r', 5, true))])).toEqual([{ status: 'transfer_refused', kind: 'market_sale', reason: 'item_gone' }]);
      expect(dataCommands(fake, from).filter((c) => ['insert', 'update'].includes(commandName(c)))).toEqual([]);
    });

    it('a failure after the companion write aborts the transaction: no commit is sent', async () => {
      const { fake, store } = await sale({
        faults: {
          afterTransfers: () => {
            throw new Error('injected after the item moved');
          },
        },
      });
      const from = fake.commands.length;
      await expect(store.post([stamp(saleDraft(listing, 'B', 'r', 5, true))])).rejects.toThrow(/injected/);
      const sent = dataCommands(fake, from);
      expect(sent.some((c) => commandName(c) === 'update' && target(c) === 'market_listings')).toBe(true);
      expect(sent.map(commandName)).not.toContain('committransaction');
      expect(commandName(sent.at(-1)!)).toBe('aborttransaction');
    });
  });
});
