import { z } from 'zod';
import type { CosmeticSlot } from '../../../shared/shop.js';

/**
 * The economy config as data: every reward, cap, multiplier, tier, achievement, shop price and
 * limit of docs/economy.md. Objects are strict so a misspelt override fails with its path instead
 * of being silently ignored. "Unlimited" is `null` (JSON has no Infinity).
 */

export const TIER_IDS = ['bronze', 'silver', 'gold', 'platinum'] as const;
export type TierId = (typeof TIER_IDS)[number];

export const ACTIVITY_IDS = [
  'registration',
  'create_room',
  'join_room',
  'send_message',
  'share_file',
  'daily_login',
  'weekly_streak',
  'monthly_active',
  'invite_friend',
  'receive_gift',
  'room_moderator',
  'popular_message',
  'helpful_content',
  'media_shared',
] as const;
export type ActivityId = (typeof ACTIVITY_IDS)[number];

/** Metrics an achievement can watch; the earning service keeps them per user. */
export const ACHIEVEMENT_METRICS = [
  'messagesSent',
  'filesShared',
  'roomsCreated',
  'roomsJoined',
  'giftsSent',
  'tokensGifted',
  'giftsReceived',
  'longestStreakDays',
  'popularMessages',
  'helpfulVotesReceived',
  'friendsInvited',
  'lifetimeEarned',
  'roomsModerated',
  'mediaViewedMilestones',
  'dailyLoginsClaimed',
] as const;
export type AchievementMetric = (typeof ACHIEVEMENT_METRICS)[number];

const tokens = z.number().int().min(0).max(1_000_000);
const positiveCount = z.number().int().min(1).max(1_000_000);
/**
 * Multipliers have at most three decimals so that their product is exact in billionths
 * (see rules/multipliers.ts): 1.1, 1.25 and 2.0 are fine, 1.0001 is refused.
 */
export const multiplierSchema = z
  .number()
  .min(1)
  .max(100)
  .refine((m) => Math.abs(Math.round(m * 1000) - m * 1000) < 1e-6, 'at most three decimals');

/** How often an activity may pay, as the seed names it (`max_per`). Enforcement lives in the services. */
const perSchema = z.enum(['account', 'unlimited', 'day', 'week', 'month', 'friend', 'gift', 'room', 'message', 'voter', 'file']);

const activitySchema = z.strictObject({ tokens, per: perSchema });

const activitiesSchema = z.strictObject({
  registration: activitySchema,
  create_room: activitySchema,
  join_room: activitySchema,
  send_message: activitySchema,
  share_file: activitySchema,
  daily_login: activitySchema,
  weekly_streak: activitySchema,
  monthly_active: activitySchema,
  invite_friend: activitySchema,
  receive_gift: activitySchema,
  room_moderator: activitySchema,
  /** Paid to the author once, when the message has reactions from this many distinct users. */
  popular_message: z.strictObject({ tokens, per: perSchema, reactionThreshold: positiveCount }),
  helpful_content: activitySchema,
  /** Paid to the uploader once, when this many distinct users have viewed the file. */
  media_shared: z.strictObject({ tokens, per: perSchema, viewThreshold: positiveCount }),
});

const capsSchema = z.strictObject({
  /** Events per UTC day that may earn, per activity; `null` = no event cap (totals still apply). */
  activityDailyEvents: z.strictObject(
    Object.fromEntries(ACTIVITY_IDS.map((a) => [a, positiveCount.nullable()])) as Record<ActivityId, z.ZodNullable<typeof positiveCount>>,
  ),
  dailyTotalTokens: positiveCount,
  /** ISO week (Monday 00:00 UTC to Sunday 23:59:59 UTC). */
  weeklyTotalTokens: positiveCount,
});

const eventWindowSchema = z
  .strictObject({
    id: z.string().min(1).max(64),
    kind: z.enum(['holiday', 'special_event']),
    name: z.string().min(1).max(200),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    /** When absent, the kind's multiplier applies (holiday / specialEvent below). */
    multiplier: multiplierSchema.optional(),
  })
  .refine((w) => Date.parse(w.startsAt) < Date.parse(w.endsAt), { message: 'startsAt must be before endsAt', path: ['endsAt'] });

