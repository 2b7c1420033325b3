import { describe, expect, it } from 'vitest';
import { MemoryDailyBudgetCounter, reserveGift } from '../../server/caps/index.js';
import { postWithReservation } from '../../server/gifts/reserved-post.js';
import { giftEntry } from '../../server/ledger/entries.js';
import type { LedgerService } from '../../server/ledger/ledger-service.js';
import type { PostOutcome } from '../../server/ledger/ports.js';
import { createLogger } from '../../server/lib/logger.js';

/** The reservation around a gift's ledger write: kept only when the entry is posted. */
const at = new Date('2026-03-04T10:00:00.000Z');
const logger = createLogger('silent');
const draft = giftEntry('s', 'r', 5, { idempotencyKey: 'gift:s:1' });
const entry = { ...draft, id: 'e1', createdAt: at };

function ledgerAnswering(answer: () => Promise<PostOutcome>): LedgerService {
  return { post: answer } as unknown as LedgerService;
}

async function reserved(budgets: MemoryDailyBudgetCounter) {
  const r = await reserveGift(budgets, { senderId: 's', amount: 5, at, maxCount: 10, maxTokens: 50 });
  if (!r.ok) throw new Error('reservation refused');
  return r.reservation;
}

describe('postWithReservation', () => {
  const cases: Array<[string, () => Promise<PostOutcome>, { count: number; tokens: number }]> = [
    ['posted keeps it', async () => ({ status: 'posted', entry, accounts: {} }), { count: 1, tokens: 5 }],
    ['a duplicate gives it back', async () => ({ status: 'duplicate', entry }), { count: 0, tokens: 0 }],
    ['insufficient funds gives it back', async () => ({ status: 'insufficient_funds', account: 'user:s', balance: 1, needed: 5 }), { count: 0, tokens: 0 }],
  ];

  it.each(cases)('%s', async (_label, answer, usage) => {
    const budgets = new MemoryDailyBudgetCounter();
    await postWithReservation({ ledger: ledgerAnswering(answer), budgets, logger }, await reserved(budgets), draft);
    expect(await budgets.usage({ scope: 'gift', key: 's', at })).toEqual(usage);
  });

  it('a failed write gives it back and rethrows the write error', async () => {
    const budgets = new MemoryDailyBudgetCounter();
    const boom = new Error('disk full');
    const ledger = ledgerAnswering(() => Promise.reject(boom));
    await expect(postWithReservation({ ledger, budgets, logger }, await reserved(budgets), draft)).rejects.toBe(boom);
    expect(await budgets.usage({ scope: 'gift', key: 's', at })).toEqual({ count: 0, tokens: 0 });
  });
});
