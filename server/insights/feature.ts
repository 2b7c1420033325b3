import type { Request, Router } from 'express';
import { EARNINGS_SERIES_DEFAULT_DAYS } from '../../shared/analytics.js';
import { earningsSeriesQuery, leaderboardQuery } from '../../shared/schemas.js';
import type { AuthClaims } from '../auth/jwt.js';
import { assertAdmin, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { economyAnalytics } from './analytics.js';
import { earningsOverTime } from './earnings-over-time.js';
import { tokenLeaderboard } from './leaderboard.js';

/** Rows on a leaderboard when the caller does not say. */
const LEADERBOARD_DEFAULT_ROWS = 10;

/**
 * The caller when a bearer token is sent, null for an anonymous request. A token that is sent
 * but bad is refused, not read as anonymous: the client would otherwise not learn it is logged out.
 */
async function optionalCaller(req: Request, ctx: AppContext): Promise<AuthClaims | null> {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  if (!header.startsWith('Bearer ')) throw new AppError('UNAUTHENTICATED');
  return ctx.authenticate(header.slice('Bearer '.length).trim());
}

/**
 * `GET /api/leaderboard/tokens?by=earned|balance&limit=`: lifetime earned is public (anonymous
 * callers included); balances are private (`GET /api/tokens/balance/:id` is self-only), so
 * `by=balance` is for admins. `GET /api/admin/analytics`: the economy's metrics, admins only.
 * `GET /api/admin/analytics/earnings?days=N`: earning per UTC day and activity (EarningsOverTime), admins only.
 */
function insightsRoutes(api: Router, ctx: AppContext): void {
  api.get('/leaderboard/tokens', async (req, res) => {
    const caller = await optionalCaller(req, ctx);
    const q = parseOrThrow(leaderboardQuery, req.query, false);
    const by = q.by ?? 'earned';
    if (by === 'balance') {
      if (!caller) throw new AppError('UNAUTHENTICATED');
      if (caller.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins may rank by balance');
    }
    const deps = { ledger: ctx.ledger.queries, users: ctx.stores.users, userSummaries: ctx.userSummaries };
    res.json(await tokenLeaderboard(deps, by, q.limit ?? LEADERBOARD_DEFAULT_ROWS));
  });

  api.get('/admin/analytics', requireAuth(ctx.authenticate), async (req, res) => {
    assertAdmin(req);
    res.json(await economyAnalytics(ctx.ledger.queries, ctx.economy.current, ctx.clock.now()));
  });

  api.get('/admin/analytics/earnings', requireAuth(ctx.authenticate), async (req, res) => {
    assertAdmin(req);
    const q = parseOrThrow(earningsSeriesQuery, req.query, false);
    res.json(await earningsOverTime(ctx.ledger.queries, ctx.clock.now(), q.days ?? EARNINGS_SERIES_DEFAULT_DAYS));
  });
}

/** Token leaderboard and economy analytics (read-only views over the ledger). */
export const insightsFeature: Feature = { name: 'insights', routes: insightsRoutes };
