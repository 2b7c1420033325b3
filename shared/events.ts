import type { z } from 'zod';
import type { AckCallback } from './ack.js';
import type * as s from './schemas.js';
// Issue 13 (market)
import type * as market from './market.js';
import type { RoomGoalReachedView, RoomGoalView } from './goals.js';
import type { CosmeticSlot, ShopItemView, ShopStockEvent } from './shop.js';

/**
 * The Socket.IO contract, one source of truth for server, tests and clients:
 * `Server<ClientToServerEvents, ServerToClientEvents>` on the server,
 * `Socket<ServerToClientEvents, ClientToServerEvents>` on the client.
 *
 * Every client->server event takes one object payload (validated by the schema of the same
 * name in ./schemas.ts) and an ack callback answered with `Ack<T>`.
 */

export type TierName = 'bronze' | 'silver' | 'gold' | 'platinum';

export interface UserSummary {
  id: string;
  username: string;
  /**
   * The tier badge (e.g. '🥈'), shown next to members and message authors. Absent while no
   * economy is wired to compute it (never a made-up value).
   */
  badge?: string;
  tier?: TierName;
  // Profiles (issue 10, h10a; docs/chat.md "Profiles"): each present only when the user has set it.
  /** The name to show instead of the username. */
  displayName?: string;
  /** Relative URL of the avatar image (`/api/avatars/<key>`), immutable: a new avatar gets a new URL. */
  avatarUrl?: string;
  /** Equipped cosmetics, slot -> shop item id; only items the user owns now (docs/shop.md). */
  equipped?: EquippedCosmeticsView;
}

/** Slot -> shop item id of the cosmetic a user shows there. */
export type EquippedCosmeticsView = Partial<Record<CosmeticSlot, string>>;

export interface RoomView {
  id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  ownerId: string;
  createdAt: string;
  /** Set by the owner or a moderator after a room_customization purchase; null when never set. Present on the room list and `GET /api/rooms/:id`. */
  customization?: RoomCustomizationView | null;
  /** End of the room's active visibility boost (it lists first); null when not boosted. Present on the room list and `GET /api/rooms/:id`. */
  boostedUntil?: string | null;
  /** Issue 10, on `GET /api/rooms` for rooms the caller is a member of: messages by others after the read marker, and mentions of the caller among them (each capped at UNREAD_COUNT_MAX). */
  unread?: number;
  mentions?: number;
}

// Direct messages (issue 10, h10a; docs/chat.md "Direct messages").
/** A direct room as one of its two members sees it: a room view (no owner, no name) plus the other member. */
export interface DirectRoomView extends RoomView {
  peer: UserSummary;
}

/** A room's theme (docs/shop.md, room_customization). */
export interface RoomCustomizationView {
  color: string;
  theme: 'light' | 'dark' | 'midnight' | 'forest' | 'sunset';
  updatedBy: string;
  updatedAt: string;
}

/** A message pinned by a pin_important_message purchase, shown until `until`. */
export interface PinView {
  roomId: string;
  messageId: string;
  pinnedBy: string;
  since: string;
  until: string;
  /** The purchase that pays for the pin. */
  purchaseId: string;
}

export interface MemberView {
  user: UserSummary;
  role: 'owner' | 'moderator' | 'member';
  joinedAt: string;
  /** Whether the member has a connected socket on any node (issue 10; on the members list). */
  online?: boolean;
}

export interface FileView {
  id: string;
  name: string;
  size: number;
  mime: string;
}

export interface MessageView {
  id: string;
  roomId: string;
  clientMessageId: string;
  author: UserSummary;
  kind: 'text' | 'file';
  body: string;
  file: FileView | null;
  reactions: Record<string, number>;
  createdAt: string;
  // Chat essentials (issue 10): each field is present only when it applies.
  /** The message this one answers, as a short quote. */
  replyTo?: MessageQuote;
  /** When the author last edited the body. */
  editedAt?: string;
  /** A tombstone: the message was deleted at this time; `body` is '' and `file` null. */
  deletedAt?: string;
}

/** A short quote of a replied-to message: author and the first characters of the body (null once deleted). */
export interface MessageQuote {
  messageId: string;
  author: UserSummary;
  /** At most REPLY_QUOTE_CHARS characters; null when the parent is deleted. */
  excerpt: string | null;
  deleted: boolean;
}

