import type { Redis } from 'ioredis';
import { ExpiringMap } from '../caps/expiring-map.js';

/** How long the sender's balance right after a gift is kept for retries of that gift. */
export const GIFT_RECEIPT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The sender's balance right after each gift, kept for a day so a retried requestId can answer
 * the first outcome's balance rather than the balance of the moment. The journal cannot give it:
 * an entry is immutable once posted and the balance after it is only known from the post's
 * outcome. A receipt is written right after the post; a missing one (expired, lost with the
 * embedded default's process, or never written because the node died in between) makes the retry
 * answer the current balance and say so (`balanceAsOf: 'now'`, docs/gifts.md).
 */
export interface GiftReceipts {
  put(giftId: string, senderBalanceAfter: number, at: Date): Promise<void>;
  /** The recorded balance, or null when there is no live receipt. */
  get(giftId: string, at: Date): Promise<number | null>;
}

/** The embedded default: one process, in memory. */
export class MemoryGiftReceipts implements GiftReceipts {
  private readonly entries = new ExpiringMap<number>();

  async put(giftId: string, senderBalanceAfter: number, at: Date): Promise<void> {
    this.entries.set(giftId, senderBalanceAfter, at.getTime() + GIFT_RECEIPT_TTL_MS);
  }

  async get(giftId: string, at: Date): Promise<number | null> {
    return this.entries.get(giftId, at.getTime()) ?? null;
  }
}

/** Shared by every node. Key: `${prefix}gift-receipt:{giftId}`, a plain integer string. */
export class RedisGiftReceipts implements GiftReceipts {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(giftId: string): string {
    return `${this.prefix}gift-receipt:{${giftId}}`;
  }

  async put(giftId: string, senderBalanceAfter: number): Promise<void> {
    await this.redis.set(this.key(giftId), String(senderBalanceAfter), 'PX', GIFT_RECEIPT_TTL_MS);
  }

  async get(giftId: string): Promise<number | null> {
    const raw = await this.redis.get(this.key(giftId));
    if (raw === null) return null;
    const value = Number(raw);
    return Number.isSafeInteger(value) ? value : null;
  }
}

export function createGiftReceipts(redis: Redis | null, prefix: string): GiftReceipts {
  return redis ? new RedisGiftReceipts(redis, prefix) : new MemoryGiftReceipts();
}
