import type { Achievement, EconomyConfig, ShopItem } from './schema.js';

/**
 * The two presets from the seed (/work/shared/seed/token-system.md). `current` is the seed's
 * current earning rates with EARNING_CAPS and the PROPOSED spending structure; `recommended` is
 * its "Recommended Starting Values" with ITEM_COSTS. Values the seed leaves open are marked
 * "(chosen)" and explained in docs/economy.md.
 */

const achievements: Achievement[] = [
  { id: 'first_message', name: 'Hello, world', description: 'Send your first message', metric: 'messagesSent', threshold: 1, reward: 5 },
  { id: 'first_100_messages', name: 'Chatterbox', description: 'Send 100 messages', metric: 'messagesSent', threshold: 100, reward: 50 },
  { id: 'first_1000_messages', name: 'Storyteller', description: 'Send 1,000 messages', metric: 'messagesSent', threshold: 1000, reward: 200 },
  { id: 'first_file', name: 'Sharer', description: 'Share your first file', metric: 'filesShared', threshold: 1, reward: 5 },
  { id: 'first_50_files', name: 'Librarian', description: 'Share 50 files', metric: 'filesShared', threshold: 50, reward: 50 },
  { id: 'first_room', name: 'Founder', description: 'Create your first room', metric: 'roomsCreated', threshold: 1, reward: 10 },
  { id: 'created_10_rooms', name: 'Architect', description: 'Create 10 rooms', metric: 'roomsCreated', threshold: 10, reward: 100 },
  { id: 'joined_10_rooms', name: 'Explorer', description: 'Join 10 rooms', metric: 'roomsJoined', threshold: 10, reward: 25 },
  { id: 'first_gift', name: 'Generous', description: 'Send your first gift', metric: 'giftsSent', threshold: 1, reward: 10 },
  { id: 'gifted_500_tokens', name: 'Patron', description: 'Gift 500 tokens in total', metric: 'tokensGifted', threshold: 500, reward: 100 },
  { id: 'first_gift_received', name: 'Appreciated', description: 'Receive your first gift', metric: 'giftsReceived', threshold: 1, reward: 5 },
  { id: 'streak_7_days', name: 'Regular', description: 'Claim the daily login 7 days in a row', metric: 'longestStreakDays', threshold: 7, reward: 50 },
  { id: 'streak_30_days', name: 'Devoted', description: 'Claim the daily login 30 days in a row', metric: 'longestStreakDays', threshold: 30, reward: 200 },
  { id: 'first_popular_message', name: 'Crowd pleaser', description: 'Write a message that reaches the popular threshold', metric: 'popularMessages', threshold: 1, reward: 25 },
  { id: 'helpful_10', name: 'Helper', description: 'Receive 10 helpful votes', metric: 'helpfulVotesReceived', threshold: 10, reward: 50 },
  { id: 'invited_3_friends', name: 'Recruiter', description: 'Invite 3 friends who became active', metric: 'friendsInvited', threshold: 3, reward: 100 },
  { id: 'earned_1000', name: 'Earner', description: 'Earn 1,000 tokens in total', metric: 'lifetimeEarned', threshold: 1000, reward: 100 },
  { id: 'first_moderation', name: 'Steward', description: 'Become moderator of a room', metric: 'roomsModerated', threshold: 1, reward: 25 },
];

/**
 * Issue 13 (chosen): the streak freeze, a token sink streak users ask for. Protects the login
 * streak for one missed day; used up by the next daily claim after it (docs/shop.md).
 */
const STREAK_FREEZE_ITEM: ShopItem = { id: 'streak_freeze', name: 'Streak freeze', category: 'functional', cost: 30, duration: { kind: 'consumable', per: 'missed_day' } };

