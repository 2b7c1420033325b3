import { afterEach, describe, expect, it } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { connectMongo } from '../../server/stores/mongo/connection.js';
import { createMongoLedgerStore } from '../../server/stores/mongo/ledger-store.js';
import { ISSUANCE, userAccount, type JournalEntry } from '../../server/ledger/ports.js';
import { earnEntry, giftEntry, type DraftInput } from '../../server/ledger/entries.js';
import { newId } from '../../server/lib/ids.js';
import { commandName, isHello, replicaSetHello, startFakeMongo, type Command, type FakeMongo } from '../support/fake-mongo.js';

/**
 * MongoDB cannot run here, so the MongoDB ledger adapter is driven against a wire-protocol fake
 * that keeps documents in memory and answers find / findAndModify / insert / update the way a
 * server does (no isolation, no rollback: this checks the adapter's commands and its own logic,
 * not MongoDB's transactions). What it proves: every command of a post carries the session and
 * the transaction number, the first starts the transaction and the post ends with a commit; the
 * guard is a filter on the debit; a refused draft is compensated; a repeated key writes nothing.
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

function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    const value = doc[key];
    if (cond && typeof cond === 'object' && !(cond instanceof Date) && '$gte' in cond) return typeof value === 'number' && value >= (cond as { $gte: number }).$gte;
    return value === cond;
  });
}

function applyInc(doc: Doc, inc: Record<string, number>): void {
  for (const [k, v] of Object.entries(inc)) doc[k] = ((doc[k] as number | undefined) ?? 0) + v;
}

async function start() {
  const collections = new Map<string, Doc[]>();
  const coll = (name: string): Doc[] => {
    let c = collections.get(name);
    if (!c) collections.set(name, (c = []));
    return c;
  };
  const fake = await startFakeMongo((command: Command, port: number): Command => {
    if (isHello(command)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
    const name = commandName(command);
    const target = String(Object.values(command)[0]);
    if (name === 'find') {
      const filter = (command['filter'] ?? {}) as Doc;
      const found = coll(target).filter((d) => matches(d, filter));
      const limit = Number(command['limit'] ?? 0);
      return { cursor: { id: Long.fromNumber(0), ns: `db.${target}`, firstBatch: limit ? found.slice(0, limit) : found }, ok: 1 };
    }
    if (name === 'findandmodify') {
      const query = command['query'] as Doc;
      const update = command['update'] as { $inc: Record<string, number> };
      let doc = coll(target).find((d) => matches(d, query));
      if (!doc && command['upsert']) {
        doc = { _id: query['_id'] };
        coll(target).push(doc);
      }
      if (!doc) return { value: null, lastErrorObject: { n: 0, updatedExisting: false }, ok: 1 };
      applyInc(doc, update.$inc);
      return { value: { ...doc }, lastErrorObject: { n: 1, updatedExisting: true }, ok: 1 };
    }
    if (name === 'insert') {
      const docs = command['documents'] as Doc[];
      for (const d of docs) {
        if (coll(target).some((x) => x['idempotencyKey'] === d['idempotencyKey'] || x['_id'] === d['_id'])) {
          return { n: 0, writeErrors: [{ index: 0, code: 11000, errmsg: 'E11000 duplicate key' }], ok: 1 };
        }
        coll(target).push({ ...d });
      }
      return { n: docs.length, ok: 1 };
    }
    if (name === 'update') {
      const updates = command['updates'] as Array<{ q: Doc; u: { $inc: Record<string, number> } }>;
      let n = 0;
      for (const u of updates) {
        const doc = coll(target).find((d) => matches(d, u.q));
        if (doc) {
          applyInc(doc, u.u.$inc);
          n++;
        }
      }
      return { n, nModified: n, ok: 1 };
    }
    return { ok: 1 };
  });
  const connection = await connectMongo(`mongodb://127.0.0.1:${fake.port}/db?serverSelectionTimeoutMS=2000`, silent);
  running.push({ fake, connection });
  const store = createMongoLedgerStore(connection);
  const account = (id: string) => coll('ledger_accounts').find((d) => d['_id'] === id);
  return { fake, store, collections, account };
}

const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: new Date('2026-01-05T12:00:00Z') });
const DATA_COMMANDS = new Set(['find', 'findandmodify', 'insert', 'update', 'committransaction', 'aborttransaction']);

/** The data commands sent after `from`, each with its session id and transaction number. */
function dataCommands(fake: FakeMongo, from: number) {
  return fake.commands.slice(from).filter((c) => DATA_COMMANDS.has(commandName(c)));
}

