import { Gauge } from 'prom-client';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { AwardService } from '../earning/award-service.js';
import type { LedgerObserver } from '../ledger/ledger-service.js';
import type { EventObserver } from '../realtime/event-registry.js';
import type { AppServer } from '../realtime/types.js';
import type { RecordStores } from '../stores/ports.js';
import { isErrorCode } from '../../shared/errors.js';
import { RATE_LIMIT_CODES, type AppMetrics } from './metrics.js';

/**
 * The instrumentation points: each one is handed to the transport or service it observes, so
 * those modules only gain an optional hook and never import prom-client.
 */

function countRefusal(m: AppMetrics, transport: 'socket' | 'http', code: string): void {
  if (isErrorCode(code) && RATE_LIMIT_CODES.has(code)) m.rateLimitRefusals.inc({ transport, code });
}

/** For the EventRegistry: one count per answered event and its ack latency. */
export function eventObserver(m: AppMetrics): EventObserver {
  return (event, code, seconds) => {
    m.socketEvents.inc({ event, code });
    m.ackSeconds.observe({ event }, seconds);
    countRefusal(m, 'socket', code);
  };
}

/**
 * For the ledger service: commit size and latency, and the economy's counters from what was
 * actually written (posted entries only: a duplicate or a refused debit moved nothing). Counting
 * here, at the ledger, means every gift, purchase, refund and room reward is counted whichever
 * route or event caused it.
 */
export function ledgerObserver(m: AppMetrics): LedgerObserver {
  const byKind: Partial<Record<string, typeof m.gifts>> = { gift: m.gifts, spend: m.purchases, refund: m.refunds, grant: m.roomRewards };
  return (entries, outcomes, seconds) => {
    const outcome = outcomes ? 'committed' : 'failed';
    m.ledgerCommitEntries.observe({ outcome }, entries.length);
    m.ledgerCommitSeconds.observe({ outcome }, seconds);
    for (const o of outcomes ?? []) {
      if (o.status !== 'posted') continue;
      const kind = o.entry.kind;
      m.ledgerEntries.inc({ kind });
      m.ledgerTokens.inc({ kind }, o.entry.legs.reduce((sum, l) => sum + Math.max(l.amount, 0), 0));
      byKind[kind]?.inc();
    }
  };
}

/** Wraps the award pipeline: every outcome counted by activity, outcome and reason. */
export function meterAwards(inner: AwardService, m: AppMetrics): AwardService {
  return {
    async grant(req) {
      const result = await inner.grant(req);
      const outcome = result.granted > 0 ? (result.reason ? 'partial' : 'granted') : 'refused';
      m.awards.inc({ activity: result.activity, outcome, reason: result.reason ?? 'none' });
      if (result.granted > 0) m.awardedTokens.inc({ activity: result.activity }, result.granted);
      return result;
    },
    gateRefusal: (req, at) => inner.gateRefusal(req, at),
  };
}

/**
 * Express middleware: counts each request when it finishes, labelled by the route pattern it
 * matched (`/api/rooms/:id`, never the raw path, so ids do not grow the label set) or
 * `(unmatched)`, and by the error code the error handler set.
 */
export function httpMetrics(m: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : '(unmatched)';
      const code = typeof res.locals['errorCode'] === 'string' ? (res.locals['errorCode'] as string) : 'ok';
      m.httpRequests.inc({ method: req.method, route, status: String(res.statusCode), code });
      m.httpSeconds.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      countRefusal(m, 'http', code);
    });
    next();
  };
}

/** Gauges read at scrape time: connected sockets, Redis link, store reachability. */
export function installHealthGauges(m: AppMetrics, deps: { io: AppServer; redis: Redis | null; stores: Pick<RecordStores, 'ping'> }): void {
  const registers = [m.registry];
  new Gauge({
    name: 'socketio_connected_sockets',
    help: 'Sockets connected to this node',
    registers,
    collect() {
      this.set(deps.io.of('/').sockets.size);
    },
  });
  new Gauge({
    name: 'redis_up',
    help: '1 when this node is connected to Redis, 0 when not, -1 when no Redis is configured',
    registers,
    collect() {
      this.set(deps.redis ? (deps.redis.status === 'ready' ? 1 : 0) : -1);
    },
  });
  new Gauge({
    name: 'store_up',
    help: '1 when the record store answers a ping, 0 when not',
    registers,
    async collect() {
      this.set(await deps.stores.ping().then(() => 1, () => 0));
    },
  });
}