const multipliersSchema = z.strictObject({
  /** Streak bonus: the highest step whose `days` <= the current streak applies. */
  streak: z
    .array(z.strictObject({ days: positiveCount, multiplier: multiplierSchema }))
    .max(20)
    .refine((s) => s.every((step, i) => i === 0 || step.days > s[i - 1]!.days), 'steps must have increasing days'),
  tier: z.strictObject({ bronze: multiplierSchema, silver: multiplierSchema, gold: multiplierSchema, platinum: multiplierSchema }),
  event: z.strictObject({
    /** Applies all of Saturday and Sunday, UTC. */
    weekend: z.strictObject({ enabled: z.boolean(), multiplier: multiplierSchema }),
    holiday: multiplierSchema,
    specialEvent: multiplierSchema,
    windows: z.array(eventWindowSchema).max(200),
  }),
  /** Upper bound of streak × tier × event. */
  maxCombined: multiplierSchema,
});

const tierBenefitsSchema = z.strictObject({
  /** Tokens this tier may gift per UTC day; null = unlimited. */
  giftLimitDaily: tokens.nullable(),
  storageGb: z.number().positive().max(100_000),
  /** Rooms a user of this tier may own; null = unlimited. */
  roomsMax: positiveCount.nullable(),
  fileSizeMb: z.number().positive().max(100_000),
  badge: z.string().min(1).max(16),
  features: z.strictObject({
    customAvatar: z.boolean(),
    badgeDisplay: z.boolean(),
    priorityInRooms: z.boolean(),
    privateRooms: z.boolean(),
    advancedEmojiReactions: z.boolean(),
    prioritySupport: z.boolean(),
    exclusiveFeatures: z.boolean(),
    customThemes: z.boolean(),
    videoCallPriority: z.boolean(),
  }),
});

const tiersSchema = z
  .strictObject({
    /**
     * What calculateUserTier reads: lifetime tokens earned by the user's own activity (default:
     * gifts and room rewards received do not count, so a tier cannot be borrowed) or the current
     * balance (the seed's literal rule). docs/economy.md says why.
     */
    basis: z.enum(['balance', 'lifetimeEarned']),
    thresholds: z.strictObject({ bronze: z.literal(0), silver: positiveCount, gold: positiveCount, platinum: positiveCount }),
    benefits: z.strictObject({ bronze: tierBenefitsSchema, silver: tierBenefitsSchema, gold: tierBenefitsSchema, platinum: tierBenefitsSchema }),
  })
  .refine((t) => t.thresholds.silver < t.thresholds.gold && t.thresholds.gold < t.thresholds.platinum, {
    message: 'thresholds must increase bronze < silver < gold < platinum',
    path: ['thresholds'],
  });

const achievementSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,64}$/),
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(300),
  metric: z.enum(ACHIEVEMENT_METRICS),
  threshold: positiveCount,
  reward: tokens,
});

/** Permanent, timed (hours from purchase), or consumable once per room / call / session. */
const durationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('permanent') }),
  z.strictObject({ kind: z.literal('timed'), hours: positiveCount }),
  // 'missed_day': the streak freeze (issue 13), used up by the daily claim after a missed day.
  z.strictObject({ kind: z.literal('consumable'), per: z.enum(['room', 'call', 'session', 'missed_day']) }),
]);

/** The slots a cosmetic fills on the profile (shared/shop.ts `CosmeticSlot`). */
export const COSMETIC_SLOTS = ['avatar_frame', 'chat_color', 'emoji', 'badge', 'theme'] as const satisfies readonly CosmeticSlot[];

/** A size an effect adds (MB or GB): positive, fractions allowed, bounded so limits stay finite sums. */
const extraSize = z.number().positive().max(1_000_000);

/**
 * What an item does once bought, as data (issue 13): one of the effects the server enforces
 * (server/shop/effects.ts), with its parameters. Optional on an item: without it the built-in
 * effect of the item's id applies (the presets' items), and an id with neither is listed but not
 * for sale. An unknown kind or a bad parameter fails validation, so no item can take tokens for an
 * effect this server does not have.
 */
export const itemEffectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fileSizeMb'), mb: extraSize }),
  z.strictObject({ kind: z.literal('storageGb'), gb: extraSize }),
  z.strictObject({ kind: z.literal('unlimitedRooms') }),
  z.strictObject({ kind: z.literal('privateRoomCredit') }),
  z.strictObject({ kind: z.literal('cosmetic'), slot: z.enum(COSMETIC_SLOTS) }),
  z.strictObject({ kind: z.literal('roomCustomization') }),
  z.strictObject({ kind: z.literal('pinMessage') }),
  z.strictObject({ kind: z.literal('roomBoost') }),
  z.strictObject({ kind: z.literal('tierUpgrade') }),
  z.strictObject({ kind: z.literal('prioritySupport') }),
  z.strictObject({ kind: z.literal('streakFreeze') }),
]);

