import { z } from 'zod';
import { EARNINGS_SERIES_MAX_DAYS } from './analytics.js';

/**
 * Payload schemas for every client->server Socket.IO event and every REST body, shared with
 * clients. The server validates with exactly these; limits that operators tune (message size,
 * page size) are enforced again by the server from its config.
 */

export const id = z.string().min(1).max(64);
/** A client-chosen idempotency key (gift, reward, award): letters, digits, `-`, `_`, `:`. */
export const requestId = z.string().regex(/^[A-Za-z0-9_:-]{1,100}$/, 'letters, digits, - _ : (1-100)');
/** A whole number of tokens. Upper bound keeps sums far from Number.MAX_SAFE_INTEGER. */
export const tokenAmount = z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000_000);

export const username = z.string().regex(/^[A-Za-z0-9_]{3,32}$/, '3-32 characters: letters, digits, _');
export const password = z.string().min(8, 'at least 8 characters').max(200);
export const pin = z.string().regex(/^\d{4}$/, 'exactly 4 digits');

export const registerBody = z.object({
  username,
  password,
  publicKey: z.string().max(4096).optional(),
  inviteCode: z.string().min(1).max(64).optional(),
});
export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
/** `POST /api/auth/password` (issue 9): the old password is required; the new one follows the registration rule. */
export const changePasswordBody = z.object({ oldPassword: z.string().min(1).max(200), newPassword: password });

export const createRoomBody = z.object({
  name: z.string().trim().min(1).max(80),
  visibility: z.enum(['public', 'private']),
  description: z.string().max(500).optional(),
});
export const roomTargetBody = z.object({ userId: id });
// Direct messages and room management (issue 10, h10a; docs/chat.md).
/** `POST /api/dms {userId}`: the other member of the direct room. */
export const openDirectBody = z.object({ userId: id });
/** `PATCH /api/rooms/:id {name?, description?}` (owner): at least one field. */
export const updateRoomBody = z
  .strictObject({ name: z.string().trim().min(1).max(80).optional(), description: z.string().max(500).optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined, 'give name and/or description');
/** `POST /api/rooms/:id/owner {userId}` (owner): the member who becomes owner. */
export const transferRoomBody = z.object({ userId: id });
// Profiles and cosmetics (issue 10, h10a; docs/chat.md "Profiles").
/** Shown instead of the username: 1-50 characters after trimming, no control characters. */
export const displayName = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), 'no control or format characters');
/** `PATCH /api/users/me {displayName?, bio?}`: null clears the display name; at least one field. */
export const updateProfileBody = z
  .strictObject({ displayName: displayName.nullable().optional(), bio: z.string().max(500, 'at most 500 characters').optional() })
  .refine((b) => b.displayName !== undefined || b.bio !== undefined, 'give displayName and/or bio');
