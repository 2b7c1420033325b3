/**
 * Every knob of the benchmark, with its unit in its name. `defaultSettings` fits about four
 * minutes of `npm run bench`, `quickSettings` well under a minute of `--quick` (and the smoke test).
 */
export interface BenchSettings {
  mode: 'default' | 'quick';
  /** Hard ceiling on the whole run; a watchdog stops it past this. */
  budgetMs: number;
  relay: {
    clients: number;
    rooms: number;
    /** Messages per second each client sends at the default load (open loop). */
    ratePerClientPerSec: number;
    bodyBytes: number;
  };
  /**
   * The economy's cost (scenario 1): at each offered load, `trials` windows per server taken in
   * turns (relay, economy, then economy, relay, ...); each window gives server CPU-seconds per
   * 1,000 acked messages. The default load (clients x rate) must be one of the loads: its windows
   * pooled are the default-load latency figures.
   */
  cost: {
    loadsPerSec: number[];
    trials: number;
    warmupMs: number;
    measureMs: number;
  };
  saturation: {
    /** Offered load per step, total messages per second across all clients, ascending. */
    stepRatesPerSec: number[];
    /** Climbs per server, taken in turns step by step; the figure is their median. */
    trials: number;
    stepWarmupMs: number;
    stepMeasureMs: number;
    /** A step is sustained while p99 send->ack stays at or under this. */
    p99AckLimitMs: number;
  };
  /**
   * Redis mode (REDIS_URL: counters in Redis, Socket.IO Redis adapter) on one node, and two nodes
   * behind the adapter sharing one data directory: the same figures, fewer loads, so the whole
   * run stays within its budget.
   */
  clusters: {
    /** Redis to use when the bench's environment has no REDIS_URL. */
    redisUrlDefault: string;
    loadsPerSec: number[];
    trials: number;
    saturationTrials: number;
  };
  gifts: {
    members: number;
    senders: number;
    /** Each sender sends this many gifts back to back (the server allows 10 a day per sender). */
    giftsPerSender: number;
    amount: number;
    /** Gifts sent one at a time before the storm by senders whose PIN is already verified (at most one each), for the uncontended latency. */
    soloGifts: number;
    /** Tokens an admin awards each sender first, so they can afford their gifts. */
    fundingAmount: number;
  };
  connections: {
    sockets: number;
    /** Distinct users the sockets authenticate as (several sockets per user, like open tabs). */
    users: number;
    connectConcurrency: number;
  };
  ledger: {
    /** Entries posted per measurement (passed to bench/ledger.ts). */
    entries: number;
    batchSize: number;
    /** Rounds of (single, batched) in turns; the ratio is their median. */
    rounds: number;
  };
  /**
   * Economy overrides (ECONOMY_OVERRIDES_FILE) for the relay/economy servers. The bench's users
   * send far more than a real user's daily message cap within seconds; lifting the caps keeps
   * every message earning, as it does for a user under the cap, so the economy's cost is measured
   * on every message rather than vanishing once the caps are reached.
   */
  economyOverrides: Record<string, unknown>;
  /** Longest wait for outstanding acks and deliveries after a phase stops sending. */
  drainTimeoutMs: number;
  /** Open-loop sending pauses for a client with this many unacknowledged messages. */
  inFlightPerClientMax: number;
  registerConcurrency: number;
}

function uncappedMessages(): Record<string, unknown> {
  return { caps: { activityDailyEvents: { send_message: 1_000_000 }, dailyTotalTokens: 1_000_000, weeklyTotalTokens: 1_000_000 } };
}

export const defaultSettings: BenchSettings = {
  mode: 'default',
  // About 5 minutes on this (slower, 2-core) machine; the watchdog leaves room for a loaded one.
  budgetMs: 450_000,
  relay: { clients: 100, rooms: 10, ratePerClientPerSec: 2, bodyBytes: 120 },
  cost: { loadsPerSec: [200, 600, 1_000], trials: 3, warmupMs: 400, measureMs: 2_000 },
  saturation: { stepRatesPerSec: [200, 300, 450, 600, 800, 1_000, 1_200, 1_500, 1_800, 2_400, 3_000], trials: 3, stepWarmupMs: 300, stepMeasureMs: 1_500, p99AckLimitMs: 100 },
  clusters: { redisUrlDefault: 'redis://127.0.0.1:6379', loadsPerSec: [200], trials: 3, saturationTrials: 2 },
  gifts: { members: 200, senders: 20, giftsPerSender: 10, amount: 1, soloGifts: 10, fundingAmount: 100 },
  connections: { sockets: 2_000, users: 20, connectConcurrency: 50 },
  ledger: { entries: 5_000, batchSize: 100, rounds: 3 },
  economyOverrides: uncappedMessages(),
  drainTimeoutMs: 5_000,
  inFlightPerClientMax: 64,
  registerConcurrency: 8,
};

export const quickSettings: BenchSettings = {
  mode: 'quick',
  budgetMs: 180_000,
  relay: { clients: 12, rooms: 3, ratePerClientPerSec: 3, bodyBytes: 120 },
  cost: { loadsPerSec: [36], trials: 1, warmupMs: 200, measureMs: 800 },
  saturation: { stepRatesPerSec: [400, 1_600], trials: 1, stepWarmupMs: 200, stepMeasureMs: 600, p99AckLimitMs: 100 },
  clusters: { redisUrlDefault: 'redis://127.0.0.1:6379', loadsPerSec: [36], trials: 1, saturationTrials: 1 },
  gifts: { members: 12, senders: 3, giftsPerSender: 3, amount: 1, soloGifts: 2, fundingAmount: 20 },
  connections: { sockets: 300, users: 3, connectConcurrency: 50 },
  ledger: { entries: 500, batchSize: 50, rounds: 1 },
  economyOverrides: uncappedMessages(),
  drainTimeoutMs: 2_000,
  inFlightPerClientMax: 64,
  registerConcurrency: 8,
};