describe('MongoDB ledger adapter on the wire', () => {
  it('sends every command of a post in one transaction on one session, ending with a commit', async () => {
    const { fake, store, account } = await start();
    const [funded] = await store.post([stamp(earnEntry('a', 10, { idempotencyKey: 'earn:t:1', activity: 'x' }))]);
    expect(funded?.status).toBe('posted');
    const from = fake.commands.length;
    const outcomes = await store.post([
      stamp(giftEntry('a', 'b', 4, { idempotencyKey: 'gift:a:1' })),
      stamp(giftEntry('a', 'b', 7, { idempotencyKey: 'gift:a:2' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds']);
    expect(outcomes[1]).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 6, needed: 7 });
    const sent = dataCommands(fake, from);
    expect(sent.length).toBeGreaterThan(4);
    const lsid = JSON.stringify(sent[0]?.['lsid']);
    const txn = String(sent[0]?.['txnNumber']);
    for (const c of sent) {
      expect(c['lsid'], commandName(c)).toBeDefined();
      expect(JSON.stringify(c['lsid'])).toBe(lsid);
      expect(String(c['txnNumber'])).toBe(txn);
      expect(c['autocommit']).toBe(false);
    }
    expect(sent[0]?.['startTransaction']).toBe(true);
    expect(sent.slice(1).some((c) => c['startTransaction'])).toBe(false);
    expect(commandName(sent.at(-1)!)).toBe('committransaction');
    // The guard travels as a filter on the debit.
    const debits = sent.filter((c) => commandName(c) === 'findandmodify' && (c['query'] as Doc)['balance'] !== undefined);
    expect(debits.map((c) => (c['query'] as Doc)['balance'])).toEqual([{ $gte: 4 }, { $gte: 7 }]);
    expect(account(userAccount('a'))).toMatchObject({ balance: 6, totalEarned: 10, totalGifted: 4 });
    expect(account(userAccount('b'))).toMatchObject({ balance: 4, totalReceived: 4 });
    expect(account(ISSUANCE)).toMatchObject({ balance: -10 });
  });

  it('compensates the debits a refused draft had already applied', async () => {
    const { store, account, collections } = await start();
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
    const [outcome] = await store.post([stamp(twoDebits)]);
    expect(outcome).toMatchObject({ status: 'insufficient_funds', account: userAccount('b'), needed: 3 });
    expect(account(userAccount('a'))).toMatchObject({ balance: 10, totalEarned: 10 });
    expect(account(userAccount('b'))).toBeUndefined();
    expect(collections.get('ledger_journal')).toHaveLength(1);
  });

  it('answers duplicate for a key already in the journal and writes nothing', async () => {
    const { fake, store, collections } = await start();
    const draft = earnEntry('a', 10, { idempotencyKey: 'earn:send_message:m1', activity: 'send_message' });
    const [first] = await store.post([stamp(draft)]);
    const from = fake.commands.length;
    const [again] = await store.post([stamp(draft)]);
    expect(again?.status).toBe('duplicate');
    if (first?.status === 'posted' && again?.status === 'duplicate') expect(again.entry.id).toBe(first.entry.id);
    expect(dataCommands(fake, from).map(commandName)).toEqual(['find', 'committransaction']);
    expect(collections.get('ledger_journal')).toHaveLength(1);
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
});
