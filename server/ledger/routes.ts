import type { Router } from 'express';
import { awardBody, id, tokenHistoryQuery } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import { assertAdmin, assertSelfOrAdmin, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { awardTokens } from './award.js';
import { balanceView, historyItem } from './views.js';

/** REST side of the ledger: balances, history, admin awards and the audit. */
export function ledgerRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const param = (value: unknown): string => parseOrThrow(id, value, false);

  /** Authorizes first (403 for others), then 404 for a user that does not exist. */
  const knownUser = async (userId: string): Promise<void> => {
    if (!(await ctx.stores.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
  };

  api.get('/tokens/balance/:id', auth, async (req, res) => {
    const userId = param(req.params['id']);
    assertSelfOrAdmin(req, userId);
    await knownUser(userId);
    res.json(balanceView(userId, await ctx.ledger.account(userId)));
  });

  api.get('/tokens/history/:id', auth, async (req, res) => {
    const userId = param(req.params['id']);
    assertSelfOrAdmin(req, userId);
    const q = parseOrThrow(tokenHistoryQuery, req.query, false);
    await knownUser(userId);
    const limit = Math.min(q.limit ?? 50, ctx.config.historyPageMax);
    const page = await ctx.ledger.history(userId, { limit, ...(q.kind ? { kind: q.kind } : {}), ...(q.before ? { before: q.before } : {}) });
    res.json({ items: page.items.map((e) => historyItem(e, userId)), nextCursor: page.nextCursor });
  });

  api.post('/tokens/award', auth, async (req, res) => {
    const admin = assertAdmin(req);
    const body = parseOrThrow(awardBody, req.body);
    const result = await awardTokens(ctx, admin.userId, body);
    res.status(result.duplicate ? 200 : 201).json({ award: result });
  });

  api.get('/admin/ledger/audit', auth, async (req, res) => {
    assertAdmin(req);
    res.json(await ctx.ledger.audit());
  });
}

/** The token ledger over HTTP. */
export const ledgerFeature: Feature = {
  name: 'ledger',
  routes: ledgerRoutes,
};