/** The seed's PROPOSED spending structure. */
const proposedShop: ShopItem[] = [
  { id: 'custom_avatar_frame', name: 'Custom avatar frame', category: 'appearance', cost: 100, duration: { kind: 'permanent' } },
  { id: 'custom_chat_color', name: 'Custom chat color', category: 'appearance', cost: 50, duration: { kind: 'permanent' } },
  { id: 'animated_emoji', name: 'Animated emoji', category: 'appearance', cost: 150, duration: { kind: 'permanent' } },
  { id: 'profile_badge', name: 'Profile badge', category: 'appearance', cost: 200, duration: { kind: 'permanent' } },
  { id: 'private_room_create', name: 'Private room', category: 'room', cost: 50, duration: { kind: 'consumable', per: 'room' } },
  { id: 'room_customization', name: 'Room customization', category: 'room', cost: 100, duration: { kind: 'consumable', per: 'room' } },
  { id: 'pin_important_message', name: 'Pin an important message', category: 'room', cost: 10, duration: { kind: 'timed', hours: 24 } },
  { id: 'boost_room_visibility', name: 'Boost room visibility', category: 'room', cost: 25, duration: { kind: 'timed', hours: 7 * 24 } },
  { id: 'extra_5gb_storage', name: 'Extra 5 GB storage', category: 'storage', cost: 100, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'increase_file_size_50mb', name: 'File size +50 MB', category: 'storage', cost: 75, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'unlimited_rooms', name: 'Unlimited rooms', category: 'storage', cost: 200, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'priority_video_call', name: 'Priority video call', category: 'communication', cost: 20, duration: { kind: 'consumable', per: 'call' } },
  { id: 'screen_share_quality', name: 'Screen share quality', category: 'communication', cost: 30, duration: { kind: 'consumable', per: 'session' } },
  { id: 'voice_message_premium', name: 'Premium voice messages', category: 'communication', cost: 15, duration: { kind: 'timed', hours: 30 * 24 } },
  STREAK_FREEZE_ITEM,
];

/** The seed's ITEM_COSTS; durations (chosen) follow the matching PROPOSED item where one exists. */
const itemCostsShop: ShopItem[] = [
  { id: 'avatar_frame', name: 'Avatar frame', category: 'cosmetic', cost: 150, duration: { kind: 'permanent' } },
  { id: 'chat_color', name: 'Chat color', category: 'cosmetic', cost: 100, duration: { kind: 'permanent' } },
  { id: 'custom_emoji', name: 'Custom emoji', category: 'cosmetic', cost: 200, duration: { kind: 'permanent' } },
  { id: 'private_room', name: 'Private room', category: 'functional', cost: 75, duration: { kind: 'consumable', per: 'room' } },
  { id: 'file_storage_5gb', name: 'File storage +5 GB', category: 'functional', cost: 200, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'increased_file_size', name: 'Increased file size', category: 'functional', cost: 150, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'tier_upgrade', name: 'Tier upgrade', category: 'premium', cost: 500, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'priority_support', name: 'Priority support', category: 'premium', cost: 300, duration: { kind: 'timed', hours: 30 * 24 } },
  { id: 'custom_theme', name: 'Custom theme', category: 'premium', cost: 400, duration: { kind: 'permanent' } },
  STREAK_FREEZE_ITEM,
];

const noFeatures = {
  customAvatar: false,
  badgeDisplay: false,
  priorityInRooms: false,
  privateRooms: false,
  advancedEmojiReactions: false,
  prioritySupport: false,
  exclusiveFeatures: false,
  customThemes: false,
  videoCallPriority: false,
};

