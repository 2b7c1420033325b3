import type { Router } from 'express';
import { id, shopPurchaseBody, shopRefundBody } from '../../shared/schemas.js';
import { assertAdmin, assertSelfOrAdmin, authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { prioritySupportList } from './support.js';

/**
 * `GET /api/shop/items[/:category]`, `POST /api/shop/purchase` (201, or 200 with `duplicate: true`
 * on a repeated requestId), `GET /api/shop/owned/:userId` (self or admin), `POST /api/shop/refund`,
 * `GET /api/shop/purchases/:purchaseId/refund` (the refund quote, ITEM_USED included; issue 9),
 * `GET /api/admin/support/priority` (admins: users with active priority_support).
 */
function shopRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.get('/shop/items', auth, async (_req, res) => {
    res.json({ items: await ctx.shop.items() });
  });
  api.get('/shop/items/:category', auth, async (req, res) => {
    const category = parseOrThrow(id, req.params['category'], false);
    res.json({ category, items: await ctx.shop.items(category) });
  });
  api.post('/shop/purchase', auth, async (req, res) => {
    const body = parseOrThrow(shopPurchaseBody, req.body);
    const result = await ctx.shop.purchase(authOf(req).userId, body);
    res.status(result.duplicate ? 200 : 201).json(result);
  });
  api.get('/shop/owned/:userId', auth, async (req, res) => {
    const userId = parseOrThrow(id, req.params['userId'], false);
    assertSelfOrAdmin(req, userId);
    res.json(await ctx.shop.owned(userId));
  });
  api.get('/shop/purchases/:purchaseId/refund', auth, async (req, res) => {
    const purchaseId = parseOrThrow(id, req.params['purchaseId'], false);
    res.json(await ctx.shop.refundQuote(authOf(req).userId, purchaseId));
  });
  api.post('/shop/refund', auth, async (req, res) => {
    const body = parseOrThrow(shopRefundBody, req.body);
    res.json(await ctx.shop.refund(authOf(req).userId, body));
  });
  api.get('/admin/support/priority', auth, async (req, res) => {
    assertAdmin(req);
    res.json({ users: await prioritySupportList(ctx) });
  });
}

export const shopFeature: Feature = { name: 'shop', routes: shopRoutes };
