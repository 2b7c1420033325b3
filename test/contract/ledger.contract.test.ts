import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contractBackends, type BackendFactory } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { ISSUANCE, SINK, userAccount, type JournalEntry, type LedgerFaults, type LedgerStore } from '../../server/ledger/ports.js';
import { awardEntry, earnEntry, giftEntry, grantEntry, refundEntry, spendEntry, type DraftInput } from '../../server/ledger/entries.js';
import { newId } from '../../server/lib/ids.js';
import { startStoreRacer, type StoreRacer } from '../support/store-racer.js';

const backends = await contractBackends('ledger');

let at = Date.parse('2026-01-05T12:00:00.000Z');
const stamp = (d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: new Date((at += 1000)) });
const key = (p: string) => `${p}:${newId()}`;

describe.each(backends)('LedgerStore contract on $name', (factory: BackendFactory) => {
  const opened: Backend[] = [];
  const racers: StoreRacer[] = [];
  afterEach(async () => {
    await Promise.all(racers.splice(0).map((r) => r.close()));
    await Promise.all(opened.splice(0).map((b) => factory.dispose(b)));
  });

  async function openStore(faults?: LedgerFaults): Promise<LedgerStore> {
    const backend = await factory.open();
    opened.push(backend);
    return createLedgerStore(backend, faults ? { faults } : {});
  }

  async function fund(store: LedgerStore, userId: string, amount: number): Promise<void> {
    const [o] = await store.post([stamp(earnEntry(userId, amount, { idempotencyKey: key('fund'), activity: 'test' }))]);
    expect(o?.status).toBe('posted');
  }

  it('posts an earn entry, updates balance and counters, and reads it back', async () => {
    const store = await openStore();
    const entry = stamp(earnEntry('u1', 30, { idempotencyKey: 'earn:send_message:m1', activity: 'send_message', roomId: 'r1' }));
    const [outcome] = await store.post([entry]);
    expect(outcome?.status).toBe('posted');
    if (outcome?.status !== 'posted') return;
    expect(outcome.accounts['u1']).toEqual({ balance: 30, totalEarned: 30, totalSpent: 0, totalGifted: 0, totalReceived: 0 });
    expect(outcome.entry.id).toBe(entry.id);
    expect(await store.account('u1')).toEqual(outcome.accounts['u1']);
    expect(await store.account('nobody')).toEqual({ balance: 0, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 });
    const found = await store.findByIdempotencyKey('earn:send_message:m1');
    expect(found?.id).toBe(entry.id);
    expect(found?.roomId).toBe('r1');
    expect(found?.createdAt.getTime()).toBe(entry.createdAt.getTime());
    expect([...(found?.legs ?? [])].sort((a, b) => a.amount - b.amount)).toEqual([
      { account: ISSUANCE, amount: -30 },
      { account: userAccount('u1'), amount: 30 },
    ]);
  });

  it('moves the counters of gifts, spends and refunds as documented', async () => {
    const store = await openStore();
    await fund(store, 'a', 100);
    await store.post([stamp(giftEntry('a', 'b', 40, { idempotencyKey: key('gift') }))]);
    await store.post([stamp(spendEntry('a', 10, { idempotencyKey: key('spend'), activity: 'shop:frame' }))]);
    await store.post([stamp(refundEntry('a', 5, { idempotencyKey: key('refund') }))]);
    const accounts = await store.accounts(['a', 'b']);
    expect(accounts['a']).toEqual({ balance: 55, totalEarned: 100, totalSpent: 10, totalGifted: 40, totalReceived: 0 });
    expect(accounts['b']).toEqual({ balance: 40, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 40 });
    const report = await store.audit();
    expect(report).toMatchObject({ ok: true, minted: 100, burned: 5, userBalanceSum: 95, entries: 4 });
  });

  it('refuses an unaffordable debit with insufficient_funds and writes nothing', async () => {
    const store = await openStore();
    await fund(store, 'a', 10);
    const [o] = await store.post([stamp(giftEntry('a', 'b', 11, { idempotencyKey: key('gift') }))]);
    expect(o).toEqual({ status: 'insufficient_funds', account: userAccount('a'), balance: 10, needed: 11 });
    expect((await store.account('a')).balance).toBe(10);
    expect((await store.account('b')).balance).toBe(0);
    expect((await store.history('a', { limit: 10 })).items).toHaveLength(1);
    const [never] = await store.post([stamp(spendEntry('ghost', 1, { idempotencyKey: key('spend'), activity: 'x' }))]);
    expect(never?.status).toBe('insufficient_funds');
    expect((await store.audit()).ok).toBe(true);
  });

  it('refuses a malformed draft before writing', async () => {
    const store = await openStore();
    const bad = stamp({ ...earnEntry('a', 5, { idempotencyKey: key('bad'), activity: 't' }), legs: [{ account: ISSUANCE, amount: -5 }, { account: userAccount('a'), amount: 4 }] });
    await expect(store.post([bad])).rejects.toThrow(/legs_not_balanced/);
    expect((await store.audit()).entries).toBe(0);
  });

  // The races run in two processes (two connections on MongoDB): on SQLite a race inside one
  // process cannot interleave two transactions, so it would prove nothing.
  async function openRace(): Promise<{ store: LedgerStore; racer: LedgerStore }> {
    const backend = await factory.open();
    opened.push(backend);
    const racer = await startStoreRacer(factory.racerTarget(backend));
    racers.push(racer);
    return { store: await createLedgerStore(backend), racer: racer.store<LedgerStore>('ledger') };
  }

  it('50 transfers raced from two processes out of an account that can afford 10: exactly 10 succeed', async () => {
    const { store, racer } = await openRace();
    await fund(store, 'rich', 10);
    const gift = (i: number) => [stamp(giftEntry('rich', `r${i}`, 1, { idempotencyKey: key('gift') }))];
    const outcomes = (
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? racer.post(gift(i)) : store.post(gift(i)))))
    ).map((o) => o[0]!);
    expect(outcomes.filter((o) => o.status === 'posted')).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'insufficient_funds')).toHaveLength(40);
    expect((await store.account('rich')).balance).toBe(0);
    expect(await store.audit()).toMatchObject({ ok: true, userBalanceSum: 10 });
  });

  it('20 posts with one idempotency key raced from two processes make one entry', async () => {
    const { store, racer } = await openRace();
    const k = 'earn:join_room:u1:r1';
    const post = (i: number) => (i % 2 === 0 ? racer : store).post([stamp(earnEntry('u1', 5, { idempotencyKey: k, activity: 'join_room' }))]);
    const outcomes = (await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)))).map((o) => o[0]!);
    const posted = outcomes.filter((o) => o.status === 'posted');
    expect(posted).toHaveLength(1);
    const firstId = posted[0]?.status === 'posted' ? posted[0].entry.id : '';
    for (const o of outcomes) if (o.status === 'duplicate') expect(o.entry.id).toBe(firstId);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(19);
    expect(await store.account('u1')).toMatchObject({ balance: 5, totalEarned: 5 });
    expect((await store.history('u1', { limit: 50 })).items).toHaveLength(1);
  });

  it('award batches raced from two processes keep issuance equal to what was minted', async () => {
    const { store, racer } = await openRace();
    const batch = (tag: string) => Array.from({ length: 40 }, (_, i) => stamp(earnEntry(`u${i % 5}`, 1 + (i % 3), { idempotencyKey: `${tag}:${i}`, activity: 'send_message' })));
    const batches = Array.from({ length: 10 }, (_, i) => batch(key(`b${i}`)));
    await Promise.all(batches.map((b, i) => (i % 2 === 0 ? racer : store).post(b)));
    const minted = batches.flat().reduce((sum, e) => sum + e.legs[1]!.amount, 0);
    expect(await store.audit()).toMatchObject({ ok: true, entries: 400, minted, userBalanceSum: minted });
  });

  it('a failure injected between the journal insert and the balance update leaves nothing behind', async () => {
    let armed = false;
    const store = await openStore({
      afterJournalInsert: () => {
        if (armed) throw new Error('injected crash');
      },
    });
    await fund(store, 'a', 20);
    armed = true;
    const gift = stamp(giftEntry('a', 'b', 7, { idempotencyKey: 'gift:a:req-1' }));
    const earn = stamp(earnEntry('c', 3, { idempotencyKey: key('earn'), activity: 'x' }));
    await expect(store.post([earn, gift])).rejects.toThrow('injected crash');
    armed = false;
    expect(await store.findByIdempotencyKey('gift:a:req-1')).toBeNull();
    expect(await store.findByIdempotencyKey(earn.idempotencyKey)).toBeNull();
    expect(await store.accounts(['a', 'b', 'c'])).toEqual({
      a: { balance: 20, totalEarned: 20, totalSpent: 0, totalGifted: 0, totalReceived: 0 },
      b: { balance: 0, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 },
      c: { balance: 0, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 },
    });
    expect(await store.audit()).toMatchObject({ ok: true, entries: 1 });
    // The same key posts normally once the fault is gone: the failed attempt left no trace.
    const [retry] = await store.post([gift]);
    expect(retry?.status).toBe('posted');
  });

  it('a batch with one failing entry commits the others and reports each outcome', async () => {
    const store = await openStore();
    await fund(store, 'a', 5);
    const batch = [
      stamp(earnEntry('b', 2, { idempotencyKey: key('earn'), activity: 'send_message' })),
      stamp(giftEntry('a', 'b', 6, { idempotencyKey: key('gift') })),
      stamp(giftEntry('a', 'c', 5, { idempotencyKey: key('gift') })),
      stamp(earnEntry('b', 2, { idempotencyKey: 'dup-in-batch', activity: 'send_message' })),
      stamp(earnEntry('b', 2, { idempotencyKey: 'dup-in-batch', activity: 'send_message' })),
    ];
    const outcomes = await store.post(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'insufficient_funds', 'posted', 'posted', 'duplicate']);
    expect(await store.accounts(['a', 'b', 'c'])).toMatchObject({ a: { balance: 0 }, b: { balance: 4 }, c: { balance: 5 } });
    expect(await store.audit()).toMatchObject({ ok: true, entries: 4 });
  });

  it('pages history newest first, filters by kind, and sums by activity and time', async () => {
    const store = await openStore();
    const since = new Date(at + 1);
    for (let i = 0; i < 5; i++) await store.post([stamp(earnEntry('u', 2, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([stamp(awardEntry('u', 7, { idempotencyKey: key('award'), actorId: 'admin' }))]);
    await store.post([stamp(giftEntry('u', 'v', 3, { idempotencyKey: key('gift') }))]);
    const first = await store.history('u', { limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.items[0]?.kind).toBe('gift');
    expect(first.nextCursor).toBe(first.items[3]?.id);
    const second = await store.history('u', { limit: 4, before: first.nextCursor! });
    expect(second.items).toHaveLength(3);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect((await store.history('u', { limit: 10, kind: 'award' })).items.map((e) => e.actorId)).toEqual(['admin']);
    expect((await store.history('v', { limit: 10 })).items).toHaveLength(1);
    expect(await store.sumsByActivity('u', { direction: 'credit', since })).toEqual({ send_message: 10, admin_award: 7 });
    expect(await store.sumsByActivity('u', { direction: 'credit', kinds: ['earn'] })).toEqual({ send_message: 10 });
    expect(await store.sumsByActivity('u', { direction: 'debit' })).toEqual({ gift: 3 });
    expect(await store.sumsByActivity('u', { direction: 'credit', since: new Date(at + 1) })).toEqual({});
  });

  it('sums a user\'s recent received credits (gifts, room rewards) as the gift rules read them: not earns, sends or older ones', async () => {
    const store = await openStore();
    await store.post([stamp(awardEntry('vg', 50, { idempotencyKey: key('fund'), actorId: 'admin' }))]);
    await store.post([stamp(giftEntry('vg', 'vr', 4, { idempotencyKey: key('old gift') }))]);
    const since = new Date(at + 1);
    await store.post([stamp(giftEntry('vg', 'vr', 5, { idempotencyKey: key('gift') }))]);
    await store.post([stamp(grantEntry('vr', 6, { idempotencyKey: key('reward'), actorId: 'mod', roomId: 'room-v' }))]);
    await store.post([stamp(earnEntry('vr', 2, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([stamp(giftEntry('vr', 'vg', 1, { idempotencyKey: key('back') }))]);
    expect(await store.sumsByActivity('vr', { direction: 'credit', kinds: ['gift', 'grant'], since })).toEqual({ gift: 5, room_reward: 6 });
    expect(await store.sumsByActivity('vr', { direction: 'credit', kinds: ['gift'], since })).toEqual({ gift: 5 });
    expect(await store.sumsByActivity('vr', { direction: 'credit', kinds: ['grant'], since: new Date(at + 1) })).toEqual({});
    expect(await store.sumsByActivity('vr', { direction: 'credit', kinds: ['gift', 'grant'] })).toEqual({ gift: 9, room_reward: 6 });
    expect(await store.sumsByActivity('vr', { direction: 'credit', kinds: ['gift', 'earn'], since })).toEqual({ gift: 5, send_message: 2 });
    expect(await store.sumsByActivity('vr', { direction: 'debit', kinds: ['gift'], since })).toEqual({ gift: 1 });
  });

  it('writes an award carry with its entry only, and reads it back with the account', async () => {
    const store = await openStore();
    expect(await store.accountWithCarry('a')).toEqual({ account: { balance: 0, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 0 }, carryNanos: 0 });
    const withCarry = (k: string, nanos: number) => ({ ...stamp(earnEntry('a', 2, { idempotencyKey: k, activity: 'send_message' })), carry: { userId: 'a', nanos } });
    expect((await store.post([withCarry('c1', 250_000_000)]))[0]?.status).toBe('posted');
    expect(await store.accountWithCarry('a')).toMatchObject({ account: { balance: 2 }, carryNanos: 250_000_000 });
    // A duplicate writes nothing, carry included.
    expect((await store.post([withCarry('c1', 900_000_000)]))[0]?.status).toBe('duplicate');
    expect((await store.accountWithCarry('a')).carryNanos).toBe(250_000_000);
    // An entry without a carry leaves the stored one alone.
    await store.post([stamp(earnEntry('a', 1, { idempotencyKey: 'c2', activity: 'x' }))]);
    expect((await store.accountWithCarry('a')).carryNanos).toBe(250_000_000);
    // A carry for a user the entry does not credit, or out of range, is refused before writing.
    await expect(store.post([{ ...withCarry('c3', 5), carry: { userId: 'b', nanos: 5 } }])).rejects.toThrow(/carry/);
    await expect(store.post([withCarry('c4', 1_000_000_000)])).rejects.toThrow(/carry/);
    expect(await store.accountWithCarry('a')).toMatchObject({ account: { balance: 3 }, carryNanos: 250_000_000 });
  });

  it('posts a batch larger than one insert statement holds: every entry, leg, account and carry read back', async () => {
    // 157 drafts = 64 + 64 + 16 + 4 + 4 + 4 + 1 rows per statement on SQLite: every chunk size,
    // earns with and without carries, gifts between funded users, a duplicate and a refusal inside.
    const store = await openStore();
    for (const u of ['g0', 'g1', 'g2']) await fund(store, u, 50);
    await store.post([{ ...stamp(earnEntry('c0', 1, { idempotencyKey: key('seed'), activity: 'x' })), carry: { userId: 'c0', nanos: 700_000_000 } }]);
    const drafts: JournalEntry[] = [];
    for (let i = 0; i < 150; i++) {
      const user = `m${i % 70}`;
      const draft = stamp(earnEntry(user, 1 + (i % 3), { idempotencyKey: `big:${i}`, activity: 'send_message' }));
      drafts.push(i % 10 === 0 ? { ...draft, carry: { userId: user, nanos: i } } : draft);
    }
    drafts.push(stamp(giftEntry('g0', 'g1', 20, { idempotencyKey: 'big:gift:1' })));
    drafts.push(stamp(giftEntry('g1', 'g2', 60, { idempotencyKey: 'big:gift:2' })));
    drafts.push(stamp(giftEntry('g2', 'g0', 111, { idempotencyKey: 'big:gift:3' })));
    drafts.push(stamp(earnEntry('m1', 5, { idempotencyKey: 'big:3', activity: 'send_message' })));
    drafts.push(stamp(earnEntry('c0', 2, { idempotencyKey: key('no-carry'), activity: 'x' })));
    drafts.push(stamp(earnEntry('n1', 4, { idempotencyKey: key('new'), activity: 'x' })));
    drafts.push(stamp(earnEntry('n2', 4, { idempotencyKey: key('new'), activity: 'x' })));
    expect(drafts).toHaveLength(157);
    const outcomes = await store.post(drafts);
    expect(outcomes.filter((o) => o.status === 'posted')).toHaveLength(155);
    expect(outcomes[152]).toMatchObject({ status: 'insufficient_funds' });
    expect(outcomes[153]).toMatchObject({ status: 'duplicate' });
    for (let u = 0; u < 70; u++) {
      const earned = drafts.slice(0, 150).reduce((sum, d, i) => (i % 70 === u ? sum + d.legs.find((l) => l.amount > 0)!.amount : sum), 0);
      const lastCarry = [...Array(150).keys()].filter((i) => i % 70 === u && i % 10 === 0).pop();
      expect(await store.accountWithCarry(`m${u}`)).toEqual({ account: { balance: earned, totalEarned: earned, totalSpent: 0, totalGifted: 0, totalReceived: 0 }, carryNanos: lastCarry ?? 0 });
    }
    expect(await store.accounts(['g0', 'g1', 'g2'])).toMatchObject({ g0: { balance: 30, totalGifted: 20 }, g1: { balance: 10, totalGifted: 60, totalReceived: 20 }, g2: { balance: 110, totalReceived: 60 } });
    expect(await store.accountWithCarry('c0')).toMatchObject({ account: { balance: 3 }, carryNanos: 700_000_000 });
    expect(await store.account('n2')).toMatchObject({ balance: 4 });
    for (const d of [drafts[0]!, drafts[77]!, drafts[150]!, drafts[156]!]) {
      const found = await store.findByIdempotencyKey(d.idempotencyKey);
      expect(found?.id).toBe(d.id);
      expect([...(found?.legs ?? [])].sort((a, b) => a.amount - b.amount)).toEqual([...d.legs].sort((a, b) => a.amount - b.amount));
    }
    expect((await store.audit()).ok).toBe(true);
  });

  it('refuses a carry computed from a stale remainder, writing nothing, and accepts the current one', async () => {
    const store = await openStore();
    const draft = (k: string, nanos: number, expectedNanos: number) => ({ ...stamp(earnEntry('a', 1, { idempotencyKey: k, activity: 'send_message' })), carry: { userId: 'a', nanos, expectedNanos } });
    expect((await store.post([draft('s1', 100_000_000, 0)]))[0]?.status).toBe('posted');
    // Another node's award computed from 0 too: it must recompute, not overwrite 0.1 with its own.
    expect(await store.post([draft('s2', 300_000_000, 0)])).toEqual([{ status: 'carry_conflict', userId: 'a', expected: 0, actual: 100_000_000 }]);
    expect(await store.accountWithCarry('a')).toMatchObject({ account: { balance: 1 }, carryNanos: 100_000_000 });
    expect(await store.findByIdempotencyKey('s2')).toBeNull();
    expect((await store.post([draft('s2', 400_000_000, 100_000_000)]))[0]?.status).toBe('posted');
    expect(await store.accountWithCarry('a')).toMatchObject({ account: { balance: 2 }, carryNanos: 400_000_000 });
  });

  it('a stale carry refuses its own draft only: the rest of the batch posts, a later carry sees the batch', async () => {
    const store = await openStore();
    const award = (k: string, user: string, nanos: number, expectedNanos: number) => ({
      ...stamp(earnEntry(user, 1, { idempotencyKey: k, activity: 'send_message' })),
      carry: { userId: user, nanos, expectedNanos },
    });
    const outcomes = await store.post([
      award('b1', 'a', 100, 0),
      award('b2', 'a', 200, 0), // computed from the remainder b1 replaced
      award('b3', 'a', 300, 100), // computed after b1: it fits
      award('b4', 'z', 5, 0),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['posted', 'carry_conflict', 'posted', 'posted']);
    expect(outcomes[1]).toEqual({ status: 'carry_conflict', userId: 'a', expected: 0, actual: 100 });
    expect(await store.accountWithCarry('a')).toMatchObject({ account: { balance: 2 }, carryNanos: 300 });
    expect(await store.accountWithCarry('z')).toMatchObject({ account: { balance: 1 }, carryNanos: 5 });
    expect(await store.findByIdempotencyKey('b2')).toBeNull();
    expect(await store.audit()).toMatchObject({ ok: true, entries: 3, minted: 3 });
  });

  it('after thousands of random operations the audit passes and balances equal a simple model', async () => {
    const store = await openStore();
    const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
    type Op =
      | { t: 'earn' | 'spend' | 'refund'; u: string; n: number }
      | { t: 'gift'; u: string; v: string; n: number }
      | { t: 'replay'; back: number };
    const user = fc.constantFrom(...users);
    const amount = fc.integer({ min: 1, max: 60 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ t: fc.constantFrom('earn' as const, 'spend' as const, 'refund' as const), u: user, n: amount }),
      fc.record({ t: fc.constant('gift' as const), u: user, v: user, n: amount }),
      fc.record({ t: fc.constant('replay' as const), back: fc.nat({ max: 20 }) }),
    );
    const toDraft = (o: Exclude<Op, { t: 'replay' }>): DraftInput => {
      const k = key(o.t);
      if (o.t === 'earn') return earnEntry(o.u, o.n, { idempotencyKey: k, activity: 'prop' });
      if (o.t === 'gift') return giftEntry(o.u, o.v, o.n, { idempotencyKey: k });
      if (o.t === 'spend') return spendEntry(o.u, o.n, { idempotencyKey: k, activity: 'prop' });
      return refundEntry(o.u, o.n, { idempotencyKey: k });
    };
    // The model: balances per account (issuance may go negative, nothing else may), and the keys seen.
    const model = new Map<string, number>();
    const seen = new Set<string>();
    const expectOutcome = (d: JournalEntry): 'posted' | 'duplicate' | 'insufficient_funds' => {
      if (seen.has(d.idempotencyKey)) return 'duplicate';
      if (d.legs.some((l) => l.account !== ISSUANCE && (model.get(l.account) ?? 0) + l.amount < 0)) return 'insufficient_funds';
      seen.add(d.idempotencyKey);
      for (const l of d.legs) model.set(l.account, (model.get(l.account) ?? 0) + l.amount);
      return 'posted';
    };
    const batches = fc.sample(fc.array(op, { minLength: 40, maxLength: 40 }), { numRuns: 60, seed: 20260105 });
    const keys: string[] = [];
    let total = 0;
    for (const batch of batches) {
      const drafts: JournalEntry[] = [];
      for (const o of batch) {
        if (o.t === 'replay') {
          const old = keys[keys.length - 1 - o.back];
          if (old) drafts.push(stamp(earnEntry('u0', 1, { idempotencyKey: old, activity: 'prop' })));
        } else if (!(o.t === 'gift' && o.u === o.v)) {
          const d = stamp(toDraft(o));
          keys.push(d.idempotencyKey);
          drafts.push(d);
        }
      }
      const outcomes = await store.post(drafts);
      expect(outcomes.map((o) => o.status)).toEqual(drafts.map(expectOutcome));
      total += drafts.length;
    }
    expect(total).toBeGreaterThan(2000);
    const balances = await store.accounts(users);
    for (const u of users) expect(balances[u]?.balance).toBe(model.get(userAccount(u)) ?? 0);
    const report = await store.audit();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.burned).toBe(model.get(SINK) ?? 0);
    expect(report.minted).toBe(-(model.get(ISSUANCE) ?? 0));
  }, 60_000);

  it("pages a room's entries newest first by kind, whoever holds the legs", async () => {
    const store = await openStore();
    const grant = (to: string, room: string, n: number) => stamp(grantEntry(to, n, { idempotencyKey: key('grant'), actorId: 'mod', roomId: room }));
    const posted = [grant('a', 'r1', 1), grant('b', 'r2', 2), grant('c', 'r1', 3), stamp(earnEntry('a', 4, { idempotencyKey: key('e'), activity: 'send_message', roomId: 'r1' })), grant('a', 'r1', 5)];
    for (const e of posted) expect((await store.post([e]))[0]?.status).toBe('posted');
    const first = await store.roomEntries('r1', { kind: 'grant', limit: 2 });
    expect(first.items.map((e) => e.legs.find((l) => l.amount > 0)?.amount)).toEqual([5, 3]);
    expect(first.items[0]).toMatchObject({ kind: 'grant', roomId: 'r1', actorId: 'mod' });
    expect(first.nextCursor).toBe(first.items[1]?.id);
    const second = await store.roomEntries('r1', { kind: 'grant', limit: 2, before: first.nextCursor! });
    expect(second.items.map((e) => e.id)).toEqual([posted[0]!.id]);
    expect(second.nextCursor).toBeNull();
    expect((await store.roomEntries('r1', { limit: 10 })).items.map((e) => e.kind)).toEqual(['grant', 'earn', 'grant', 'grant']);
    expect((await store.roomEntries('r2', { limit: 10 })).items.map((e) => e.id)).toEqual([posted[1]!.id]);
    expect(await store.roomEntries('nowhere', { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('ranks user accounts by balance or lifetime earned, skipping zeros and system accounts', async () => {
    const store = await openStore();
    await fund(store, 'a', 50);
    await fund(store, 'b', 30);
    await fund(store, 'c', 30);
    await store.post([stamp(giftEntry('a', 'd', 45, { idempotencyKey: key('gift') }))]);
    await store.post([stamp(spendEntry('b', 30, { idempotencyKey: key('spend'), activity: 'shop:x' }))]);
    const ids = (rows: Array<{ userId: string }>) => rows.map((r) => r.userId);
    expect(ids(await store.topAccounts({ by: 'balance', limit: 10 }))).toEqual(['d', 'c', 'a']);
    expect(ids(await store.topAccounts({ by: 'totalEarned', limit: 10 }))).toEqual(['a', 'b', 'c']);
    expect(ids(await store.topAccounts({ by: 'totalEarned', limit: 2, offset: 1 }))).toEqual(['b', 'c']);
    expect((await store.topAccounts({ by: 'balance', limit: 1 }))[0]).toEqual({ userId: 'd', account: { balance: 45, totalEarned: 0, totalSpent: 0, totalGifted: 0, totalReceived: 45 } });
    expect(await store.countAccountsAtLeast('totalEarned', [0, 1, 30, 31, 51])).toEqual([4, 3, 3, 1, 0]);
    expect(await store.countAccountsAtLeast('balance', [0, 5, 46])).toEqual([4, 3, 0]);
  });

  // Economy integrity (issue 9): analytics divide by the days the journal really covers.
  it('answers when the first entry was written, null for an empty journal', async () => {
    const store = await openStore();
    expect(await store.firstEntryAt()).toBeNull();
    const first = stamp(earnEntry('a', 3, { idempotencyKey: key('m'), activity: 'send_message' }));
    await store.post([first]);
    await store.post([stamp(earnEntry('b', 2, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    expect(await store.firstEntryAt()).toEqual(first.createdAt);
  });

  // Economy integrity (issue 9): a room reward is received, not earned (tiers cannot be borrowed).
  it('counts a grant credit as received, an award credit as earned', async () => {
    const store = await openStore();
    await store.post([stamp(grantEntry('g', 7, { idempotencyKey: key('grant'), actorId: 'mod', roomId: 'r' }))]);
    await store.post([stamp(awardEntry('g', 5, { idempotencyKey: key('award'), actorId: 'admin' }))]);
    expect(await store.account('g')).toEqual({ balance: 12, totalEarned: 5, totalSpent: 0, totalGifted: 0, totalReceived: 7 });
  });

  it('counts, sums and takes the median of user balances (even and odd counts)', async () => {
    const store = await openStore();
    expect(await store.userBalanceStats()).toEqual({ accounts: 0, balanceSum: 0, medianBalance: 0 });
    await fund(store, 'a', 10);
    await fund(store, 'b', 1);
    await fund(store, 'c', 4);
    await store.post([stamp(spendEntry('c', 1, { idempotencyKey: key('spend'), activity: 'shop:x' }))]);
    expect(await store.userBalanceStats()).toEqual({ accounts: 3, balanceSum: 14, medianBalance: 3 });
    await fund(store, 'd', 100);
    expect(await store.userBalanceStats()).toEqual({ accounts: 4, balanceSum: 114, medianBalance: 6.5 });
  });

  it('sums every user leg by activity and window, counts active users, and nets account flows', async () => {
    const store = await openStore();
    await fund(store, 'a', 20);
    const since = new Date(at + 1);
    await store.post([stamp(earnEntry('a', 3, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([stamp(earnEntry('b', 2, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([stamp(awardEntry('c', 7, { idempotencyKey: key('award'), actorId: 'admin' }))]);
    await store.post([stamp(giftEntry('a', 'b', 5, { idempotencyKey: key('gift') }))]);
    await store.post([stamp(spendEntry('b', 4, { idempotencyKey: key('spend'), activity: 'shop:frame' }))]);
    const until = new Date(at + 1);
    await store.post([stamp(refundEntry('b', 1, { idempotencyKey: key('refund') }))]);
    const earning = ['earn', 'grant', 'award'] as const;
    expect(await store.allUsersSumsByActivity({ direction: 'credit', kinds: [...earning] })).toEqual({ test: 20, send_message: 5, admin_award: 7 });
    expect(await store.allUsersSumsByActivity({ direction: 'credit', kinds: [...earning], since })).toEqual({ send_message: 5, admin_award: 7 });
    expect(await store.allUsersSumsByActivity({ direction: 'debit', kinds: ['spend'] })).toEqual({ 'shop:frame': 4 });
    expect(await store.allUsersSumsByActivity({ direction: 'debit', kinds: ['gift'] })).toEqual({ gift: 5 });
    expect(await store.allUsersSumsByActivity({ direction: 'credit', since, until })).toEqual({ send_message: 5, admin_award: 7, gift: 5 });
    expect(await store.allUsersSumsByActivity({ direction: 'credit', kinds: [] })).toEqual({});
    expect(await store.countActiveUsers({ direction: 'credit', kinds: [...earning], since })).toBe(3);
    expect(await store.countActiveUsers({ direction: 'credit', kinds: ['earn'], since })).toBe(2);
    expect(await store.countActiveUsers({ direction: 'debit', since: until })).toBe(0);
    expect(await store.netFlows([ISSUANCE, SINK])).toEqual({ [ISSUANCE]: -32, [SINK]: 3 });
    expect(await store.netFlows([ISSUANCE, SINK, userAccount('b')], since)).toEqual({ [ISSUANCE]: -12, [SINK]: 3, [userAccount('b')]: 4 });
    expect(await store.netFlows([SINK], new Date(at + 1))).toEqual({ [SINK]: 0 });
  });

  // Issue 13: bounded counters taken in the posting transaction (limited-edition stock, per-user limits).
  describe('bounded counters (claims)', () => {
    const buy = (userId: string, claims: { key: string; delta: number; max: number }[], k = key('spend')) =>
      ({ ...stamp(spendEntry(userId, 5, { idempotencyKey: k, activity: 'shop:frame' })), claims });

    it('takes a counter up to its max with the charge, refuses past it writing nothing, and a duplicate takes nothing', async () => {
      const store = await openStore();
      await fund(store, 'a', 100);
      const stock = { key: 'shop:stock:frame', delta: 1, max: 2 };
      const first = buy('a', [stock], 'spend:a:r1');
      expect((await store.post([first]))[0]?.status).toBe('posted');
      expect((await store.post([buy('a', [stock], 'spend:a:r1')]))[0]?.status).toBe('duplicate');
      // Two in one batch: the second is refused by the counter the first took.
      const outcomes = await store.post([buy('a', [stock]), buy('a', [stock])]);
      expect(outcomes.map((o) => o.status)).toEqual(['posted', 'claim_refused']);
      expect(outcomes[1]).toMatchObject({ key: 'shop:stock:frame', max: 2, count: 2 });
      expect(await store.claimCounts(['shop:stock:frame', 'never'])).toEqual({ 'shop:stock:frame': 2, never: 0 });
      expect(await store.account('a')).toMatchObject({ balance: 90, totalSpent: 10 });
      // Claims are not part of the journal.
      expect((await store.findByIdempotencyKey('spend:a:r1'))?.claims).toBeUndefined();
      // A raised max lets the next one through.
      expect((await store.post([buy('a', [{ ...stock, max: 3 }])]))[0]?.status).toBe('posted');
      expect(await store.audit()).toMatchObject({ ok: true });
    });

    it('a refused claim refuses the whole draft even when another of its claims had room', async () => {
      const store = await openStore();
      await fund(store, 'a', 100);
      const claims = [
        { key: 'shop:stock:gem', delta: 1, max: 10 },
        { key: 'shop:user:gem:a', delta: 1, max: 1 },
      ];
      expect((await store.post([buy('a', claims)]))[0]?.status).toBe('posted');
      expect((await store.post([buy('a', claims)]))[0]).toMatchObject({ status: 'claim_refused', key: 'shop:user:gem:a' });
      expect(await store.claimCounts(['shop:stock:gem', 'shop:user:gem:a'])).toEqual({ 'shop:stock:gem': 1, 'shop:user:gem:a': 1 });
      expect((await store.account('a')).balance).toBe(95);
    });

    it('a give-back (a refund) returns what was taken and never goes below zero', async () => {
      const store = await openStore();
      await fund(store, 'a', 100);
      await store.post([buy('a', [{ key: 'shop:stock:x', delta: 1, max: 1 }])]);
      const giveBack = (k: string) => ({ ...stamp(refundEntry('a', 2, { idempotencyKey: k, activity: 'shop:x' })), claims: [{ key: 'shop:stock:x', delta: -1, max: 1 }] });
      expect((await store.post([giveBack(key('refund'))]))[0]?.status).toBe('posted');
      expect(await store.claimCounts(['shop:stock:x'])).toEqual({ 'shop:stock:x': 0 });
      expect((await store.post([giveBack(key('refund'))]))[0]?.status).toBe('posted');
      expect(await store.claimCounts(['shop:stock:x'])).toEqual({ 'shop:stock:x': 0 });
    });

    it('a stock of 3 raced from two processes by 30 buyers sells exactly 3 and charges exactly 3', async () => {
      const { store, racer } = await openRace();
      for (let i = 0; i < 30; i++) await fund(store, `b${i}`, 5);
      const stock = { key: 'shop:stock:rare', delta: 1, max: 3 };
      const outcomes = (await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? racer : store).post([buy(`b${i}`, [stock])])))).map((o) => o[0]!);
      expect(outcomes.filter((o) => o.status === 'posted')).toHaveLength(3);
      expect(outcomes.filter((o) => o.status === 'claim_refused')).toHaveLength(27);
      expect(await store.claimCounts(['shop:stock:rare'])).toEqual({ 'shop:stock:rare': 3 });
      expect(await store.audit()).toMatchObject({ ok: true, burned: 15, userBalanceSum: 150 - 15 });
    });
  });

  it('sums every user leg per UTC day and activity, oldest day first, within the window', async () => {
    const store = await openStore();
    const on = (iso: string, d: DraftInput): JournalEntry => ({ ...d, id: newId(), createdAt: new Date(iso) });
    await store.post([on('2026-03-01T23:59:59.999Z', earnEntry('a', 3, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([on('2026-03-02T00:00:00.000Z', earnEntry('b', 2, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([on('2026-03-02T10:00:00.000Z', earnEntry('a', 4, { idempotencyKey: key('m'), activity: 'send_message' }))]);
    await store.post([on('2026-03-02T11:00:00.000Z', awardEntry('c', 7, { idempotencyKey: key('award'), actorId: 'admin' }))]);
    await store.post([on('2026-03-03T08:00:00.000Z', giftEntry('a', 'b', 1, { idempotencyKey: key('gift') }))]);
    const earning = ['earn', 'grant', 'award'] as const;
    expect(await store.allUsersDailySumsByActivity({ direction: 'credit', kinds: [...earning] })).toEqual([
      { day: '2026-03-01', activity: 'send_message', total: 3 },
      { day: '2026-03-02', activity: 'admin_award', total: 7 },
      { day: '2026-03-02', activity: 'send_message', total: 6 },
    ]);
    expect(await store.allUsersDailySumsByActivity({ direction: 'credit', kinds: [...earning], since: new Date('2026-03-02T00:00:00.000Z') })).toEqual([
      { day: '2026-03-02', activity: 'admin_award', total: 7 },
      { day: '2026-03-02', activity: 'send_message', total: 6 },
    ]);
    expect(await store.allUsersDailySumsByActivity({ direction: 'debit', kinds: ['gift'] })).toEqual([{ day: '2026-03-03', activity: 'gift', total: 1 }]);
    expect(await store.allUsersDailySumsByActivity({ direction: 'credit', kinds: [] })).toEqual([]);
  });
});
