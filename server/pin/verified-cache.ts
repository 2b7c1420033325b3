import { createHmac, randomBytes } from 'node:crypto';

/** How long a successful PIN check is remembered: a gift session, not a day. */
export const PIN_VERIFIED_TTL_MS = 5 * 60 * 1000;
/** Users remembered at once per process; the oldest mark is dropped beyond it. */
export const PIN_VERIFIED_MAX = 10_000;

/**
 * Successful PIN checks, remembered for a few minutes so that only the first gift or purchase of
 * a session pays the scrypt verification (tens of ms of CPU). A mark is an HMAC of
 * (session, userId, pin, stored PIN hash) under a random key made per app: the PIN itself is never
 * kept, a wrong PIN never matches a mark (so it goes to scrypt and counts towards the lockout as
 * before), a changed PIN (a new hash, with a new salt) never matches a mark of the old one, on any
 * node, since each check reads the hash from the store, and a mark made in one session (the
 * token's id) serves only that session: after a logout or a password change no request of that
 * session is authenticated any more, so its marks are never reached again and age out.
 */
export class PinVerifiedCache {
  private readonly key = randomBytes(32);
  /** mark -> expiry (ms since epoch, from the caller's clock); Map order is insertion order. */
  private readonly marks = new Map<string, number>();

  constructor(
    private readonly ttlMs = PIN_VERIFIED_TTL_MS,
    private readonly max = PIN_VERIFIED_MAX,
  ) {}

  private mark(userId: string, pin: string, pinHash: string, session: string): string {
    // Length-prefixed fields: no two different tuples produce the same input.
    return createHmac('sha256', this.key).update(`${session.length}:${session}|${userId.length}:${userId}|${pin.length}:${pin}|${pinHash}`).digest('base64');
  }

  /**
   * True when this exact (user, pin, hash) was verified by scrypt in this session (the token id;
   * '' for callers without one) less than the TTL ago.
   */
  has(userId: string, pin: string, pinHash: string, nowMs: number, session = ''): boolean {
    const m = this.mark(userId, pin, pinHash, session);
    const expiry = this.marks.get(m);
    if (expiry === undefined) return false;
    if (expiry > nowMs) return true;
    this.marks.delete(m);
    return false;
  }

  /** Remembers a check scrypt has just passed, for this session only. */
  remember(userId: string, pin: string, pinHash: string, nowMs: number, session = ''): void {
    const m = this.mark(userId, pin, pinHash, session);
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
