import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { pinoHttp } from 'pino-http';
import proxyaddr from 'proxy-addr';
import { Server } from 'socket.io';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config/env.js';
import type { AppContext } from './context.js';
import { systemClock, type Clock } from './lib/clock.js';
import { newId } from './lib/ids.js';
import { createLogger, type Logger } from './lib/logger.js';
import { AppError } from './lib/app-error.js';
import { createTokenService } from './auth/jwt.js';
import { resolveJwtSecret } from './auth/secret.js';
import { openBackend, type Backend } from './stores/backend.js';
import { composeServices, type ServiceParts } from './compose-services.js';
import { createStores } from './stores/create-stores.js';
import { createRedis, waitReady } from './redis.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { EventRegistry } from './realtime/event-registry.js';
import { userChannel } from './realtime/channels.js';
import type { AppServer } from './realtime/types.js';
import { features } from './features.js';
import { EconomyConfigHolder } from './economy/config/holder.js';
import { createCounters } from './caps/index.js';
import { createBalanceNotifier } from './earning/balance-notifier.js';
import { followPeerReloads, reloadEconomyEverywhere } from './earning/reload.js';
import { catalogueChangeNotices, followCatalogueChanges } from './shop/catalogue-changes.js';
import { followStandingChanges, standingChangeNotices } from './abuse/standing-changes.js';
import { redisStreamsAdapter } from './realtime/streams-adapter.js';
import { writeQueuedPacketsTogether } from './realtime/ws-write-batching.js';
import { socketBroadcaster } from './realtime/broadcaster.js';
import { announcePresence } from './realtime/presence-feature.js';
import { guardRecoveredSessions } from './realtime/recovery-guard.js';
// Operators (issue 12): metrics, API reference, admin tools
import { recordRoutes, type RecordedRoute } from './http/route-recorder.js';
import { installApiDocs } from './http/api-docs/install.js';
import { createMetrics, eventObserver, httpMetrics, installHealthGauges, ledgerObserver, metricsExposure, serveMetrics, startMetricsListener } from './metrics/index.js';
import { applyBrowserAccess, createOriginPolicy, socketBrowserAccess } from './http/browser-access.js';
import { httpRateLimits } from './http/rate-limit.js';
import { limitSocketEvents, takeSocketSlot } from './realtime/rate-limit.js';
import { memorySessionRevocations, redisSessionRevocations } from './auth/sessions.js';
import { armSessionExpiry, sessionGuard } from './realtime/session-expiry.js';
// Issue 13 (seasons and goals)
import { startSeasonSweeper } from './seasons/sweeper.js';
// Web client (issue 11): the built SPA in web/dist.
import { serveWebClient } from './web-client/static.js';
// Issue 13 (market)
import { startMarketSweep } from './market/sweep.js';

export interface StartOptions {
  config: AppConfig;
  clock?: Clock;
  logger?: Logger;
  /** For tests: rules to use instead of the real ones (see ServiceParts['replace'], server/compose-services.ts). */
  replace?: ServiceParts['replace'];
}

export interface RunningApp {
  /** What features see (server/context.ts). */
  ctx: AppContext;
  /**
   * The transport's own parts, for main.ts and tests (inspecting the SQLite file, cutting Redis,
   * counting sockets); features and services never see them.
   */
  backend: Backend;
  redis: Redis | null;
  io: AppServer;
  http: HttpServer;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** The METRICS_PORT listener's port, when one is configured (docs/operations.md). */
  metricsPort: number | null;
  /** Every route registered, as recorded for the API reference (server/http/route-recorder.ts). */
  routes: readonly RecordedRoute[];
  /** The client->server events registered (the AsyncAPI document's source). */
  events: EventRegistry;
  /** Graceful stop: refuse new work, close sockets, let in-flight writes finish, close stores. */
  close(): Promise<void>;
}

/**
 * Builds and starts one server node: stores, Redis (when configured), HTTP routes, Socket.IO with
 * its auth middleware, and every feature in server/features.ts.
 */