export const currentPreset: EconomyConfig = {
  preset: 'current',
  activities: {
    registration: { tokens: 10, per: 'account' },
    create_room: { tokens: 10, per: 'unlimited' },
    join_room: { tokens: 5, per: 'room' },
    send_message: { tokens: 1, per: 'unlimited' },
    share_file: { tokens: 3, per: 'unlimited' },
    daily_login: { tokens: 10, per: 'day' },
    weekly_streak: { tokens: 50, per: 'week' },
    monthly_active: { tokens: 200, per: 'month' },
    invite_friend: { tokens: 25, per: 'friend' },
    receive_gift: { tokens: 1, per: 'gift' },
    room_moderator: { tokens: 100, per: 'room' },
    popular_message: { tokens: 5, per: 'message', reactionThreshold: 10 },
    helpful_content: { tokens: 10, per: 'voter' },
    media_shared: { tokens: 2, per: 'file', viewThreshold: 10 },
  },
  caps: {
    activityDailyEvents: {
      registration: null,
      create_room: null,
      join_room: 10,
      send_message: 100,
      share_file: 20,
      daily_login: null,
      weekly_streak: null,
      monthly_active: null,
      invite_friend: null,
      receive_gift: null,
      room_moderator: null,
      popular_message: null,
      helpful_content: null,
      media_shared: null,
    },
    dailyTotalTokens: 500,
    weeklyTotalTokens: 3000,
  },
  multipliers: {
    streak: [
      { days: 3, multiplier: 1.1 },
      { days: 7, multiplier: 1.25 },
      { days: 14, multiplier: 1.5 },
      { days: 30, multiplier: 2.0 },
    ],
    tier: { bronze: 1.0, silver: 1.1, gold: 1.25, platinum: 1.5 },
    event: { weekend: { enabled: true, multiplier: 1.2 }, holiday: 1.5, specialEvent: 2.0, windows: [] },
    maxCombined: 3.0, // (chosen)
  },
  tiers: {
    basis: 'lifetimeEarned', // (chosen, issue 9) the seed reads the balance; docs/economy.md says why not
    thresholds: { bronze: 0, silver: 100, gold: 500, platinum: 1000 },
    benefits: {
      bronze: { giftLimitDaily: 50, storageGb: 1, roomsMax: 10, fileSizeMb: 10, badge: '🥉', features: { ...noFeatures } },
      silver: {
        giftLimitDaily: 200,
        storageGb: 5,
        roomsMax: 50,
        fileSizeMb: 25,
        badge: '🥈',
        features: { ...noFeatures, customAvatar: true, badgeDisplay: true, priorityInRooms: true },
      },
      gold: {
        giftLimitDaily: 500,
        storageGb: 25,
        roomsMax: 100,
        fileSizeMb: 50,
        badge: '🥇',
        features: { ...noFeatures, customAvatar: true, badgeDisplay: true, priorityInRooms: true, privateRooms: true, advancedEmojiReactions: true, prioritySupport: true },
      },
      platinum: {
        giftLimitDaily: null,
        storageGb: 100,
        roomsMax: null,
        fileSizeMb: 100,
        badge: '💎',
        features: {
          customAvatar: true,
          badgeDisplay: true,
          priorityInRooms: true,
          privateRooms: true,
          advancedEmojiReactions: true,
          prioritySupport: true,
          exclusiveFeatures: true,
          customThemes: true,
          videoCallPriority: true,
        },
      },
    },
  },
  achievements,
  shop: proposedShop,
  refundPolicy: {
    permanentPercent: 0,
    timed: { fullWithinMinutes: 60, fullPercent: 100, partialWithinMinutes: 24 * 60, partialPercent: 50, afterPercent: 0 },
    unusedPercent: 90,
  },
  // Vesting off in "current" (the seed has none); on in "recommended" (docs/gifts.md).
  // comboWindowSeconds (chosen, issue 13): 10 s between two gifts keeps a combo going.
  gifts: { maxPerDay: 10, messageMaxChars: 280, amountMin: 1, receiveBonusPercentOfGift: 0, receivedHoldHours: 0, newAccountDays: 0, newAccountDailyTokens: 50, comboWindowSeconds: 10 },
  roomRewards: {
    dailyBudgetTokens: 200,
    maxPerRewardTokens: 50,
    reasonMaxChars: 200,
    // (chosen, issue 9) across all rooms: whatever the number of rooms, one recipient gets at
    // most 200 a day and one granter gives at most 400 a day. Room age/quorum off in "current".
    recipientDailyTokens: 200,
    granterDailyTokens: 400,
    roomMinAgeHours: 0,
    roomMinActiveMembers: 0,
  }, // (chosen)
  // (chosen, issue 9) "current": only invite links exclude a peer (addresses are linked only when
  // multipleAccounts is on, which it is not here); "recommended" adds age and activity.
  peerAwards: { minAccountAgeHours: 0, minMessagesSent: 0, excludeLinkedAccounts: true },
  pin: { digits: 4, maxFailures: 5, lockMinutes: 15, failureWindowMinutes: 15 },
  referral: { activeMinMessages: 5, activeMinDailyLogins: 1, activeWithinDays: 30 }, // (chosen)
  monthlyActive: { minDays: 20 }, // (chosen)
  antiAbuse: {
    penalties: [
      { offense: 'first', action: 'warning', durationHours: null },
      { offense: 'second', action: 'earning_suspension', durationHours: 24 },
      { offense: 'third', action: 'token_reset', durationHours: null },
      { offense: 'severe', action: 'account_ban', durationHours: null },
    ],
    // The seed gives no numbers for these: off in "current", on in "recommended" (docs/anti-abuse.md).
    fakeActivity: { minMessageIntervalMs: 0, duplicateWindowMs: 0 },
    multipleAccounts: { accountsPerIpDaily: null },
  },
  decay: { enabled: false, inactiveDays: 30, percentPerWeek: 5 },
  // Issue 13 (market): a 5% sale fee to the sink, listings for 3 days (chosen; docs/market.md).
  market: { feePercent: 5, listingTtlHours: 72, priceBounds: { default: { min: 1, max: 100_000 }, items: {} } },
  // Issue 13 (seasons and goals), chosen: the seed names seasonal events but no numbers.
  seasons: {
    archiveSize: 100,
    rewardsMaxTokens: 20_000,
    closeCheckSeconds: 60,
    achievements: [
      { id: 'season_top_10', name: 'Top 10 of a season', kind: 'top_rank', threshold: 10 },
      { id: 'season_earned_1000', name: '1,000 tokens in one season', kind: 'earned', threshold: 1000 },
    ],
  },
  goals: { pointsPerGiftToken: 1, pointsPerMessage: 1, pointsPerFile: 5, levels: 4, levelExtendSeconds: 120, topContributors: 5 },
  streakFreeze: { maxHeld: 2 }, // (chosen, issue 13)
};

