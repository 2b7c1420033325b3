/**
 * The one catalogue of error codes the server can return, over HTTP (`{ error: { code, message } }`
 * with the status below) and in Socket.IO acks (`{ ok: false, error: { code, message } }`).
 *
 * Codes are stable API: clients switch on them. Add a code here (with its status and a default
 * message) before using it; `test/unit/errors.test.ts` checks every code is documented in
 * docs/errors.md and used (quoted) somewhere in server/, shared/ or web/.
 */
export const ERROR_CATALOGUE = {
  // Generic request problems
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  PAYLOAD_NOT_OBJECT: { status: 400, message: 'The payload must be an object' },
  UNKNOWN_EVENT: { status: 400, message: 'No such event' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The payload is too large' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, message: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A backing service is unavailable' },
  // Record stores (issue 15): the database has no usable server (no primary, network down).
  STORE_UNAVAILABLE: { status: 503, message: 'The database cannot be reached right now; try again shortly' },

  // Authentication and authorization
  UNAUTHENTICATED: { status: 401, message: 'Authentication required' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired' },
  TOKEN_INVALID: { status: 401, message: 'The token is not valid' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  FORBIDDEN: { status: 403, message: 'Not allowed' },
  USERNAME_TAKEN: { status: 409, message: 'That username is taken' },
  INVITE_CODE_INVALID: { status: 400, message: 'The invite code is not valid' },

  // Rooms
  ROOM_NOT_FOUND: { status: 404, message: 'No such room' },
  NOT_A_MEMBER: { status: 403, message: 'You are not a member of this room' },
  BANNED_FROM_ROOM: { status: 403, message: 'You are banned from this room' },
  NOT_ROOM_MODERATOR: { status: 403, message: 'Only the owner or a moderator may do this' },
  NOT_ROOM_OWNER: { status: 403, message: 'Only the room owner may do this' },
  CANNOT_TARGET_OWNER: { status: 403, message: 'The room owner cannot be the target of this action' },
  CANNOT_TARGET_MODERATOR: { status: 403, message: 'Only the owner may kick or ban a moderator' },
  TARGET_NOT_A_MEMBER: { status: 409, message: 'That user is not a member of this room' },
  OWNER_CANNOT_LEAVE: { status: 409, message: 'The room owner cannot leave the room' },
  ROOM_LIMIT_REACHED: { status: 403, message: 'You have reached the number of rooms your tier allows' },
  PRIVATE_ROOMS_NOT_ALLOWED: { status: 403, message: 'Your tier does not allow private rooms' },
  USER_NOT_FOUND: { status: 404, message: 'No such user' },
  // Direct messages, room management, profiles and cosmetics (issue 10, h10a; docs/chat.md)
  CANNOT_DM_SELF: { status: 400, message: 'You cannot open a direct conversation with yourself' },
  DIRECT_ROOM_FIXED: { status: 409, message: 'A direct conversation has exactly its two members and no owner, name or moderators to change' },
  CUSTOM_AVATAR_NOT_ALLOWED: { status: 403, message: 'Custom avatars start at the silver tier' },
  NOT_AN_IMAGE: { status: 415, message: 'Avatars must be PNG, JPEG, WebP or GIF images' },
  COSMETIC_NOT_OWNED: { status: 403, message: 'You do not own that cosmetic (or it has expired)' },

  // Messages and files
  MESSAGE_NOT_FOUND: { status: 404, message: 'No such message' },
  MESSAGE_TOO_LARGE: { status: 413, message: 'The message is too large' },
  FILE_NOT_FOUND: { status: 404, message: 'No such file' },
  FILE_TOO_LARGE: { status: 413, message: 'The file is too large' },
  FILE_MISSING: { status: 400, message: 'Send the file in the multipart field "file"' },
  STORAGE_QUOTA_EXCEEDED: { status: 413, message: 'Your storage quota is used up' },
  CANNOT_VOTE_OWN_MESSAGE: { status: 400, message: 'You cannot vote for your own message' },
  ALREADY_VOTED: { status: 409, message: 'You already voted this message helpful' },
  // Chat essentials (issue 10): edit, delete, reply, advanced emoji
  NOT_MESSAGE_AUTHOR: { status: 403, message: 'Only the author may do this to a message' },
  EDIT_WINDOW_CLOSED: { status: 409, message: 'The time to edit this message is over' },
  MESSAGE_DELETED: { status: 409, message: 'The message was deleted' },
  REPLY_TARGET_INVALID: { status: 400, message: 'A reply must answer a message of the same room' },
  EMOJI_TIER_REQUIRED: { status: 403, message: 'This reaction needs a higher tier' },

  // Ledger and economy
  INSUFFICIENT_BALANCE: { status: 409, message: 'The balance is too low' },
  INVALID_AMOUNT: { status: 400, message: 'The amount must be a positive whole number within limits' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'That request id was already used for a different request' },
  LEDGER_INVARIANT_VIOLATED: { status: 500, message: 'A ledger invariant was violated; nothing was written' },
  CAPS_UNAVAILABLE: { status: 503, message: 'Earning caps cannot be checked right now' },
  UNKNOWN_ACTIVITY: { status: 400, message: 'No such activity' },
  ECONOMY_CONFIG_INVALID: { status: 422, message: 'The economy overrides are invalid; the active config is unchanged' },
  ALREADY_CLAIMED: { status: 409, message: 'Already claimed' },
  ACHIEVEMENT_NOT_FOUND: { status: 404, message: 'No such achievement' },
  ACHIEVEMENT_LOCKED: { status: 409, message: 'That achievement is not unlocked yet' },

  // PIN, gifts, rewards
  PIN_NOT_SET: { status: 409, message: 'Set a PIN first' },
  PIN_INVALID: { status: 403, message: 'Wrong PIN' },
  PIN_LOCKED: { status: 423, message: 'Too many wrong PINs or passwords: try again later' },
  CANNOT_GIFT_SELF: { status: 400, message: 'You cannot gift yourself' },
  RECIPIENT_BANNED: { status: 403, message: 'The recipient cannot receive tokens' },
  GIFT_DAILY_ALLOWANCE_EXCEEDED: { status: 409, message: 'That gift goes past your daily gifting allowance' },
  GIFT_DAILY_COUNT_EXCEEDED: { status: 429, message: 'You have sent the most gifts allowed today' },
  ROOM_BUDGET_EXHAUSTED: { status: 409, message: "The room's daily reward budget is spent" },
  // Economy integrity (issue 9): room rewards, vesting, refunds (docs/anti-abuse.md)
  RECIPIENT_NOT_ELIGIBLE: { status: 409, message: 'The recipient may not receive tokens now (earning suspended or banned)' },
  ROOM_REWARDS_NOT_OPEN: { status: 409, message: "The room's reward budget is not open yet (room too new or too few independent members)" },
  REWARD_RECIPIENT_CAP_REACHED: { status: 409, message: 'The recipient has received the most room rewards allowed today, over all rooms' },
  REWARD_GRANTER_CAP_REACHED: { status: 409, message: 'You have granted the most room rewards allowed today, over all rooms' },
  GIFT_TOKENS_VESTING: { status: 409, message: 'Tokens received by gift or reward can be gifted onward only after a hold' },
  GIFT_NEW_ACCOUNT_ALLOWANCE_EXCEEDED: { status: 409, message: 'That gift goes past the daily gifting allowance of a new account' },
  ITEM_USED: { status: 409, message: 'The item already produced something that lasts: it cannot be refunded' },
  CANNOT_REWARD_SELF: { status: 403, message: 'You cannot reward yourself' },

  // Shop
  ITEM_NOT_FOUND: { status: 404, message: 'No such shop item' },
  CATEGORY_NOT_FOUND: { status: 404, message: 'No such shop category' },
  PURCHASE_NOT_FOUND: { status: 404, message: 'No such purchase' },
  ALREADY_REFUNDED: { status: 409, message: 'That purchase was already refunded' },
  REFUND_NOT_ALLOWED: { status: 409, message: 'The refund policy gives nothing back for this purchase' },
  ITEM_NOT_AVAILABLE: { status: 409, message: 'This item cannot be bought on this server' },
  CUSTOMIZATION_NOT_OWNED: { status: 403, message: 'Buy room_customization for this room first' },
  ROOM_NOT_PUBLIC: { status: 409, message: 'Only a public room can be boosted' },
  // Issue 13 (h13a): limited editions, the admin catalogue, the streak freeze
  OUT_OF_STOCK: { status: 409, message: 'This limited edition is sold out' },
  PURCHASE_LIMIT_REACHED: { status: 409, message: 'You already bought as many of this item as one user may' },
  ITEM_NOT_ON_SALE: { status: 409, message: 'This item is not on sale right now' },
  STREAK_FREEZE_LIMIT: { status: 409, message: 'You already hold as many streak freezes as allowed' },
  CATALOGUE_ITEM_EXISTS: { status: 409, message: 'A shop item with this id exists already' },

  // Issue 13 (market): the trading marketplace (docs/market.md)
  LISTING_NOT_FOUND: { status: 404, message: 'No such listing' },
  LISTING_NOT_AVAILABLE: { status: 409, message: 'That listing is no longer for sale (sold, cancelled, expired, or being bought)' },
  ITEM_NOT_TRANSFERABLE: { status: 409, message: 'Only owned cosmetics and limited editions in use can be traded' },
  ITEM_LISTED: { status: 409, message: 'That item is listed on the market: cancel the listing first' },
  ITEM_EQUIPPED: { status: 409, message: 'Unequip that cosmetic before listing it' },
  PRICE_OUT_OF_BOUNDS: { status: 400, message: 'The price is outside the bounds the market allows for this item' },
  CANNOT_BUY_OWN_LISTING: { status: 403, message: 'You cannot buy your own listing' },
  LINKED_ACCOUNTS_TRADE: { status: 403, message: 'Trades between linked accounts are not allowed' },

  // Anti-abuse
  ALREADY_BANNED: { status: 409, message: 'The account is already banned: the penalty ladder has ended' },

  // Operators, admin tools (server/admin/)
  PENALTY_NOT_FOUND: { status: 404, message: 'No such penalty for this user' },
  PENALTY_ALREADY_LIFTED: { status: 409, message: 'That penalty was already lifted' },
  NOT_BANNED: { status: 409, message: 'The account is not banned' },
  // Economy integrity, infrastructure half (issue 9): encodings, room authority, sessions
  BODY_ENCODING_INVALID: { status: 400, message: 'The request body does not decode with its Content-Encoding' },
  CANNOT_LIFT_OWNER_BAN: { status: 403, message: 'Only the room owner may lift a ban the owner made' },
  TOKEN_REVOKED: { status: 401, message: 'The session was ended (logout or password change): log in again' },
  // Seasons and room goals (issue 13, part C; docs/economy.md, docs/chat.md)
  SEASON_NOT_FOUND: { status: 404, message: 'No such season' },
  SEASON_NOT_ENDED: { status: 409, message: 'The season has not ended yet: it can be closed only after endsAt' },
  GOAL_NOT_FOUND: { status: 404, message: 'The room has no goal' },
  GOAL_ALREADY_ACTIVE: { status: 409, message: 'The room already has an active goal' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The wire shape of every error, in HTTP bodies (under `error`) and in socket acks. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Optional machine-readable detail, e.g. `{ retryAfterSeconds }` for PIN_LOCKED. */
  details?: Record<string, unknown>;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}
