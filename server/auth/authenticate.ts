import { AppError } from '../lib/app-error.js';
import type { UserStore } from '../stores/ports.js';
import { isDeletedUsername } from '../stores/usernames.js';
import type { AuthClaims, TokenService } from './jwt.js';

export type Authenticate = (token: string) => Promise<AuthClaims>;

/**
 * Verifies the token and then asks the store, so a deleted or banned account, or a demoted admin,
 * loses its powers at once rather than when its token expires. The role always comes from the
 * store, never from the token.
 */
export function createAuthenticate(tokens: TokenService, users: UserStore): Authenticate {
  return async (token) => {
    const claims = tokens.verify(token);
    const user = await users.findById(claims.userId);
    // A deleted account keeps its row under a tombstone name (issue 10, h10a): it no longer exists for auth.
    if (!user || isDeletedUsername(user.username)) throw new AppError('TOKEN_INVALID', 'The account no longer exists');
    if (user.bannedAt) throw new AppError('FORBIDDEN', 'The account is banned');
    return { userId: user.id, username: user.username, role: user.role };
  };
}
