import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../../shared/errors.js';

/**
 * The Prometheus metrics of one server node, on a registry of its own (never prom-client's
 * global one: tests run several nodes in one process, and each must export only its own).
 * Handles are typed fields so instrumentation points name what they count; the collect-time
 * gauges (sockets, Redis, store) are wired by `installHealthGauges`.
 */
export interface AppMetrics {
  registry: Registry;
  socketEvents: Counter<'event' | 'code'>;
  ackSeconds: Histogram<'event'>;
  httpRequests: Counter<'method' | 'route' | 'status' | 'code'>;
  httpSeconds: Histogram<'method' | 'route'>;
  ledgerCommitEntries: Histogram<'outcome'>;
  ledgerCommitSeconds: Histogram<'outcome'>;
  ledgerEntries: Counter<'kind'>;
  ledgerTokens: Counter<'kind'>;
  awards: Counter<'activity' | 'outcome' | 'reason'>;
  awardedTokens: Counter<'activity'>;
  gifts: Counter;
  purchases: Counter;
  refunds: Counter;
  roomRewards: Counter;
  rateLimitRefusals: Counter<'transport' | 'code'>;
  supplyMinted: Gauge;
  supplyBurned: Gauge;
  supplyCirculating: Gauge;
  supplyInvariantOk: Gauge;
  supplyRefreshedAt: Gauge;
}

/** Refusals that mean "a limit said no" (rather than bad input), counted as rate-limit refusals. */
export const RATE_LIMIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RATE_LIMITED',
  'PIN_LOCKED',
  'GIFT_DAILY_COUNT_EXCEEDED',
  'GIFT_DAILY_ALLOWANCE_EXCEEDED',
  'ROOM_BUDGET_EXHAUSTED',
]);

/** Latency buckets in seconds: sub-millisecond acks up to a slow multi-second commit. */
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Entries per ledger commit; LEDGER_BATCH_MAX_ENTRIES is 100. */
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200];

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    socketEvents: new Counter({ name: 'socketio_events_total', help: 'Client->server socket events by event name and ack outcome (ok or the error code)', labelNames: ['event', 'code'], registers }),
    ackSeconds: new Histogram({ name: 'socketio_ack_duration_seconds', help: 'Time from receiving a socket event to sending its ack', labelNames: ['event'], buckets: LATENCY_BUCKETS_S, registers }),
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by method, route pattern, status and error code (ok when none)', labelNames: ['method', 'route', 'status', 'code'], registers }),
    httpSeconds: new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration by method and route pattern', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS_S, registers }),
    ledgerCommitEntries: new Histogram({ name: 'ledger_commit_entries', help: 'Entries per ledger commit (a batch, or one direct post)', labelNames: ['outcome'], buckets: BATCH_BUCKETS, registers }),
    ledgerCommitSeconds: new Histogram({ name: 'ledger_commit_duration_seconds', help: 'Duration of one ledger commit (one store transaction)', labelNames: ['outcome'], buckets: LATENCY_BUCKETS_S, registers }),
    ledgerEntries: new Counter({ name: 'ledger_entries_total', help: 'Journal entries written, by kind (duplicates and refusals not counted)', labelNames: ['kind'], registers }),
    ledgerTokens: new Counter({ name: 'ledger_tokens_moved_total', help: 'Tokens moved by the journal entries written, by kind', labelNames: ['kind'], registers }),
    awards: new Counter({ name: 'token_awards_total', help: 'Inline earning awards by activity and outcome (granted, partial, refused) and refusal reason', labelNames: ['activity', 'outcome', 'reason'], registers }),
    awardedTokens: new Counter({ name: 'token_awarded_tokens_total', help: 'Tokens granted by inline earning awards, by activity', labelNames: ['activity'], registers }),
    gifts: new Counter({ name: 'token_gifts_total', help: 'Gifts written to the ledger', registers }),
    purchases: new Counter({ name: 'token_purchases_total', help: 'Shop purchases written to the ledger', registers }),
    refunds: new Counter({ name: 'token_refunds_total', help: 'Refunds written to the ledger', registers }),
    roomRewards: new Counter({ name: 'token_room_rewards_total', help: 'Moderator room rewards written to the ledger', registers }),
    rateLimitRefusals: new Counter({ name: 'rate_limit_refusals_total', help: 'Requests and events refused by a limit, by transport and error code', labelNames: ['transport', 'code'], registers }),
    supplyMinted: new Gauge({ name: 'token_supply_minted', help: 'Tokens minted (issuance paid out, plus net admin adjustments when positive)', registers }),
    supplyBurned: new Gauge({ name: 'token_supply_burned', help: 'Tokens burned (held by the sink, plus net admin adjustments when negative)', registers }),
    supplyCirculating: new Gauge({ name: 'token_supply_circulating', help: 'Sum of every user balance', registers }),
    supplyInvariantOk: new Gauge({ name: 'token_supply_invariant_ok', help: '1 when the sum of user balances equals minted minus burned, 0 when not, -1 before the first reading', registers }),
    supplyRefreshedAt: new Gauge({ name: 'token_supply_refreshed_timestamp_seconds', help: 'When the supply gauges were last read from the store (unix seconds)', registers }),
  };
}