/** `GET /api/users?search=<prefix>&before=&limit=`: a prefix of at least 2 characters. */
export const userSearchQuery = z.object({
  search: z.string().trim().min(2, 'at least 2 characters').max(64),
  before: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const equipSlot = z.string().min(1).max(64).nullable().optional();
/** `PATCH /api/users/me/cosmetics`: per slot, the owned item to show, or null to show none; at least one slot. */
export const equipCosmeticsBody = z
  .strictObject({ avatar_frame: equipSlot, chat_color: equipSlot, emoji: equipSlot, badge: equipSlot, theme: equipSlot })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one slot');
/** `DELETE /api/users/me {password}`: the account password, again. */
export const deleteAccountBody = z.object({ password: z.string().min(1).max(200) });
export const pageQuery = z.object({
  before: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

// Socket events (client -> server)
export const roomJoinPayload = z.object({ roomId: id });
export const roomLeavePayload = z.object({ roomId: id });
export const messageSendPayload = z.object({
  roomId: id,
  clientMessageId: z.string().min(1).max(100),
  /** Size is checked in bytes by the server against MESSAGE_BODY_MAX_BYTES. */
  body: z.string().min(1),
  /** The message this one answers: a message of the same room (issue 10). */
  replyTo: id.optional(),
});
export const messageReactPayload = z.object({
  messageId: id,
  emoji: z.string().min(1).max(32),
  on: z.boolean(),
});
export const messageVoteHelpfulPayload = z.object({ messageId: id });
export const fileSharePayload = z.object({
  roomId: id,
  fileId: id,
  caption: z.string().max(1000).optional(),
  /** Optional client id so a retried share posts once. */
  clientMessageId: z.string().min(1).max(100).optional(),
});
export const giftSendPayload = z.object({
  toUserId: id,
  amount: tokenAmount,
  pin,
  message: z.string().max(280, 'at most 280 characters').optional(),
  roomId: id.optional(),
  requestId,
});
export const roomRewardPayload = z.object({
  roomId: id,
  userId: id,
  amount: tokenAmount,
  reason: z.string().trim().min(1).max(200),
  requestId,
});

// REST bodies for the economy
export const tokenHistoryQuery = pageQuery.extend({
  kind: z.enum(['earn', 'gift', 'spend', 'refund', 'grant', 'award', 'penalty', 'decay', 'adjustment', 'trade']).optional(),
});
export const awardBody = z.object({ userId: id, amount: tokenAmount, reason: z.string().trim().min(1).max(200), requestId });
/** `GET /api/leaderboard/tokens?by=&limit=` (server/insights/): `balance` is for admins only. */
export const leaderboardQuery = z.object({ by: z.enum(['earned', 'balance']).optional(), limit: z.coerce.number().int().min(1).max(100).optional() });
/** `GET /api/admin/analytics/earnings?days=` (server/insights/earnings-over-time.ts): 1-90 UTC days ending today. */
export const earningsSeriesQuery = z.object({ days: z.coerce.number().int().min(1).max(EARNINGS_SERIES_MAX_DAYS).optional() });
export const setPinBody = z.object({ password: z.string().min(1).max(200), pin });
export const checkCapBody = z.object({ activity: z.string().min(1).max(64) });
export const claimAchievementBody = z.object({ achievementId: z.string().min(1).max(64) });
// Shop (server/shop/): a purchase is idempotent by requestId; roomId only for per-room items.
/** `messageId`: the message a pin is bought for (a message of `roomId`); refused for other items. */
export const shopPurchaseBody = z.object({ itemId: z.string().min(1).max(64), pin, requestId, roomId: id.optional(), messageId: id.optional() });
/** `PATCH /api/rooms/:id/customization` (after a room_customization purchase): a #rrggbb color and a theme. */
export const roomCustomizationBody = z.strictObject({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb color'),
  theme: z.enum(['light', 'dark', 'midnight', 'forest', 'sunset']),
});
export const shopRefundBody = z.object({ purchaseId: id, pin });
// Issue 13 (h13a): `shop:watch` / `shop:unwatch` take no fields. The admin catalogue's bodies are
// validated by the economy config's item schema (server/economy/config/schema.ts, shopItemSchema).
export const shopWatchPayload = z.strictObject({});
// Anti-abuse (server/abuse/): admins only; a penalty is idempotent by requestId per user.
export const penaltyApplyBody = z.object({ userId: id, reason: z.string().trim().min(1).max(500), severe: z.boolean().optional(), requestId });
export const markNotificationsReadBody = z.object({ ids: z.array(id).min(1).max(500) });
/** `GET /api/notifications?unread=true&before=&limit=`: `unread` keeps unread ones only. */
export const notificationsQuery = pageQuery.extend({ unread: z.enum(['true', 'false', '1', '0']).optional() });

// Chat essentials (issue 10, server/messages + server/realtime): edit, delete, reply, typing,
// read markers, catch-up and search. Bodies are checked in bytes by the server as for message:send.
export const messageEditPayload = z.object({ messageId: id, body: z.string().min(1) });
export const messageDeletePayload = z.object({ messageId: id });
export const typingPayload = z.object({ roomId: id });
export const roomReadPayload = z.object({ roomId: id, messageId: id });
/**
 * `GET /api/rooms/:id/messages`: `before` pages history back (newest first), `after` catches up
 * forward (oldest first, with the edits and deletions since), `q` searches (newest first, paged
 * with `before`). `after` and `q` exclude each other.
 */
export const messageListQuery = pageQuery
  .extend({
    after: id.optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .refine((v) => !(v.after && (v.q || v.before)), { message: 'after cannot be combined with q or before', path: ['after'] });
// Operators, admin tools (server/admin/, docs/operations.md): admins only.
/** `GET /api/admin/users?search=&limit=`: `search` is a username prefix (case-insensitive) or a user id. */
export const adminUsersQuery = z.object({ search: z.string().trim().max(64).optional(), limit: z.coerce.number().int().min(1).max(100).optional() });
/** A signed correction of a user's balance (never below zero); idempotent by requestId. */
export const adminAdjustmentBody = z.object({
  userId: id,
  amount: z.number().int('must be a whole number').min(-1_000_000_000).max(1_000_000_000).refine((n) => n !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(500),
  requestId,
});
/** Lifts one penalty of the ladder (a lifted account_ban also unbans the account). */
export const penaltyLiftBody = z.object({ userId: id, penaltyId: id, reason: z.string().trim().min(1).max(500), requestId });
/** Lifts an account ban. */
export const banLiftBody = z.object({ userId: id, reason: z.string().trim().min(1).max(500), requestId });
/** `GET /api/admin/audit-log?userId=&action=&before=&limit=`, newest first. */
export const adminAuditLogQuery = pageQuery.extend({ userId: id.optional(), action: z.enum(['adjustment', 'penalty_lift', 'ban_lift', 'shop_item_create', 'shop_item_update']).optional() });
