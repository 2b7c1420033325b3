import type { Feature } from './feature.js';
import { authFeature } from './auth/feature.js';
import { usersFeature } from './users/feature.js';
import { roomsFeature } from './rooms/feature.js';
import { messagesFeature } from './messages/feature.js';
import { filesFeature } from './files/feature.js';
import { ledgerFeature } from './ledger/routes.js';
import { earningFeature } from './earning/routes.js';
import { pinFeature } from './pin/routes.js';
import { giftsFeature } from './gifts/feature.js';
import { rewardsFeature } from './rewards/feature.js';
import { notificationsFeature } from './notifications/routes.js';
import { engagementFeature } from './engagement/feature.js';
import { insightsFeature } from './insights/feature.js';
import { abuseFeature } from './abuse/feature.js';
import { shopFeature } from './shop/feature.js';
// Chat essentials (issue 10)
import { typingFeature } from './realtime/typing-feature.js';
import { presenceFeature } from './realtime/presence-feature.js';
const chatEssentialsFeatures: Feature[] = [typingFeature, presenceFeature];
// Operators (issue 12)
import { adminFeature } from './admin/feature.js';
// Issue 13 (market)
import { marketFeature } from './market/feature.js';
// Issue 13 (seasons and goals)
import { seasonsFeature } from './seasons/feature.js';
import { goalsFeature } from './goals/feature.js';
// Issue 13 (h13a: limited editions, admin catalogue, live stock)
import { shopCatalogueFeature } from './shop/catalogue-feature.js';

/**
 * Every feature the server runs, in registration order. A feature module exports one `Feature`
 * (see server/feature.ts) and is listed here.
 */
export const features: Feature[] = [authFeature, usersFeature, roomsFeature, messagesFeature, filesFeature, ledgerFeature, pinFeature, giftsFeature, rewardsFeature, notificationsFeature, earningFeature, engagementFeature, shopFeature, abuseFeature, insightsFeature,
  // Operators (issue 12)
  adminFeature,
  ...chatEssentialsFeatures,
  marketFeature, // Issue 13 (market)
  seasonsFeature, // Issue 13 (seasons and goals)
  goalsFeature, // Issue 13 (seasons and goals)
  shopCatalogueFeature, // Issue 13 (h13a)
];