/** What `GET /api/rooms/:id/messages?after=` answers: what a client missed, once each. */
export interface MessageCatchUp {
  /** Messages after `after`, oldest first, as they are now (tombstones included). */
  messages: MessageView[];
  /** Older messages edited or deleted since `after` was sent, as they are now, oldest change first. */
  changes: MessageView[];
  /** Pass as the next `after` when more messages are waiting; null when caught up. */
  nextAfter: string | null;
}

/** Why an award granted less than the full amount, or nothing. */
export type AwardReason =
  | 'DAILY_CAP'
  | 'WEEKLY_CAP'
  | 'ACTIVITY_CAP'
  | 'ALREADY_REWARDED'
  | 'CAPS_UNAVAILABLE'
  | 'LEDGER_UNAVAILABLE'
  | 'ECONOMY_DISABLED'
  | 'NOT_ELIGIBLE'
  /** Anti-abuse (docs/anti-abuse.md): an earning suspension, a message too soon, a repeated body. */
  | 'EARNING_SUSPENDED'
  | 'TOO_FAST'
  | 'DUPLICATE_CONTENT'
  /** Economy integrity (issue 9): a peer-triggered award whose voters/reactors/viewers are not independent peers of the author. */
  | 'PEER_NOT_ELIGIBLE';

/** The outcome of an inline award, carried by the ack of the activity that earned it. */
export interface AwardOutcome {
  activity: string;
  granted: number;
  reason?: AwardReason;
}

export interface GiftView {
  giftId: string;
  from: UserSummary;
  to: UserSummary;
  amount: number;
  message: string | null;
  roomId: string | null;
  at: string;
}

type Handler<P extends z.ZodTypeAny, R> = (payload: z.input<P>, ack: AckCallback<R>) => void;

export interface ClientToServerEvents {
  'room:join': Handler<typeof s.roomJoinPayload, { room: RoomView; role: MemberView['role']; award: AwardOutcome | null }>;
  'room:leave': Handler<typeof s.roomLeavePayload, { roomId: string }>;
  'message:send': Handler<typeof s.messageSendPayload, { message: MessageView; award: AwardOutcome | null }>;
  'message:react': Handler<typeof s.messageReactPayload, { messageId: string; reactions: Record<string, number> }>;
  'message:vote-helpful': Handler<typeof s.messageVoteHelpfulPayload, { messageId: string; award: AwardOutcome | null }>;
  'file:share': Handler<typeof s.fileSharePayload, { message: MessageView; award: AwardOutcome | null }>;
  /** `balanceAsOf`: 'gift' when `balance` is the sender's right after the gift, 'now' on a retry whose receipt is gone (docs/gifts.md). */
  'gift:send': Handler<typeof s.giftSendPayload, { gift: GiftView; balance: number; balanceAsOf: 'gift' | 'now' }>;
  // Chat essentials (issue 10)
  'message:edit': Handler<typeof s.messageEditPayload, { message: MessageView }>;
  'message:delete': Handler<typeof s.messageDeletePayload, { roomId: string; messageId: string; deletedAt: string }>;
  /** Tells the room the caller is typing; renew before `expiresAt`. Throttled: RATE_LIMITED with `details.retryAfterMs`. */
  'typing': Handler<typeof s.typingPayload, { roomId: string; expiresAt: string }>;
  /** Moves the caller's read marker forward (never back); answers the marker kept and the counts after it. */
  'room:read': Handler<typeof s.roomReadPayload, { roomId: string; messageId: string; unread: number; mentions: number }>;
  'room:reward': Handler<
    typeof s.roomRewardPayload,
    { grantId: string; roomId: string; to: UserSummary; amount: number; reason: string; budgetLeft: number }
  >;
  // Issue 13 (market): subscribe to the live market:* events (docs/market.md); ack: watching.
  'market:watch': Handler<typeof market.marketWatchPayload, { watching: boolean }>;
  // Issue 13 (h13a): live stock of limited editions while the shop is open.
  /** Subscribes this socket to `shop:stock`; answers the limited editions as they stand now. */
  'shop:watch': Handler<typeof s.shopWatchPayload, { items: ShopItemView[] }>;
  /** Ends this socket's `shop:stock` subscription. */
  'shop:unwatch': Handler<typeof s.shopWatchPayload, { watching: false }>;
}