type Duration = z.infer<typeof durationSchema>;
type EffectKind = z.infer<typeof itemEffectSchema>['kind'];

/**
 * The duration an effect needs to work at all, where it needs one: pins, boosts and priority
 * support end at the purchase's expiry (a permanent one would never show), credits and the
 * freeze are used up once (the refund policy's unused rule reads that). Other effects take any.
 */
const timed = { label: 'timed', fits: (d: Duration) => d.kind === 'timed' };
const perRoom = { label: 'consumable per room', fits: (d: Duration) => d.kind === 'consumable' && d.per === 'room' };
const DURATION_OF_EFFECT: Partial<Record<EffectKind, { label: string; fits: (d: Duration) => boolean }>> = {
  pinMessage: timed,
  roomBoost: timed,
  prioritySupport: timed,
  privateRoomCredit: perRoom,
  roomCustomization: perRoom,
  streakFreeze: { label: 'consumable per missed_day', fits: (d) => d.kind === 'consumable' && d.per === 'missed_day' },
};

/**
 * A catalogue item. The four optional fields make a limited edition (issue 13, docs/shop.md):
 * `stock` (how many may be sold in all, on every node together; a refund gives one back),
 * `perUserLimit` (how many one user may buy), and a sale window `availableFrom` /
 * `availableUntil` (ISO-8601; either may be absent). The marketplace treats an item with `stock`
 * as a limited edition. `effect` declares what the item does (`itemEffectSchema`). The admin
 * catalogue (POST/PATCH /api/admin/shop/items) validates with this same schema.
 */
export const shopItemSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9_]{1,64}$/),
    name: z.string().min(1).max(100),
    category: z.enum(['appearance', 'room', 'storage', 'communication', 'cosmetic', 'functional', 'premium']),
    cost: positiveCount,
    duration: durationSchema,
    stock: z.number().int().positive().max(1_000_000_000).optional(),
    perUserLimit: z.number().int().positive().max(1_000_000).optional(),
    availableFrom: z.iso.datetime({ offset: true }).optional(),
    availableUntil: z.iso.datetime({ offset: true }).optional(),
    effect: itemEffectSchema.optional(),
  })
  .refine((i) => i.availableFrom === undefined || i.availableUntil === undefined || Date.parse(i.availableFrom) < Date.parse(i.availableUntil), {
    message: 'availableFrom must be before availableUntil',
    path: ['availableUntil'],
  })
  .superRefine((i, ctx) => {
    const needed = i.effect ? DURATION_OF_EFFECT[i.effect.kind] : undefined;
    if (i.effect && needed && !needed.fits(i.duration)) ctx.addIssue({ code: 'custom', message: `a ${i.effect.kind} item must be ${needed.label}`, path: ['duration'] });
  });

const percent = z.number().int().min(0).max(100);

const refundPolicySchema = z.strictObject({
  permanentPercent: percent,
  timed: z.strictObject({
    fullWithinMinutes: positiveCount,
    fullPercent: percent,
    partialWithinMinutes: positiveCount,
    partialPercent: percent,
    afterPercent: percent,
  }),
  /** Consumables not yet used (per room / call / session). */
  unusedPercent: percent,
});

const giftsSchema = z.strictObject({
  maxPerDay: positiveCount,
  messageMaxChars: positiveCount,
  amountMin: positiveCount,
  /**
   * Recipient bonus: `activities.receive_gift.tokens` per gift, or, when this is above 0,
   * this percent of the gift (rounded down) if that is larger. The seed says both "1" and "10%".
   */
  receiveBonusPercentOfGift: percent,
  // Economy integrity (issue 9): vesting against pass-back farming (docs/gifts.md).
  /** Tokens received by gift or room reward can be gifted onward only this many hours later; 0 = off. */
  receivedHoldHours: z.number().int().min(0).max(24 * 365),
  /** Accounts younger than this many days have the lower allowance below; 0 = off. */
  newAccountDays: z.number().int().min(0).max(365),
  /** Tokens a new account (see newAccountDays) may gift per UTC day, whatever its tier. */
  newAccountDailyTokens: tokens,
  /**
   * Gift combos (issue 13, docs/gifts.md): gifts from one sender to one recipient each within this
   * many seconds of the previous one form a combo (`combo {id, count, total}` on gift:received); 0 = off.
   */
  comboWindowSeconds: z.number().int().min(0).max(3600),
});

