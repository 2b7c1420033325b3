import type { z } from 'zod';
import * as s from '../../../shared/schemas.js';
// Issue 13 (market)
import * as market from '../../../shared/market.js';
import { seasonCreateBody, seasonLeaderboardQuery } from '../../../shared/seasons.js';
import { roomGoalBody } from '../../../shared/goals.js';
import type { ClientEventName, ServerToClientEvents } from '../../../shared/events.js';
import { shopItemSchema } from '../../economy/config/schema.js';
import { shopItemPatchBody } from '../../shop/catalogue.js';

/**
 * THE one place the API reference is written (docs/operations.md, "API reference"). Routes and
 * events are discovered from the registries at run time; this file adds what code cannot say:
 * a summary, who may call, and which shared/ schema is the body or query. A route registered
 * without an entry here, or an entry naming no registered route, fails
 * test/integration/api-docs.test.ts.
 *
 * Adding a route is one line: `'POST /api/things': { summary: 'Create a thing', auth: 'user', body: s.thingBody, ok: 201 },`
 */

/** Who may call a route: anyone, any signed-in user (Bearer JWT), or admins only. */
export type RouteAuth = 'none' | 'user' | 'admin';

export interface RouteDoc {
  summary: string;
  auth: RouteAuth;
  /** The JSON body schema (shared/schemas.ts). */
  body?: z.ZodType;
  /** The query string schema (shared/schemas.ts). */
  query?: z.ZodType;
  /** The success status when not 200 (201 for creations). */
  ok?: number;
  /** What the success answer holds, in a phrase (its shape is a TypeScript type in shared/). */
  returns?: string;
  /** A body other than JSON: multipart upload, a file download, Prometheus text, HTML. */
  content?: 'multipart' | 'file' | 'text' | 'html';
}

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  // Process
  'GET /healthz': { summary: 'Liveness: answers while the process lives', auth: 'none' },
  'GET /readyz': { summary: 'Readiness: 200 when the store (and Redis) answer, 503 naming what is down', auth: 'none' },
  // Auth and users
  'POST /api/auth/register': { summary: 'Create an account; answers a JWT and the registration award', auth: 'none', body: s.registerBody, ok: 201 },
  'POST /api/auth/login': { summary: 'Sign in; answers a JWT', auth: 'none', body: s.loginBody },
  'POST /api/auth/logout': { summary: 'End this session: the token is revoked on every node', auth: 'user' },
  'POST /api/auth/password': { summary: 'Change the password; every older session ends', auth: 'user', body: s.changePasswordBody },
  'GET /api/users/me': { summary: 'The caller’s profile', auth: 'user' },
  'GET /api/users/:id': { summary: 'A user’s public profile', auth: 'user' },
  // Rooms and messages
  'POST /api/rooms': { summary: 'Create a room', auth: 'user', body: s.createRoomBody, ok: 201, returns: '{ room: RoomView }' },
  'GET /api/rooms': { summary: 'Public rooms and the caller’s rooms, newest first', auth: 'user', query: s.pageQuery },
  'GET /api/rooms/:id': { summary: 'One room', auth: 'user', returns: '{ room: RoomView }' },
  'PATCH /api/rooms/:id/customization': { summary: 'Set the room’s theme (after a room_customization purchase)', auth: 'user', body: s.roomCustomizationBody },
  'GET /api/rooms/:id/pins': { summary: 'Messages pinned in the room', auth: 'user' },
  'GET /api/rooms/:id/members': { summary: 'Members and their roles', auth: 'user' },
  'POST /api/rooms/:id/invites': { summary: 'Invite a user to a private room', auth: 'user', body: s.roomTargetBody, ok: 201 },
  'POST /api/rooms/:id/moderators': { summary: 'Make a member a moderator (owner only)', auth: 'user', body: s.roomTargetBody },
  'DELETE /api/rooms/:id/moderators/:userId': { summary: 'Remove a moderator (owner only)', auth: 'user' },
  'POST /api/rooms/:id/kick': { summary: 'Kick a member', auth: 'user', body: s.roomTargetBody },
  'POST /api/rooms/:id/bans': { summary: 'Ban a user from the room', auth: 'user', body: s.roomTargetBody },
  'DELETE /api/rooms/:id/bans/:userId': { summary: 'Lift a room ban', auth: 'user' },
  'GET /api/rooms/:id/messages': { summary: 'Message history newest first (before=); catch-up after an id with the edits and deletions since (after=); full-text search (q=)', auth: 'user', query: s.messageListQuery },
  'GET /api/rooms/:id/rewards': { summary: 'Moderator rewards granted in the room, newest first', auth: 'user', query: s.pageQuery },
  // People, profiles, DMs and room management (issue 10)
  'GET /api/users': { summary: 'Find people by a prefix of their username or display name (2+ characters), paged', auth: 'user', query: s.userSearchQuery },
  'PATCH /api/users/me': { summary: 'Set your display name and bio', auth: 'user', body: s.updateProfileBody },
  'DELETE /api/users/me': { summary: 'Delete your account (password required): the balance goes to the sink, messages stay under "deleted user"', auth: 'user', body: s.deleteAccountBody },
  'PATCH /api/users/me/cosmetics': { summary: 'Equip or unequip owned cosmetics', auth: 'user', body: s.equipCosmeticsBody },
  'POST /api/users/me/avatar': { summary: 'Upload an avatar (silver tier and up; an image, resized and re-encoded)', auth: 'user', ok: 201, content: 'multipart' },
  'DELETE /api/users/me/avatar': { summary: 'Remove your avatar', auth: 'user' },
  'GET /api/avatars/:key': { summary: 'An avatar image (public, immutable)', auth: 'none', content: 'file' },
  'POST /api/dms': { summary: 'Open (or find) the direct room with a user', auth: 'user', body: s.openDirectBody, ok: 201, returns: '{ room, created }' },
  'GET /api/dms': { summary: 'Your direct rooms, newest first', auth: 'user', query: s.pageQuery },
  'PATCH /api/rooms/:id': { summary: 'Rename or re-describe a room (owner only)', auth: 'user', body: s.updateRoomBody },
  'POST /api/rooms/:id/owner': { summary: 'Transfer ownership to a member (owner only)', auth: 'user', body: s.transferRoomBody },
  'DELETE /api/rooms/:id': { summary: 'Delete a room (owner only)', auth: 'user' },
  // Files
  'POST /api/files': { summary: 'Upload a file (multipart field "file")', auth: 'user', ok: 201, content: 'multipart' },
  'GET /api/files/:id': { summary: 'Download a file', auth: 'user', content: 'file' },
  // Tokens
  'GET /api/tokens/balance/:id': { summary: 'Balance and lifetime counters (self or admin)', auth: 'user' },
  'GET /api/tokens/history/:id': { summary: 'Token history, newest first (self or admin)', auth: 'user', query: s.tokenHistoryQuery },
  'POST /api/tokens/award': { summary: 'Mint tokens for a user with a reason (admin)', auth: 'admin', body: s.awardBody, ok: 201 },
  'POST /api/tokens/pin': { summary: 'Set or change the gift PIN (needs the password)', auth: 'user', body: s.setPinBody },
  'POST /api/tokens/gift': { summary: 'Gift tokens with the PIN (same as the gift:send event)', auth: 'user', body: s.giftSendPayload, ok: 201 },
  'POST /api/tokens/check-cap': { summary: 'Today’s use of an activity’s earning cap', auth: 'user', body: s.checkCapBody },
  'POST /api/tokens/claim-daily': { summary: 'Claim the daily login award', auth: 'user' },
  'GET /api/tokens/tier/:id': { summary: 'Tier, badge and progress', auth: 'user' },
  'GET /api/tokens/earning-stats/:id': { summary: 'Earnings by activity (self or admin)', auth: 'user' },
  'GET /api/tokens/spending-stats/:id': { summary: 'Spending by category (self or admin)', auth: 'user' },
  'GET /api/economy/config': { summary: 'The active economy config', auth: 'none' },
  'GET /api/achievements/list': { summary: 'Every achievement', auth: 'user' },
  'GET /api/achievements/user/:id': { summary: 'A user’s achievements', auth: 'user' },
  'POST /api/achievements/claim': { summary: 'Claim an unlocked achievement', auth: 'user', body: s.claimAchievementBody },
  'GET /api/leaderboard/tokens': { summary: 'Token leaderboard (`by=balance` for admins)', auth: 'none', query: s.leaderboardQuery },
  // Notifications
  'GET /api/notifications': { summary: 'Stored notifications, newest first', auth: 'user', query: s.notificationsQuery },
  'POST /api/notifications/read': { summary: 'Mark notifications read', auth: 'user', body: s.markNotificationsReadBody },
  // Shop
  'GET /api/shop/items': { summary: 'The shop catalogue', auth: 'user' },
  'GET /api/shop/items/:category': { summary: 'One category of the catalogue', auth: 'user' },
  'POST /api/shop/purchase': { summary: 'Buy an item with the PIN (idempotent by requestId)', auth: 'user', body: s.shopPurchaseBody, ok: 201 },
  'GET /api/shop/owned/:userId': { summary: 'Items owned, active and expired', auth: 'user' },
  'GET /api/shop/purchases/:purchaseId/refund': { summary: 'The refund quote of a purchase (what a refund would give back, or why not)', auth: 'user' },
  'POST /api/shop/refund': { summary: 'Refund a purchase under the refund policy', auth: 'user', body: s.shopRefundBody },
  // Issue 13 (market)
  'POST /api/market/listings': { summary: 'List an owned cosmetic or limited edition for a price (idempotent by requestId)', auth: 'user', body: market.marketListBody, ok: 201 },
  'GET /api/market/listings': { summary: 'Open listings, by item, cheapest or newest first, paged', auth: 'user', query: market.marketListingsQuery },
  'GET /api/market/listings/:id': { summary: 'One listing (any status)', auth: 'user' },
  'DELETE /api/market/listings/:id': { summary: 'Cancel a listing (its seller or an admin); the item returns to normal use', auth: 'user' },
  'POST /api/market/listings/:id/buy': { summary: 'Buy a listing with the PIN: one ledger entry, ownership moves', auth: 'user', body: market.marketBuyBody },
  'GET /api/market/items/:itemId/history': { summary: 'Price history and last-sale price of an item', auth: 'user', query: market.marketHistoryQuery },
  // Admin
  'GET /api/admin/ledger/audit': { summary: 'Recompute every balance from the journal and check the invariants', auth: 'admin' },
  'POST /api/admin/economy/reload': { summary: 'Reload ECONOMY_OVERRIDES_FILE', auth: 'admin' },
  'POST /api/admin/economy/decay': { summary: 'Run the weekly decay now', auth: 'admin' },
  'POST /api/admin/penalties': { summary: 'Apply the next step of the penalty ladder', auth: 'admin', body: s.penaltyApplyBody, ok: 201 },
  'GET /api/admin/penalties/:userId': { summary: 'A user’s penalties and standing', auth: 'admin' },
  'GET /api/admin/abuse/ip/:ip': { summary: 'Accounts registered from an address', auth: 'admin' },
  'GET /api/admin/abuse/users/:userId': { summary: 'Accounts sharing a user’s registration address', auth: 'admin' },
  'GET /api/admin/analytics': { summary: 'Economy analytics', auth: 'admin' },
  'GET /api/admin/analytics/earnings': { summary: 'Tokens earned per UTC day and activity over the last N days', auth: 'admin', query: s.earningsSeriesQuery },
  'GET /api/admin/support/priority': { summary: 'Users with priority support, for the support queue', auth: 'admin' },
  'GET /api/admin/users': { summary: 'Find users: role, tier, balance, penalties, addresses', auth: 'admin', query: s.adminUsersQuery },
  'POST /api/admin/adjustments': { summary: 'Correct a balance (signed, never below zero) with a reason', auth: 'admin', body: s.adminAdjustmentBody, ok: 201 },
  'POST /api/admin/penalties/lift': { summary: 'Lift one penalty with a reason', auth: 'admin', body: s.penaltyLiftBody, ok: 201 },
  'POST /api/admin/bans/lift': { summary: 'Lift an account ban with a reason', auth: 'admin', body: s.banLiftBody, ok: 201 },
  'GET /api/admin/audit-log': { summary: 'The append-only admin audit log, newest first', auth: 'admin', query: s.adminAuditLogQuery },
  // Issue 13 (seasons and goals)
  'POST /api/admin/seasons': { summary: 'Define a season: window, multiplier, top-N rewards', auth: 'admin', body: seasonCreateBody, ok: 201, returns: '{ season: SeasonView }' },
  'POST /api/admin/seasons/:id/close': { summary: 'Close an ended season: archive standings, pay rewards once', auth: 'admin', returns: 'SeasonCloseView' },
  'GET /api/seasons': { summary: 'Seasons, newest start first (ended ones close on read)', auth: 'user', returns: '{ items: SeasonView[] }' },
  'GET /api/seasons/:id': { summary: 'One season', auth: 'user', returns: '{ season: SeasonView }' },
  'GET /api/seasons/:id/leaderboard': { summary: 'Tokens earned in the season: live, or archived once closed', auth: 'user', query: seasonLeaderboardQuery, returns: 'SeasonLeaderboardView' },
  'POST /api/rooms/:id/goal': { summary: 'Set the room’s goal: target, duration, bonus from today’s room budget (owner or moderator)', auth: 'user', body: roomGoalBody, ok: 201, returns: '{ goal: RoomGoalView }' },
  'GET /api/rooms/:id/goal': { summary: 'The room’s newest goal with its top contributors (members)', auth: 'user', returns: '{ goal: RoomGoalView }' },
  'DELETE /api/rooms/:id/goal': { summary: 'Cancel the room’s active goal (owner or moderator); its bonus budget is not given back', auth: 'user', returns: '{ goal: RoomGoalView }' },
  'GET /api/users/:id/seasons': { summary: 'A user’s best season and seasonal achievements', auth: 'user', returns: 'UserSeasonsView' },
  // Issue 13 (h13a): the admin catalogue (docs/shop.md)
  'POST /api/admin/shop/items': { summary: 'Add a shop item at runtime (the economy config item schema; `effect` declares what it does; audit-logged)', auth: 'admin', body: shopItemSchema, ok: 201 },
  'PATCH /api/admin/shop/items/:id': { summary: 'Change a shop item (null removes stock, perUserLimit or a window bound; an effect once set cannot change; audit-logged)', auth: 'admin', body: shopItemPatchBody },
  // The reference itself
  'GET /api/openapi.json': { summary: 'This document (OpenAPI 3.1)', auth: 'none' },
  'GET /api/asyncapi.json': { summary: 'The Socket.IO events (AsyncAPI 3)', auth: 'none' },
  'GET /api/docs': { summary: 'The API reference, rendered (Swagger UI)', auth: 'none', content: 'html' },
};