export async function startApp(opts: StartOptions): Promise<RunningApp> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Per app, never prom-client's global registry: a process may run several nodes (tests).
  const metrics = createMetrics();

  // First, so an invalid economy config stops the process before anything opens.
  const economy = new EconomyConfigHolder({ preset: config.economyPreset, overridesFile: config.economyOverridesFile });
  const { secret } = resolveJwtSecret(config.jwtSecret, config.dataDir);
  const tokens = createTokenService(secret, config.jwtTtlSeconds, () => clock.now());
  const backend = await openBackend(config, logger);
  const stores = await createStores(backend);

  const redisClients: Redis[] = [];
  let redis: Redis | null = null;
  if (config.redisUrl) {
    redis = createRedis(config.redisUrl, logger, 'app');
    // The Socket.IO adapter's publisher; the adapter duplicates its own readers (server/realtime/streams-adapter.ts).
    const pub = createRedis(config.redisUrl, logger, 'io-pub');
    redisClients.push(redis, pub);
    await Promise.all(redisClients.map((c) => waitReady(c, 5000)));
  }

  // Sessions (issue 9): logouts and password changes, shared like the other counters.
  const onSessionsOutage = (err: unknown): void => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'session revocations unreadable: answering from this node');
  const sessions = redis ? redisSessionRevocations(redis, config.redisPrefix, onSessionsOutage) : (stores.embedded?.sessions ?? memorySessionRevocations());

  const app = express();
  const http = createServer(app);
  // One origin rule for REST and Socket.IO (CORS_ORIGINS; default same origin only).
  const originPolicy = createOriginPolicy(config.corsOrigins);
  const io: AppServer = new Server(http, {
    maxHttpBufferSize: Math.max(config.messageBodyMaxBytes * 2, 64 * 1024),
    ...socketBrowserAccess(originPolicy),
    // Issue 10: a client back within this gap gets the events it missed, once; the middlewares
    // run again (token and bans re-checked, room channels refreshed by beforeConnect hooks).
    ...(config.recoveryMaxDisconnectionMs > 0
      ? { connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMaxDisconnectionMs, skipMiddlewares: false } }
      : {}),
  });
  // The adapter's own reading clients (it makes them as it goes), closed with the node.
  let streamReaders: readonly Redis[] = [];
  if (redisClients.length === 2) {
    const { adapter, readers } = redisStreamsAdapter(redisClients[1]!, config.redisPrefix, logger);
    io.adapter(adapter);
    streamReaders = readers;
  }

  // Every service, in dependency order, from explicit parts (server/compose-services.ts). The
  // Socket.IO server and Redis stay here: services get the broadcaster and narrow ports.
  writeQueuedPacketsTogether(io);
  const broadcast = socketBroadcaster(io);
  const reloadDeps = { economy, logger, io, redis };
  const ctx: AppContext = composeServices({
    config, clock, newId, logger, metrics, economy, tokens, stores, redis, sessions,
    counters: createCounters(redis, config.redisPrefix, stores.embedded?.counters ?? null),
    broadcast,
    notifier: createBalanceNotifier({ broadcast, economy, logger }),
    reloadEconomy: (trigger) => reloadEconomyEverywhere(reloadDeps, trigger),
    catalogueChanges: catalogueChangeNotices(reloadDeps),
    standingChanges: standingChangeNotices(reloadDeps),
    ledgerOptions: { observer: ledgerObserver(metrics) },
    ...(opts.replace ? { replace: opts.replace } : {}),
  });
  const { ledger, authenticate } = ctx;
  // Issue 13 (market): expired listings closed and crashed sales completed in the background.
  const marketSweep = startMarketSweep(ctx.market, logger);
  // Issue 13 (seasons and goals): ended seasons close on their own (closing twice pays once).
  const seasonSweeper = startSeasonSweeper(ctx.seasons, economy.current.seasons.closeCheckSeconds * 1000, logger);
  installHealthGauges(metrics, { io, redis, stores: stores.records });
  if (config.recoveryMaxDisconnectionMs > 0) guardRecoveredSessions(io, ctx);
  // Users whose node died (their presence entries expired) are announced offline by a live node.
  ctx.presence.start((userIds) => {
    for (const userId of userIds) void announcePresence(ctx, userId, false);
  });
  followPeerReloads(reloadDeps);
  followCatalogueChanges(reloadDeps, ctx.shopCatalogue);
  followStandingChanges(reloadDeps, ctx.abuse.gate);

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  applyBrowserAccess(app, originPolicy);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) ?? randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
    }),
  );
  app.use(httpMetrics(metrics));
  app.use(express.json({ limit: config.jsonBodyMaxBytes }));
  const exposure = metricsExposure(config);
  if (exposure.on === 'main') {
    app.get('/metrics', async (req, res) => {
      const r = await serveMetrics(metrics, config.metricsToken, req.headers.authorization);
      res.status(r.status).type(r.type).send(r.body);
    });
  }
  // Every route is recorded as it is registered: the API reference is generated from this list.
  const routes: RecordedRoute[] = [];
  const recordedApp = recordRoutes(app, '', routes);
  recordedApp.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  recordedApp.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await stores.records.ping();
      checks['store'] = 'ok';
    } catch {
      checks['store'] = 'down';
    }
    if (redis) checks['redis'] = redis.status === 'ready' ? 'ok' : 'down';
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ ok, checks });
  });

  const api = express.Router();
  const registry = new EventRegistry(logger, eventObserver(metrics));
  const recordedApi = recordRoutes(api, '/api', routes);
  for (const feature of features) {
    feature.routes?.(recordedApi, ctx);
    feature.events?.(registry, ctx);
  }
  // Rate limits at the transports (issue 9): before any route or event handler runs.
  app.use('/api', httpRateLimits(ctx.rateLimits, tokens));
  registry.guardAll(sessionGuard(clock));
  limitSocketEvents(registry, ctx.rateLimits);
  installApiDocs(recordedApi, { routes, registry });
  app.use('/api', api);
  // Web client (issue 11): after the API so it never shadows a route; before the JSON 404.
  serveWebClient(app);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  io.use(async (socket, next) => {
    const raw: unknown = socket.handshake.auth?.['token'];
    try {
      if (typeof raw !== 'string' || raw.length === 0) throw new AppError('UNAUTHENTICATED');
      socket.data.auth = await authenticate(raw);
      // The same client-address rule as HTTP's req.ip (TRUST_PROXY), so sockets and requests agree.
      socket.data.ip = proxyaddr(socket.request, app.get('trust proxy fn') as (addr: string, i: number) => boolean);
      // One of the user's SOCKETS_PER_USER_MAX slots, given back on disconnect or a refusal below.
      const giveSlotBack = await takeSocketSlot(socket, ctx.rateLimits);
      try {
        // Before `next()`, so whatever a feature sets up here is in place when the client sees `connect`.
        for (const feature of features) await feature.beforeConnect?.(socket, ctx);
      } catch (err) {
        giveSlotBack();
        throw err;
      }
      armSessionExpiry(socket, clock);
      next();
    } catch (err) {
      const appErr = err instanceof AppError ? err : new AppError('INTERNAL');
      if (!(err instanceof AppError)) logger.error({ err }, 'socket auth or beforeConnect failed');
      // The message names the reason; `data` carries the usual error body.
      next(Object.assign(new Error(appErr.code), { data: appErr.toBody() }));
    }
  });
  io.on('connection', (socket) => {
    void socket.join(userChannel(socket.data.auth.userId));
    registry.attach(socket);
    for (const feature of features) {
      feature.onConnect?.(socket, ctx).catch((err: unknown) => logger.error({ err, feature: feature.name }, 'onConnect failed'));
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const metricsListener = exposure.on === 'port' ? await startMetricsListener(metrics, exposure, config.metricsToken) : null;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      ctx.supply.stop();
      marketSweep.stop(); // Issue 13 (market)
      seasonSweeper.stop();
      metricsListener?.server.close();
      metricsListener?.server.closeAllConnections();
      // In-flight events finish and are acked while their sockets are still open; only then are
      // the sockets closed, so no write is committed without its ack reaching the client.
      registry.refuseNew();
      ctx.presence.stop();
      await Promise.race([registry.drain(), grace]);
      // A connection closes once its pending packets (those last acks) are written; io.close()
      // would discard them, so it waits until the connections are gone (or the grace is up).
      io.disconnectSockets(true);
      await Promise.race([connectionsClosed(io), grace]);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      http.closeIdleConnections();
      await Promise.race([httpClosed, grace]);
      http.closeAllConnections();
      for (const reader of streamReaders) reader.disconnect();
      // QUIT waits for Redis; a dead Redis must not hold the shutdown, so it is bounded.
      await Promise.all(
        redisClients.map(async (c) => {
          await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
          c.disconnect();
        }),
      );
      await ledger.flush();
      await stores.close();
    })();
    return closing;
  };

  return { ctx, backend, redis, io, http, url, port, metricsPort: metricsListener?.port ?? null, routes, events: registry, close };
}

/** Resolves when the Socket.IO engine has no connection left (polled: engine.io has no event for it). */
async function connectionsClosed(io: AppServer): Promise<void> {
  while (io.engine.clientsCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}
