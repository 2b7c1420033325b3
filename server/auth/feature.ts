import type { Feature } from '../feature.js';
import { createAccountService } from './accounts.js';
import { authRoutes } from './routes.js';

/** Accounts: register (with an optional referral invite code), login, logout and password change. */
export const authFeature: Feature = {
  name: 'auth',
  routes(api, ctx) {
    const accounts = createAccountService({
      users: ctx.stores.users,
      tokens: ctx.tokens,
      clock: ctx.clock,
      newId: ctx.newId,
      limits: ctx.rateLimits,
      sessions: ctx.sessions,
      // The revocation is stored before this runs, so new requests and connections are refused
      // whatever happens here; a node that does not answer keeps its sockets until they expire.
      endSockets: (userId, ended, reason) =>
        ctx.broadcast.endSessions(userId, ended, reason).catch((err: unknown) => {
          ctx.logger.warn({ err: err instanceof Error ? err.message : String(err), userId, reason }, 'could not close every socket of the ended session');
          return 0;
        }),
      adminUsernames: ctx.config.adminUsernames,
    });
    authRoutes(api, accounts, ctx);
  },
};