export interface ServerToClientEvents {
  'room:member-joined': (e: { roomId: string; member: MemberView }) => void;
  'room:member-left': (e: { roomId: string; userId: string; reason: 'left' | 'kicked' | 'banned' }) => void;
  'message:new': (m: MessageView) => void;
  'message:reactions': (e: { roomId: string; messageId: string; reactions: Record<string, number> }) => void;
  /** A member bought a pin for a message of the room (shown until `until`; `GET /api/rooms/:id/pins`). */
  'message:pinned': (e: PinView) => void;
  'file:shared': (e: { roomId: string; message: MessageView; file: FileView }) => void;
  'tokens:balance': (e: { balance: number; tier: TierName }) => void;
  'tier:changed': (e: { from: TierName; to: TierName; badge: string }) => void;
  'achievement:unlocked': (e: { achievementId: string; name: string; reward: number }) => void;
  /** `combo` (issue 13): this gift's place in a run of gifts from the same sender to the same recipient (docs/gifts.md "Combos"). */
  'gift:received': (e: GiftView & { badges: { from: string; to: string }; combo?: GiftCombo }) => void;
  'room:rewarded': (e: { roomId: string; by: UserSummary; to: UserSummary; amount: number; reason: string; at: string }) => void;
  // Issue 13 (seasons and goals): a room goal's progress (set, contribution, cancel) and its completion.
  'room:goal': (e: RoomGoalView) => void;
  'room:goal-reached': (e: RoomGoalReachedView) => void;
  // Chat essentials (issue 10)
  /** A message was edited: the whole view as it is now. */
  'message:updated': (m: MessageView) => void;
  /** A message was deleted by its author or a room moderator; history shows a tombstone. */
  'message:deleted': (e: { roomId: string; messageId: string; deletedAt: string }) => void;
  /** A member is typing in the room; forget it at `expiresAt` unless renewed. Not sent to the typist's own socket. */
  'typing': (e: { roomId: string; user: UserSummary; expiresAt: string }) => void;
  /** A user who shares a room with you came online (first socket) or went offline (last socket closed, or its node died). */
  'presence': (e: { userId: string; online: boolean }) => void;
  // Direct messages and room management (issue 10, h10a; docs/chat.md).
  /** A direct room was opened with this user (sent to both members' own channels; `peer` is the other one). */
  'dm:opened': (e: { room: DirectRoomView }) => void;
  /** The owner renamed or re-described the room (to its members). */
  'room:updated': (e: { roomId: string; room: RoomView; by: string }) => void;
  /** Ownership moved (to the room's members): `from` is now a moderator. */
  'room:owner-changed': (e: { roomId: string; from: string; to: string }) => void;
  /** The owner deleted the room (to its former members, who have left its channel). */
  'room:deleted': (e: { roomId: string; by: string }) => void;
  /** An admin applied a penalty to this user (docs/anti-abuse.md); sent before a ban closes the sockets. */
  'penalty:applied': (e: PenaltyNotice) => void;
  // Sessions (issue 9): sent just before the server disconnects the socket.
  /** The socket's session ended: its JWT expired, it logged out, or the password changed. Log in again. */
  'session:expired': (e: SessionExpiredNotice) => void;
  // Issue 13 (market): to watchers (market:watch), and sold/closed also to the seller and buyer.
  'market:listed': market.MarketEvents['market:listed'];
  'market:sold': market.MarketEvents['market:sold'];
  'market:closed': market.MarketEvents['market:closed'];
  // Issue 13 (h13a)
  /** A limited edition's stock changed (a sale, or an admin's change): to sockets that sent `shop:watch`. */
  'shop:stock': (e: ShopStockEvent) => void;
}

/**
 * A gift combo (issue 13): gifts from one sender to one recipient each within
 * `gifts.comboWindowSeconds` of the previous one. `id` is the same for every gift of the run,
 * `count` is this gift's place in it (1 for the first), `total` the tokens of the run so far.
 */
export interface GiftCombo {
  id: string;
  count: number;
  total: number;
}

/** Why a socket's session ended (`session:expired`). */
export interface SessionExpiredNotice {
  reason: 'expired' | 'logout' | 'password_changed';
}

/** What a penalized user is told, live and in the stored `penalty` notification. */
export interface PenaltyNotice {
  penaltyId: string;
  action: 'warning' | 'earning_suspension' | 'token_reset' | 'account_ban';
  reason: string;
  suspendedUntil: string | null;
  /** Tokens a token reset removed; null for other steps. */
  tokensRemoved: number | null;
}

export type ClientEventName = keyof ClientToServerEvents;
