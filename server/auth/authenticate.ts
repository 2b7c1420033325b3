import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { UserStore } from '../stores/ports.js';
import { isDeletedUsername } from '../stores/usernames.js';
import type { AuthClaims, TokenService } from './jwt.js';
import type { SessionRevocations } from './sessions.js';

export type Authenticate = (token: string) => Promise<AuthClaims>;

/**
 * Verifies the token and then asks the store, so a deleted or banned account, or a demoted admin,
 * loses its powers at once rather than when its token expires. The role always comes from the
 * store, never from the token. A token whose session was ended (logout, or a password change
 * since it was signed) is TOKEN_REVOKED; both reads run together, so it costs no extra wait.
 */
export function createAuthenticate(tokens: TokenService, users: UserStore, sessions: SessionRevocations, clock: Clock): Authenticate {
  return async (token) => {
    const claims = tokens.verify(token);
    const [user, session] = await Promise.all([users.findById(claims.userId), sessions.check(claims.userId, claims.jti, clock.now().getTime())]);
    // A deleted account keeps its row under a tombstone name (issue 10, h10a): it no longer exists for auth.
    if (!user || isDeletedUsername(user.username)) throw new AppError('TOKEN_INVALID', 'The account no longer exists');
    if (user.bannedAt) throw new AppError('FORBIDDEN', 'The account is banned');
    if (session.revoked || (claims.epoch ?? 0) < session.epoch) throw new AppError('TOKEN_REVOKED');
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      ...(claims.jti !== undefined ? { jti: claims.jti } : {}),
      epoch: claims.epoch ?? 0,
      ...(claims.expiresAtMs !== undefined ? { expiresAtMs: claims.expiresAtMs } : {}),
    };
  };
}
