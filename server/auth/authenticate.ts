import { AppError } from '../lib/app-error.js';
import type { UserStore } from '../stores/ports.js';
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
    if (!user) throw new AppError('TOKEN_INVALID', 'The account no longer exists');
    if (user.bannedAt) throw new AppError('FORBIDDEN', 'The account is banned');
    return { userId: user.id, username: user.username, role: user.role };
  };
}