/** The streak freeze (issue 13, docs/shop.md): how many unused freezes one user may hold at once. */
const streakFreezeSchema = z.strictObject({
  maxHeld: z.number().int().min(1).max(30),
});

const roomRewardsSchema = z.strictObject({
  /** Tokens a room's moderators may mint together per UTC day. */
  dailyBudgetTokens: positiveCount,
  maxPerRewardTokens: positiveCount,
  reasonMaxChars: positiveCount,
  // Economy integrity (issue 9): room rewards across all rooms (docs/anti-abuse.md).
  /** Tokens one user may receive by room rewards per UTC day, over all rooms together. */
  recipientDailyTokens: positiveCount,
  /** Tokens one owner or moderator may grant per UTC day, over all rooms together. */
  granterDailyTokens: positiveCount,
  /** A room's budget opens only once the room is this many hours old; 0 = at once. */
  roomMinAgeHours: z.number().int().min(0).max(24 * 365),
  /** ... and has this many members, besides the granter and the recipient, who are eligible peers (peerAwards); 0 = none needed. */
  roomMinActiveMembers: z.number().int().min(0).max(1000),
});

/**
 * Economy integrity (issue 9): who counts as a peer for awards another user triggers (helpful
 * votes, popular-message reactions, media views, room-reward quorum): not a linked account of the
 * author, and old and active enough (docs/anti-abuse.md).
 */
const peerAwardsSchema = z.strictObject({
  /** A peer's account must be at least this many hours old; 0 = any age. */
  minAccountAgeHours: z.number().int().min(0).max(24 * 365),
  /** A peer must have sent at least this many messages; 0 = none needed. */
  minMessagesSent: z.number().int().min(0).max(1_000_000),
  /** Leave out the author's linked accounts: the inviter/invitee, and the same registration address when multipleAccounts.accountsPerIpDaily is set. */
  excludeLinkedAccounts: z.boolean(),
});

const pinSchema = z.strictObject({
  digits: z.literal(4),
  maxFailures: positiveCount,
  lockMinutes: positiveCount,
  /** Failures older than this (since the last failure) are forgotten. */
  failureWindowMinutes: positiveCount,
});

const referralSchema = z.strictObject({
  /** The invitee becomes "active" after this many messages ... */
  activeMinMessages: positiveCount,
  /** ... or this many daily login claims, whichever comes first. */
  activeMinDailyLogins: positiveCount,
  /** The invitee must become active within this many days of registering. */
  activeWithinDays: positiveCount,
});

const monthlyActiveSchema = z.strictObject({
  /** Distinct UTC days with a daily-login claim in one calendar month (UTC) that pay monthly_active. */
  minDays: z.number().int().min(1).max(28),
});

const penaltySchema = z.strictObject({
  offense: z.enum(['first', 'second', 'third', 'severe']),
  action: z.enum(['warning', 'earning_suspension', 'token_reset', 'account_ban']),
  durationHours: positiveCount.nullable(),
});

/** Fake activity (time-based validation) and farming patterns on rewarded messages; 0 turns a check off. */
const fakeActivitySchema = z.strictObject({
  /** A message sooner than this after the user's previous one still flows but earns `TOO_FAST`. */
  minMessageIntervalMs: z.number().int().min(0).max(3_600_000),
  /** The same body (hash of the text or ciphertext) again within this window earns `DUPLICATE_CONTENT`. */
  duplicateWindowMs: z.number().int().min(0).max(7 * 86_400_000),
});

const multipleAccountsSchema = z.strictObject({
  /** Accounts registered from one IP per UTC day that may earn the registration award; null = no limit. */
  accountsPerIpDaily: positiveCount.nullable(),
});

/** Optional inflation control: weekly decay of inactive users' balances (`npm run economy:decay`). */
const decaySchema = z.strictObject({
  enabled: z.boolean(),
  /** Days since the user's last own activity after which the balance decays. */
  inactiveDays: positiveCount,
  /** Percent of the balance (rounded down) removed per ISO week while inactive. */
  percentPerWeek: z.number().int().min(1).max(100),
});

// Issue 13 (market): the trading marketplace (docs/market.md).
const priceRangeSchema = z
  .strictObject({ min: positiveCount, max: positiveCount })
  .refine((r) => r.min <= r.max, 'min must not exceed max');

