import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';
import type { AppMetrics } from './metrics.js';

/**
 * Who may read `/metrics`: the balance totals and traffic of the economy are not public. With
 * METRICS_TOKEN, a request must carry `Authorization: Bearer <token>`; without it, only a
 * METRICS_PORT listener serves the metrics (reachable where the operator binds it).
 */
export function authorized(token: string | undefined, header: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Answers one scrape: 401 without the token, else the registry in Prometheus text format. */
export async function serveMetrics(m: AppMetrics, token: string | undefined, header: string | undefined): Promise<{ status: number; type: string; body: string }> {
  if (!authorized(token, header)) {
    const err = new AppError('UNAUTHENTICATED', 'Send Authorization: Bearer <METRICS_TOKEN>');
    return { status: err.status, type: 'application/json', body: JSON.stringify({ error: err.toBody() }) };
  }
  return { status: 200, type: m.registry.contentType, body: await m.registry.metrics() };
}

/** Where the metrics are served, decided from the config (docs/operations.md). */
export type MetricsExposure = { on: 'none' } | { on: 'main' } | { on: 'port'; port: number; host: string };

export function metricsExposure(config: Pick<AppConfig, 'metricsPort' | 'metricsHost' | 'metricsToken'>): MetricsExposure {
  if (config.metricsPort !== undefined) return { on: 'port', port: config.metricsPort, host: config.metricsHost };
  if (config.metricsToken !== undefined) return { on: 'main' };
  return { on: 'none' };
}

/** The METRICS_PORT listener: `GET /metrics` only, everything else 404. */
export async function startMetricsListener(m: AppMetrics, exposure: { port: number; host: string }, token: string | undefined): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      const err = new AppError('ROUTE_NOT_FOUND', 'Only GET /metrics here');
      res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.toBody() }));
      return;
    }
    serveMetrics(m, token, req.headers.authorization).then(
      (r) => res.writeHead(r.status, { 'content-type': r.type }).end(r.body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(exposure.port, exposure.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
