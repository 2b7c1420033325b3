import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { EconomyConfigHolder } from '../../server/economy/config/holder.js';
import { createBalanceNotifier } from '../../server/earning/balance-notifier.js';
import { giftEntry } from '../../server/ledger/entries.js';
import type { Broadcaster } from '../../server/realtime/broadcaster.js';
import type { AccountState, PostOutcome } from '../../server/ledger/ports.js';
import { PerKeyQueue } from '../../server/lib/per-key-queue.js';

/** A recording Broadcaster: each emit to a user is one row, named by the user's channel. */
function fakeIo() {
  const sent: Array<{ channel: string; event: string; payload: unknown }> = [];
  const broadcast = {
    emit: (to: { users?: readonly string[]; rooms?: readonly string[] }, event: string, payload: unknown) => {
      for (const u of to.users ?? []) sent.push({ channel: `user:${u}`, event, payload });
      for (const r of to.rooms ?? []) sent.push({ channel: `room:${r}`, event, payload });
    },
  } as unknown as Broadcaster;
  return { io: broadcast, sent };
}

const state = (balance: number, totalEarned = 0): AccountState => ({ balance, totalEarned, totalSpent: 0, totalGifted: 0, totalReceived: 0 });

describe('balance notifier', () => {
  // The seed's literal rule (tiers.basis 'balance', silver at 100): a gift moves tiers both ways.
  const balanceFile = join(tmpdir(), `tc-notifier-${process.pid}-${Date.now()}.json`);
  writeFileSync(balanceFile, JSON.stringify({ tiers: { basis: 'balance' } }));
  const economy = new EconomyConfigHolder({ preset: 'current', overridesFile: balanceFile });
  const lifetime = new EconomyConfigHolder({ preset: 'current' });

  it('on the default basis (lifetime earned) a gift changes no tier: nothing to borrow, no flapping', () => {
    const { io, sent } = fakeIo();
    const notifier = createBalanceNotifier({ broadcast: io, economy: lifetime, logger: pino({ level: 'silent' }) });
    const entry = { ...giftEntry('a', 'b', 30, { idempotencyKey: 'g1' }), id: 'e1', createdAt: new Date() };
    notifier.posted({ status: 'posted', entry, accounts: { a: state(90, 120), b: state(110) } });
    expect(sent.map((s) => s.event)).toEqual(['tokens:balance', 'tokens:balance']);
  });

  it('pushes tokens:balance to both sides of a gift and tier:changed to the one who crossed a threshold', () => {
    const { io, sent } = fakeIo();
    const notifier = createBalanceNotifier({ broadcast: io, economy, logger: pino({ level: 'silent' }) });
    const entry = { ...giftEntry('a', 'b', 30, { idempotencyKey: 'g1' }), id: 'e1', createdAt: new Date() };
    const outcome: PostOutcome = { status: 'posted', entry, accounts: { a: state(90, 120), b: state(110) } };
    notifier.posted(outcome);
    expect(sent).toEqual([
      { channel: 'user:a', event: 'tokens:balance', payload: { balance: 90, tier: 'bronze' } },
      { channel: 'user:a', event: 'tier:changed', payload: { from: 'silver', to: 'bronze', badge: economy.current.tiers.benefits.bronze.badge } },
      { channel: 'user:b', event: 'tokens:balance', payload: { balance: 110, tier: 'silver' } },
      { channel: 'user:b', event: 'tier:changed', payload: { from: 'bronze', to: 'silver', badge: economy.current.tiers.benefits.silver.badge } },
    ]);
  });

  it('says nothing for a duplicate or a refused post', () => {
    const { io, sent } = fakeIo();
    const notifier = createBalanceNotifier({ broadcast: io, economy, logger: pino({ level: 'silent' }) });
    notifier.posted({ status: 'insufficient_funds', account: 'user:a', balance: 1, needed: 5 });
    expect(sent).toEqual([]);
  });
});

describe('PerKeyQueue', () => {
  it('runs tasks of one key one after another, and other keys alongside, surviving a failed task', async () => {
    const q = new PerKeyQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms);
      });
    const results = await Promise.allSettled([q.run('a', task('a1', 20, true)), q.run('a', task('a2', 1)), q.run('b', task('b1', 5))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });
});