/** Client->server events: the payload schema comes from the EventRegistry; this says what they do. */
export const CLIENT_EVENT_DOCS: Record<ClientEventName, string> = {
  'room:join': 'Join a room (earns join_room on the first join); ack: room, role, award',
  'room:leave': 'Leave a room',
  'message:send': 'Send a message; `clientMessageId` makes a retry post once; ack: message, award',
  'message:react': 'Add or remove a reaction',
  'message:vote-helpful': 'Vote a message helpful (its author may earn)',
  'file:share': 'Share an uploaded file in a room; ack: message, award',
  'gift:send': 'Gift tokens with the PIN, idempotent by requestId; ack: gift, balance',
  'room:reward': 'A moderator rewards a member from the room’s daily budget',
  // Chat essentials (issue 10)
  'message:edit': 'The author edits a message within the edit window; ack: message',
  'message:delete': 'The author or a room moderator deletes a message (a tombstone stays); ack: roomId, messageId, deletedAt',
  'typing': 'Tell the room you are typing (throttled); ack: roomId, expiresAt',
  'room:read': 'Move your read marker forward; ack: the marker kept, unread and mention counts',
  // Issue 13 (market)
  'market:watch': 'Start or stop receiving the live market:* events; ack: watching',
  // Issue 13 (h13a)
  'shop:watch': 'Receive shop:stock while the shop view is open; ack: the limited editions now',
  'shop:unwatch': 'Stop receiving shop:stock',
};

