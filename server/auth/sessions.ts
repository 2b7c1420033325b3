import type { Redis } from 'ioredis';

/**
 * What ends a session before its token expires, kept where every node sees it:
 * - a logout revokes one token by its id (jti) until the token would have expired anyway;
 * - a password change starts a new session epoch for the user: tokens signed in an earlier epoch
 *   are refused. One small number per user, so "revoke every other session" costs one write.
 *
 * Checked by `authenticate` on every HTTP request and socket connection (one indexed SQLite read
 * or one Redis MGET, next to the user lookup it already does). Open sockets are not re-checked per
 * event: the change itself disconnects them, on every node (server/auth/session-ender.ts).
 */
export interface SessionRevocations {
  /** The user's current session epoch (0 until the first password change). */
  epochOf(userId: string): Promise<number>;
  /** Starts a new epoch and returns it: every token signed before is revoked. */
  nextEpoch(userId: string): Promise<number>;
  /** Revokes one token until `untilMs` (its expiry; afterwards it is refused as expired anyway). */
  revokeToken(jti: string, untilMs: number, nowMs: number): Promise<void>;
  /** One round trip for the hot path: the user's epoch and whether `jti` is revoked. */
  check(userId: string, jti: string | undefined, nowMs: number): Promise<{ epoch: number; revoked: boolean }>;
}

/**
 * Redis: `sess:epoch:<user>` (INCR) and `sess:jti:<jti>` (expires with the token). Shared by
 * every node; an epoch key never expires, since a token of any age must meet it.
 *
 * While Redis is down, checks answer from what this node itself revoked (kept in process too),
 * so chat keeps flowing like the rest of the Redis-backed paths; a revocation made on another node
 * during the outage is seen once Redis answers again. Revoking itself needs Redis and fails loudly.
 */
export function redisSessionRevocations(redis: Redis, prefix: string, onOutage: (err: unknown) => void = () => undefined): SessionRevocations {
  const epochKey = (userId: string): string => `${prefix}sess:epoch:${userId}`;
  const jtiKey = (jti: string): string => `${prefix}sess:jti:${jti}`;
  const local = memorySessionRevocations();
  return {
    async epochOf(userId) {
      return Number((await redis.get(epochKey(userId))) ?? 0);
    },
    async nextEpoch(userId) {
      const epoch = await redis.incr(epochKey(userId));
      await local.raiseEpoch(userId, epoch);
      return epoch;
    },
    async revokeToken(jti, untilMs, nowMs) {
      await redis.set(jtiKey(jti), '1', 'PX', Math.max(1, untilMs - nowMs));
      await local.revokeToken(jti, untilMs, nowMs);
    },
    async check(userId, jti, nowMs) {
      try {
        const [epoch, revoked] = await redis.mget(epochKey(userId), jti ? jtiKey(jti) : `${prefix}sess:none`);
        return { epoch: Number(epoch ?? 0), revoked: revoked !== null };
      } catch (err) {
        onOutage(err);
        return local.check(userId, jti, nowMs);
      }
    },
  };
}

/**
 * MongoDB without Redis (a single node): in process, so a restart forgets revocations until the
 * revoked tokens expire (JWT_TTL_SECONDS). Set REDIS_URL to keep them (docs/chat.md).
 */
export function memorySessionRevocations(): SessionRevocations & { raiseEpoch(userId: string, epoch: number): Promise<void> } {
  const epochs = new Map<string, number>();
  const revoked = new Map<string, number>();
  return {
    async epochOf(userId) {
      return epochs.get(userId) ?? 0;
    },
    async nextEpoch(userId) {
      const next = (epochs.get(userId) ?? 0) + 1;
      epochs.set(userId, next);
      return next;
    },
    /** Records an epoch decided elsewhere (the Redis adapter's local copy). */
    async raiseEpoch(userId, epoch) {
      if (epoch > (epochs.get(userId) ?? 0)) epochs.set(userId, epoch);
    },
    async revokeToken(jti, untilMs, nowMs) {
      for (const [k, until] of revoked) if (until <= nowMs) revoked.delete(k);
      revoked.set(jti, untilMs);
    },
    async check(userId, jti, nowMs) {
      return { epoch: epochs.get(userId) ?? 0, revoked: jti !== undefined && (revoked.get(jti) ?? 0) > nowMs };
    },
  };
}
