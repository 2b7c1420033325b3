import type { Feature } from '../feature.js';
import { userRoutes } from './routes.js';
import { profileRoutes } from './profile-routes.js';
import { accountDeletionRoutes } from './account-deletion.js';

/** Profiles: the caller's own account and other users' public profiles. */
export const usersFeature: Feature = {
  name: 'users',
  routes(api, ctx) {
    userRoutes(api, ctx);
    // Find people, profiles, cosmetics (issue 10, h10a).
    profileRoutes(api, ctx);
    accountDeletionRoutes(api, ctx);
  },
};