const marketSchema = z.strictObject({
  /** Percent of each sale price (rounded down) that goes to the sink; the seller gets the rest. */
  feePercent: z.number().int().min(0).max(50),
  /** A listing not sold within this many hours expires and the item returns to normal use. */
  listingTtlHours: positiveCount,
  /** The price range a listing may ask: `items[itemId]` when set, else `default`. */
  priceBounds: z.strictObject({
    default: priceRangeSchema,
    items: z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), priceRangeSchema),
  }),
});

// Seasons (issue 13, part C; docs/economy.md "Seasons").
const seasonAchievementSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,64}$/),
  name: z.string().min(1).max(100),
  /** top_rank: finished at rank <= threshold in a season; earned: earned >= threshold tokens in one season. */
  kind: z.enum(['top_rank', 'earned']),
  threshold: positiveCount,
});

const seasonsSchema = z.strictObject({
  /** How many final standings are archived per season (best seasons and achievements read them); rewards past it are not paid. */
  archiveSize: z.number().int().min(1).max(10_000),
  /** Tokens one season's rewards may mint in all (sum over tiers of tokens x ranks); refused at creation when above. */
  rewardsMaxTokens: tokens,
  /** Seconds between two checks for ended seasons to close (each node; closing twice pays once). 0 = only lazily and by the admin route. */
  closeCheckSeconds: z.number().int().min(0).max(86_400),
  achievements: z
    .array(seasonAchievementSchema)
    .max(50)
    .refine((a) => new Set(a.map((x) => x.id)).size === a.length, 'season achievement ids must be unique'),
});

// Room goals (issue 13, part C; docs/chat.md "Room goals").
const goalsSchema = z.strictObject({
  /** Points per token of a gift sent in the room. */
  pointsPerGiftToken: z.number().int().min(0).max(1000),
  /** Points per chat message in the room. */
  pointsPerMessage: z.number().int().min(0).max(1000),
  /** Points per file shared in the room. */
  pointsPerFile: z.number().int().min(0).max(1000),
  /** Levels of a goal: level k is reached at k/levels of the target; the last level is the target. */
  levels: z.number().int().min(1).max(20),
  /** Seconds added to the deadline each time a level is reached (the hype train); 0 = fixed deadline. */
  levelExtendSeconds: z.number().int().min(0).max(86_400),
  /** Contributors listed in `room:goal`. */
  topContributors: z.number().int().min(1).max(50),
});

export const economyConfigSchema = z.strictObject({
  preset: z.enum(['current', 'recommended', 'balanced']),
  activities: activitiesSchema,
  caps: capsSchema,
  multipliers: multipliersSchema,
  tiers: tiersSchema,
  achievements: z
    .array(achievementSchema)
    .min(1)
    .max(500)
    .refine((a) => new Set(a.map((x) => x.id)).size === a.length, 'achievement ids must be unique'),
  shop: z
    .array(shopItemSchema)
    .max(500)
    .refine((s) => new Set(s.map((x) => x.id)).size === s.length, 'shop item ids must be unique'),
  refundPolicy: refundPolicySchema,
  gifts: giftsSchema,
  roomRewards: roomRewardsSchema,
  peerAwards: peerAwardsSchema,
  pin: pinSchema,
  referral: referralSchema,
  monthlyActive: monthlyActiveSchema,
  antiAbuse: z.strictObject({
    penalties: z.array(penaltySchema).min(1).max(10),
    fakeActivity: fakeActivitySchema,
    multipleAccounts: multipleAccountsSchema,
  }),
  decay: decaySchema,
  // Issue 13 (market)
  market: marketSchema,
  // Issue 13 (seasons and goals)
  seasons: seasonsSchema,
  goals: goalsSchema,
  // Issue 13 (h13a: limited editions, streak freeze, gift combos)
  streakFreeze: streakFreezeSchema,
});

export type EconomyConfig = z.infer<typeof economyConfigSchema>;
export type EconomyPreset = EconomyConfig['preset'];
export type TierBenefits = z.infer<typeof tierBenefitsSchema>;
export type Achievement = z.infer<typeof achievementSchema>;
export type ShopItem = z.infer<typeof shopItemSchema>;
export type EventWindow = z.infer<typeof eventWindowSchema>;
export type PenaltyStep = z.infer<typeof penaltySchema>;
export type FakeActivityPolicy = z.infer<typeof fakeActivitySchema>;
export type DecayPolicy = z.infer<typeof decaySchema>;
export type PeerAwardsPolicy = z.infer<typeof peerAwardsSchema>;
// Issue 13 (market)
export type MarketPolicy = z.infer<typeof marketSchema>;
export type SeasonAchievement = z.infer<typeof seasonAchievementSchema>;
