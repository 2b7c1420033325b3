import type { Feature } from '../feature.js';
import { userRoutes } from './routes.js';

/** Profiles: the caller's own account and other users' public profiles. */
export const usersFeature: Feature = {
  name: 'users',
  routes: userRoutes,
};
