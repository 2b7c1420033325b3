import type { Feature } from '../feature.js';
import { createAccountService } from './accounts.js';
import { authRoutes } from './routes.js';
import { endSockets } from './session-ender.js';

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
      endSockets: (userId, ended, reason) => endSockets(ctx.io, userId, ended, reason),
      adminUsernames: ctx.config.adminUsernames,
    });
    authRoutes(api, accounts, ctx);
  },
};
