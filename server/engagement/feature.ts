import type { Feature } from '../feature.js';
import { engagementRoutes } from './routes.js';

/** Daily claim, streaks, referrals, achievements, tiers and statistics (server/engagement/). */
export const engagementFeature: Feature = {
  name: 'engagement',
  routes: engagementRoutes,
};
