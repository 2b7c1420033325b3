/**
 * Every wire shape the client reads, imported from where the server defines it: the contract in
 * shared/ first, and, for the REST answers that only the server's modules name, their exported
 * types (type-only imports: no server code reaches the bundle). Nothing here is redeclared.
 */
export type {
  ClientToServerEvents,
  ServerToClientEvents,
  RoomView,
  MemberView,
  MessageView,
  MessageQuote,
  MessageCatchUp,
  DirectRoomView,
  FileView,
  UserSummary,
  GiftView,
  AwardOutcome,
  AwardReason,
  PinView,
  TierName,
  PenaltyNotice,
  RoomCustomizationView,
  SessionExpiredNotice,
} from '../../../shared/events.js';
export type { Ack } from '../../../shared/ack.js';
export type { ErrorBody, ErrorCode } from '../../../shared/errors.js';
export type { ShopItemView, PurchaseView, PurchaseResult, RefundResult, OwnedItemsView, CosmeticView, CosmeticSlot, ShopCategory } from '../../../shared/shop.js';
export type { EarningsOverTime } from '../../../shared/analytics.js';
export type { EconomyAnalytics } from '../../../server/insights/analytics.js';
export type { Leaderboard, LeaderboardRow } from '../../../server/insights/leaderboard.js';
export type { WindowedSums } from '../../../server/engagement/stats.js';
export type { DailyClaimResult } from '../../../server/engagement/daily-claim.js';
export type { UserAchievementView } from '../../../server/engagement/achievements.js';
export type { NotificationView } from '../../../server/notifications/notifier.js';
export type { AccountState, AuditReport } from '../../../server/ledger/ports.js';
export type { EconomyConfig } from '../../../server/economy/config/schema.js';
export type { PenaltyView } from '../../../server/abuse/penalty-service.js';
export type { RewardView } from '../../../server/rewards/reward-service.js';
