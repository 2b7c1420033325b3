import { z } from 'zod';

/**
 * Process configuration from the environment, validated once at start. A bad value stops the
 * process with a message naming the variable (see `loadConfig`). Every limit carries its unit in
 * its name.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGO_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  /** Prefix of every Redis key and channel, so several deployments (or tests) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('tc:'),
  /** HS256 secret; when unset the embedded default generates one under DATA_DIR. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(60 * 60 * 24 * 30).default(60 * 60 * 12),
  /** Usernames (comma separated) that are made admin when they register. */
  ADMIN_USERNAMES: z.string().default(''),
  /**
   * Which proxies to believe for the client address (X-Forwarded-For), in Express's
   * `trust proxy` syntax: `false` (default: the socket peer is the client), `true`, a hop count,
   * or comma-separated addresses/subnets such as `loopback, 10.0.0.0/8`. Behind the compose
   * stack's nginx, set it so the referral and multi-account rules see real client addresses.
   */
  TRUST_PROXY: z.string().regex(/^[A-Za-z0-9.:/,\s-]{1,500}$/).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MESSAGE_BODY_MAX_BYTES: z.coerce.number().int().min(1).max(1024 * 1024).default(16 * 1024),
  JSON_BODY_MAX_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  /** Absolute ceiling for one upload, whatever the tier allows. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).default(100 * 1024 * 1024),
  HISTORY_PAGE_MAX: z.coerce.number().int().min(1).max(500).default(100),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** `current` or `recommended`: the seed's two sets of economy values; `balanced`: the simulator's corrected set (issue 14). */
  ECONOMY_PRESET: z.enum(['current', 'recommended', 'balanced']).default('current'),
  /** Optional JSON file of single-value overrides on top of the preset. */
  ECONOMY_OVERRIDES_FILE: z.string().optional(),
  /** Switches every award off: the server is then a plain relay (used by the benchmark). */
  ECONOMY_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  // Chat essentials (issue 10): edit window, reply quotes, typing, presence, recovery, emoji perk.
  /** How long after sending the author may edit a message. */
  MESSAGE_EDIT_WINDOW_SECONDS: z.coerce.number().int().min(0).max(60 * 60 * 24 * 30).default(15 * 60),
  /** Characters of the parent body quoted in a reply. */
  REPLY_QUOTE_CHARS: z.coerce.number().int().min(1).max(1000).default(120),
  /** How long a `typing` notice lasts without renewal. */
  TYPING_TTL_MS: z.coerce.number().int().min(500).max(60_000).default(5000),
  /** Least time between two relayed `typing` events of one user in one room (across nodes). */
  TYPING_THROTTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** How long a node's presence entries live without its heartbeat: a dead node's users go offline after this. */
  PRESENCE_TTL_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  /** Socket.IO connection state recovery: the longest gap after which missed events are replayed. */
  RECOVERY_MAX_DISCONNECTION_MS: z.coerce.number().int().min(0).max(60 * 60 * 1000).default(2 * 60 * 1000),
  /** Largest `unread` / `mentions` count a room view reports (counting stops there). */
  UNREAD_COUNT_MAX: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Reactions only gold tier and above may use (comma separated); everyday ones (👍 🎉 🔥 …) stay open to all. */
  ADVANCED_EMOJIS: z.string().max(2000).default('🦄,🐉,🪐,🌋,💫,🧿,🪩,🫶'),
  // Operators (server/metrics/, docs/operations.md): where Prometheus scrapes. Neither set = no
  // /metrics anywhere, so the economy's figures are never public by accident.
  /** A separate listener for `GET /metrics` only (on METRICS_HOST); not served on PORT then. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token `GET /metrics` requires (on PORT, or on METRICS_PORT when both are set). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How often the supply gauges re-read the cached balances (never the journal). */
  METRICS_SUPPLY_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),

  // Browser access (issue 10, h10a): browser origins besides the server's own, for REST and Socket.IO.
  /** Comma-separated origins (`https://chat.example.com`) whose pages may call this server; unset: same origin only. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every(isOrigin), 'comma-separated origins such as https://chat.example.com (scheme, host, optional port; no path)'),
  /** Largest avatar upload accepted, before it is resized and re-encoded (issue 10, h10a). */
  AVATAR_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
  // Rate limits (issue 9, server/limits/): refusals are RATE_LIMITED with retryAfterMs. Shared
  // across nodes in Redis when REDIS_URL is set, per process otherwise. Units are in the names.
  REGISTRATIONS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  LOGIN_FAILURES_PER_ADDRESS_MAX: z.coerce.number().int().min(1).default(50),
  LOGIN_FAILURES_PER_USERNAME_MAX: z.coerce.number().int().min(1).default(10),
  LOGIN_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).default(15 * 60_000),
  MESSAGES_PER_USER_PER_SECOND: z.coerce.number().int().min(1).default(5),
  MESSAGE_BURST_PER_USER: z.coerce.number().int().min(0).default(20),
  MESSAGE_BURST_WINDOW_MS: z.coerce.number().int().min(1000).default(10_000),
  SOCKETS_PER_USER_MAX: z.coerce.number().int().min(1).default(20),
  UPLOADS_PER_USER_PER_HOUR: z.coerce.number().int().min(1).default(60),
  GIFTS_PER_USER_PER_SECOND: z.coerce.number().int().min(1).default(2),
  PASSWORD_CHANGES_PER_USER_PER_HOUR: z.coerce.number().int().min(1).default(5),
});

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`. */
function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value;
  } catch {
    return false;
  }
}

/** The rate limits (issue 9): how many of what, per whom, per which window. */
export interface RateLimitConfig {
  registrationsPerAddressPerHour: number;
  loginFailuresPerAddressMax: number;
  loginFailuresPerUsernameMax: number;
  loginFailureWindowMs: number;
  messagesPerUserPerSecond: number;
  /** Messages allowed above the per-second rate within `messageBurstWindowMs`. */
  messageBurstPerUser: number;
  messageBurstWindowMs: number;
  /** Open sockets of one user at once, across nodes. */
  socketsPerUserMax: number;
  uploadsPerUserPerHour: number;
  giftsPerUserPerSecond: number;
  passwordChangesPerUserPerHour: number;
}

export type AppConfig = {
  port: number;
  host: string;
  dataDir: string;
  mongoUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  adminUsernames: string[];
  trustProxy: boolean | number | string;
  logLevel: string;
  messageBodyMaxBytes: number;
  jsonBodyMaxBytes: number;
  uploadMaxBytes: number;
  historyPageMax: number;
  shutdownGraceMs: number;
  economyPreset: 'current' | 'recommended' | 'balanced';
  economyOverridesFile: string | undefined;
  economyEnabled: boolean;
  // Chat essentials (issue 10)
  messageEditWindowSeconds: number;
  replyQuoteChars: number;
  typingTtlMs: number;
  typingThrottleMs: number;
  presenceTtlSeconds: number;
  recoveryMaxDisconnectionMs: number;
  unreadCountMax: number;
  advancedEmojis: string[];
  // Operators (server/metrics/)
  metricsPort: number | undefined;
  metricsHost: string;
  metricsToken: string | undefined;
  metricsSupplyRefreshMs: number;
  /** Browser origins allowed besides the server's own (CORS_ORIGINS); empty: same origin only. */
  corsOrigins: string[];
  avatarUploadMaxBytes: number;
  /** Rate limits (issue 9). */
  rateLimits: RateLimitConfig;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET,
    jwtTtlSeconds: e.JWT_TTL_SECONDS,
    adminUsernames: e.ADMIN_USERNAMES.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    messageBodyMaxBytes: e.MESSAGE_BODY_MAX_BYTES,
    jsonBodyMaxBytes: e.JSON_BODY_MAX_BYTES,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    historyPageMax: e.HISTORY_PAGE_MAX,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    economyPreset: e.ECONOMY_PRESET,
    economyOverridesFile: e.ECONOMY_OVERRIDES_FILE,
    economyEnabled: e.ECONOMY_ENABLED,
    // Chat essentials (issue 10)
    messageEditWindowSeconds: e.MESSAGE_EDIT_WINDOW_SECONDS,
    replyQuoteChars: e.REPLY_QUOTE_CHARS,
    typingTtlMs: e.TYPING_TTL_MS,
    typingThrottleMs: e.TYPING_THROTTLE_MS,
    presenceTtlSeconds: e.PRESENCE_TTL_SECONDS,
    recoveryMaxDisconnectionMs: e.RECOVERY_MAX_DISCONNECTION_MS,
    unreadCountMax: e.UNREAD_COUNT_MAX,
    advancedEmojis: e.ADVANCED_EMOJIS.split(',').map((s) => s.trim()).filter(Boolean),
    // Operators (server/metrics/)
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    metricsToken: e.METRICS_TOKEN,
    metricsSupplyRefreshMs: e.METRICS_SUPPLY_REFRESH_MS,
    corsOrigins: e.CORS_ORIGINS,
    avatarUploadMaxBytes: e.AVATAR_UPLOAD_MAX_BYTES,
    rateLimits: {
      registrationsPerAddressPerHour: e.REGISTRATIONS_PER_ADDRESS_PER_HOUR,
      loginFailuresPerAddressMax: e.LOGIN_FAILURES_PER_ADDRESS_MAX,
      loginFailuresPerUsernameMax: e.LOGIN_FAILURES_PER_USERNAME_MAX,
      loginFailureWindowMs: e.LOGIN_FAILURE_WINDOW_MS,
      messagesPerUserPerSecond: e.MESSAGES_PER_USER_PER_SECOND,
      messageBurstPerUser: e.MESSAGE_BURST_PER_USER,
      messageBurstWindowMs: e.MESSAGE_BURST_WINDOW_MS,
      socketsPerUserMax: e.SOCKETS_PER_USER_MAX,
      uploadsPerUserPerHour: e.UPLOADS_PER_USER_PER_HOUR,
      giftsPerUserPerSecond: e.GIFTS_PER_USER_PER_SECOND,
      passwordChangesPerUserPerHour: e.PASSWORD_CHANGES_PER_USER_PER_HOUR,
    },
  };
}

function parseTrustProxy(raw: string): boolean | number | string {
  const v = raw.trim();
  if (v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
