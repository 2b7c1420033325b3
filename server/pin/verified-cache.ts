import { createHmac, randomBytes } from 'node:crypto';

/** How long a successful PIN check is remembered: a gift session, not a day. */
export const PIN_VERIFIED_TTL_MS = 5 * 60 * 1000;
/** Users remembered at once per process; the oldest mark is dropped beyond it. */
export const PIN_VERIFIED_MAX = 10_000;

/**
 * Successful PIN checks, remembered for a few minutes so that only the first gift or purchase of
 * a session pays the scrypt verification (tens of ms of CPU). A mark is an HMAC of
 * (userId, pin, stored PIN hash) under a random key made per process: the PIN itself is never
 * kept, a wrong PIN never matches a mark (so it goes to scrypt and counts towards the lockout as
 * before), and a changed PIN (a new hash, with a new salt) never matches a mark of the old one,
 * on any node, since each check reads the hash from the store.
 */
export class PinVerifiedCache {
  private readonly key = randomBytes(32);
  /** mark -> expiry (ms since epoch, from the caller's clock); Map order is insertion order. */
  private readonly marks = new Map<string, number>();

  constructor(
    private readonly ttlMs = PIN_VERIFIED_TTL_MS,
    private readonly max = PIN_VERIFIED_MAX,
  ) {}

  private mark(userId: string, pin: string, pinHash: string): string {
    // Length-prefixed fields: no two different triples produce the same input.
    return createHmac('sha256', this.key).update(`${userId.length}:${userId}|${pin.length}:${pin}|${pinHash}`).digest('base64');
  }

  /** True when this exact (user, pin, hash) was verified by scrypt less than the TTL ago. */
  has(userId: string, pin: string, pinHash: string, nowMs: number): boolean {
    const m = this.mark(userId, pin, pinHash);
    const expiry = this.marks.get(m);
    if (expiry === undefined) return false;
    if (expiry > nowMs) return true;
    this.marks.delete(m);
    return false;
  }

  /** Remembers a check scrypt has just passed. */
  remember(userId: string, pin: string, pinHash: string, nowMs: number): void {
    const m = this.mark(userId, pin, pinHash);
    this.marks.delete(m);
    this.marks.set(m, nowMs + this.ttlMs);
    while (this.marks.size > this.max) {
      const oldest = this.marks.keys().next().value;
      if (oldest === undefined) break;
      this.marks.delete(oldest);
    }
  }

  get size(): number {
    return this.marks.size;
  }
}