/** The seed's "Recommended Starting Values": achievements pay 50-500 there, so rewards are clamped. */
export const recommendedPreset: EconomyConfig = {
  ...currentPreset,
  preset: 'recommended',
  activities: {
    ...currentPreset.activities,
    registration: { tokens: 50, per: 'account' },
    create_room: { tokens: 15, per: 'unlimited' },
    invite_friend: { tokens: 100, per: 'friend' },
    weekly_streak: { tokens: 100, per: 'week' },
  },
  caps: {
    ...currentPreset.caps,
    activityDailyEvents: { ...currentPreset.caps.activityDailyEvents, send_message: 50, share_file: 30 },
  },
  achievements: achievements.map((a) => ({ ...a, reward: Math.min(500, Math.max(50, a.reward)) })),
  shop: itemCostsShop,
  gifts: { ...currentPreset.gifts, receivedHoldHours: 72, newAccountDays: 7, newAccountDailyTokens: 20 },
  roomRewards: { ...currentPreset.roomRewards, recipientDailyTokens: 100, granterDailyTokens: 200, roomMinAgeHours: 24, roomMinActiveMembers: 3 },
  peerAwards: { minAccountAgeHours: 24, minMessagesSent: 5, excludeLinkedAccounts: true },
  antiAbuse: {
    ...currentPreset.antiAbuse,
    fakeActivity: { minMessageIntervalMs: 1000, duplicateWindowMs: 600_000 },
    multipleAccounts: { accountsPerIpDaily: 3 },
  },
};

// Economy simulator (issue 14): the `balanced` preset, found with `npm run simulate` (sim/).
/**
 * Achievement rewards of `balanced`: one-time prizes small enough that the week a milestone falls
 * in stays inside the seed's 200-300 (average) and 500-1,000 (power) tokens per week; the seed's
 * own three (first_100_messages, first_50_files, created_10_rooms) included.
 */
const balancedAchievementRewards: Readonly<Record<string, number>> = {
  first_message: 5,
  first_100_messages: 20,
  first_1000_messages: 50,
  first_file: 5,
  first_50_files: 10,
  first_room: 10,
  created_10_rooms: 50,
  joined_10_rooms: 10,
  first_gift: 10,
  gifted_500_tokens: 50,
  first_gift_received: 5,
  streak_7_days: 10,
  streak_30_days: 30,
  first_popular_message: 25,
  helpful_10: 50,
  invited_3_friends: 100,
  earned_1000: 20,
  first_moderation: 25,
};

/**
 * `balanced`: the recommended values, corrected until the simulation meets every seed target it
 * can measure (docs/economy.md, "The balanced preset"). What moves: multipliers bounded to x1.1
 * in all, so a base week of 217 tokens stays under 300; weekly_streak and monthly_active small
 * enough not to spike a week; tiers by lifetime earned, so spending does not demote; registration
 * back to 10; a fourth cosmetic so a cosmetic every 2 weeks has something to buy for 8 weeks.
 */
export const balancedPreset: EconomyConfig = {
  ...recommendedPreset,
  preset: 'balanced',
  activities: {
    ...recommendedPreset.activities,
    registration: { tokens: 10, per: 'account' },
    weekly_streak: { tokens: 20, per: 'week' },
    monthly_active: { tokens: 30, per: 'month' },
  },
  multipliers: { ...recommendedPreset.multipliers, maxCombined: 1.1 },
  tiers: { ...recommendedPreset.tiers, basis: 'lifetimeEarned' },
  achievements: achievements.map((a) => ({ ...a, reward: balancedAchievementRewards[a.id] ?? a.reward })),
  shop: [...itemCostsShop, { id: 'profile_badge', name: 'Profile badge', category: 'cosmetic', cost: 200, duration: { kind: 'permanent' } }],
};

export const PRESETS: Readonly<Record<EconomyConfig['preset'], EconomyConfig>> = {
  current: currentPreset,
  recommended: recommendedPreset,
  balanced: balancedPreset,
};