/** Server->client events. Typed over the event map, so a new event does not compile without a line here. */
export const SERVER_EVENT_DOCS: Record<keyof ServerToClientEvents, string> = {
  'room:member-joined': 'A member joined a room you are in',
  'room:member-left': 'A member left, was kicked or banned',
  'message:new': 'A new message in a room you are in',
  'message:reactions': 'A message’s reactions changed',
  'message:pinned': 'A message was pinned (a purchase)',
  'file:shared': 'A file was shared in a room you are in',
  'tokens:balance': 'Your balance changed',
  'tier:changed': 'Your tier changed',
  'achievement:unlocked': 'You unlocked an achievement',
  'gift:received': 'A gift landed in a room you are in, or to you',
  'room:rewarded': 'A moderator rewarded a member of a room you are in',
  // Issue 13 (seasons and goals)
  'room:goal': 'A room goal you can see changed: set, progress (points, level, deadline, top contributors), cancelled',
  'room:goal-reached': 'A room goal was reached: the goal and each contributor’s share of the bonus',
  'penalty:applied': 'An admin applied a penalty to you',
  'session:expired': 'Your session ended (JWT expired, logout, password change): log in again',
  // Issue 13 (h13a)
  'shop:stock': 'A limited edition’s stock changed (to sockets that sent shop:watch)',
  // Chat essentials (issue 10)
  'message:updated': 'A message in a room you are in was edited (the whole view)',
  'message:deleted': 'A message in a room you are in was deleted',
  'typing': 'A member is typing; forget it at expiresAt unless renewed',
  'presence': 'A user who shares a room with you came online or went offline',
  'dm:opened': 'A direct room with you was opened',
  'room:updated': 'A room you are in was renamed or re-described',
  'room:owner-changed': 'A room you are in has a new owner',
  'room:deleted': 'A room you were in was deleted',
  // Issue 13 (market)
  'market:listed': 'An item was listed on the market (to watchers)',
  'market:sold': 'A listing was sold (to watchers, the seller and the buyer)',
  'market:closed': 'A listing was cancelled or expired (to watchers and the seller)',
};
