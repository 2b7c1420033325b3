import type { Feature } from '../feature.js';
import { createAccountService } from './accounts.js';
import { authRoutes } from './routes.js';

/** Accounts: register (with an optional referral invite code) and login. */
export const authFeature: Feature = {
  name: 'auth',
  routes(api, ctx) {
    const accounts = createAccountService({
      users: ctx.stores.users,
      tokens: ctx.tokens,
      clock: ctx.clock,
      newId: ctx.newId,
      limits: ctx.rateLimits,
      adminUsernames: ctx.config.adminUsernames,
    });
    authRoutes(api, accounts, ctx);
  },
};
