/**
 * Every knob of the benchmark, with its unit in its name. `defaultSettings` fits the 3-minute
 * budget of `npm run bench`, `quickSettings` the 30-second budget of `--quick` (and the smoke test).
 */
export interface BenchSettings {
  mode: 'default' | 'quick';
  /** Hard ceiling on the whole run; a watchdog stops it past this. */
  budgetMs: number;
  relay: {
    clients: number;
    rooms: number;
    /** Messages per second each client sends (open loop). */
    ratePerClientPerSec: number;
    /** Warm-up before each chunk. */
    warmupMs: number;
    /** The whole measured window per server, cut into `chunks` taken in turns with the other server. */
    measureMs: number;
    chunks: number;
    bodyBytes: number;
  };
  saturation: {
    /** Offered load per step, total messages per second across all clients, ascending. */
    stepRatesPerSec: number[];
    stepWarmupMs: number;
    stepMeasureMs: number;
    /** A step is sustained while p99 send->ack stays at or under this. */
    p99AckLimitMs: number;
  };
  gifts: {
    members: number;
    senders: number;
    /** Each sender sends this many gifts back to back (the server allows 10 a day per sender). */
    giftsPerSender: number;
    amount: number;
    /** Gifts sent one at a time before the storm (one sender each), for the uncontended latency. */
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
  budgetMs: 180_000,
  relay: { clients: 100, rooms: 10, ratePerClientPerSec: 2, warmupMs: 500, measureMs: 12_000, chunks: 4, bodyBytes: 120 },
  saturation: { stepRatesPerSec: [400, 600, 800, 1_000, 1_200, 1_600, 2_000, 2_400, 3_200], stepWarmupMs: 500, stepMeasureMs: 2_500, p99AckLimitMs: 100 },
  gifts: { members: 200, senders: 20, giftsPerSender: 10, amount: 1, soloGifts: 5, fundingAmount: 100 },
  connections: { sockets: 2_000, users: 20, connectConcurrency: 50 },
  ledger: { entries: 5_000, batchSize: 100 },
  economyOverrides: uncappedMessages(),
  drainTimeoutMs: 5_000,
  inFlightPerClientMax: 64,
  registerConcurrency: 8,
};

export const quickSettings: BenchSettings = {
  mode: 'quick',
  budgetMs: 30_000,
  relay: { clients: 12, rooms: 3, ratePerClientPerSec: 3, warmupMs: 300, measureMs: 1_500, chunks: 1, bodyBytes: 120 },
  saturation: { stepRatesPerSec: [400, 1_600], stepWarmupMs: 200, stepMeasureMs: 800, p99AckLimitMs: 100 },
  gifts: { members: 12, senders: 3, giftsPerSender: 3, amount: 1, soloGifts: 2, fundingAmount: 20 },
  connections: { sockets: 300, users: 3, connectConcurrency: 50 },
  ledger: { entries: 500, batchSize: 50 },
  economyOverrides: uncappedMessages(),
  drainTimeoutMs: 2_000,
  inFlightPerClientMax: 64,
  registerConcurrency: 8,
};
