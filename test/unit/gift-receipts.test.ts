import { describe, expect, it } from 'vitest';
import { GIFT_RECEIPT_TTL_MS, MemoryGiftReceipts } from '../../server/gifts/receipts.js';

describe('MemoryGiftReceipts (the embedded default)', () => {
  it('keeps the balance after a gift for a day, then forgets it', async () => {
    const receipts = new MemoryGiftReceipts();
    const at = new Date('2026-03-04T09:00:00.000Z');
    expect(await receipts.get('g1', at)).toBeNull();
    await receipts.put('g1', 0, at);
    await receipts.put('g2', 40, at);
    expect(await receipts.get('g1', at)).toBe(0);
    expect(await receipts.get('g2', new Date(at.getTime() + GIFT_RECEIPT_TTL_MS - 1))).toBe(40);
    expect(await receipts.get('g2', new Date(at.getTime() + GIFT_RECEIPT_TTL_MS))).toBeNull();
  });
});
