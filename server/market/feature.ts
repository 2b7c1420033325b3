import type { Router } from 'express';
import { id } from '../../shared/schemas.js';
import { marketBuyBody, marketHistoryQuery, marketListBody, marketListingsQuery, marketWatchPayload } from '../../shared/market.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { EventRegistry } from '../realtime/event-registry.js';
import { roomChannel } from '../realtime/channels.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { MARKET_FEED } from './service.js';

const itemId = marketListingsQuery.shape.itemId.unwrap();

/**
 * The market's routes (issue 13, docs/market.md): `POST /api/market/listings` (201, or 200 with
 * `duplicate: true` on a repeated requestId), `GET /api/market/listings`, `GET
 * /api/market/listings/:id`, `DELETE /api/market/listings/:id` (seller or admin), `POST
 * /api/market/listings/:id/buy` (PIN), `GET /api/market/items/:itemId/history`.
 */
function marketRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.post('/market/listings', auth, async (req, res) => {
    const body = parseOrThrow(marketListBody, req.body);
    const result = await ctx.market.list(authOf(req).userId, body);
    res.status(result.duplicate ? 200 : 201).json(result);
  });
  api.get('/market/listings', auth, async (req, res) => {
    const q = parseOrThrow(marketListingsQuery, req.query);
    res.json(await ctx.market.browse(q));
  });
  api.get('/market/listings/:id', auth, async (req, res) => {
    const listingId = parseOrThrow(id, req.params['id'], false);
    res.json({ listing: await ctx.market.get(listingId) });
  });
  api.delete('/market/listings/:id', auth, async (req, res) => {
    const listingId = parseOrThrow(id, req.params['id'], false);
    const caller = authOf(req);
    res.json({ listing: await ctx.market.cancel(caller.userId, listingId, caller.role === 'admin') });
  });
  api.post('/market/listings/:id/buy', auth, async (req, res) => {
    const listingId = parseOrThrow(id, req.params['id'], false);
    const body = parseOrThrow(marketBuyBody, req.body);
    const result = await ctx.market.buy(authOf(req).userId, listingId, body);
    res.status(result.duplicate ? 200 : 201).json(result);
  });
  api.get('/market/items/:itemId/history', auth, async (req, res) => {
    const item = parseOrThrow(itemId, req.params['itemId'], false);
    const q = parseOrThrow(marketHistoryQuery, req.query);
    res.json(await ctx.market.history(item, q.limit));
  });
}

/**
 * `market:watch {watch}`: this socket starts (or stops) receiving `market:listed`, `market:sold`
 * and `market:closed`. Per socket, not per user: a tab that shows the market subscribes. After a
 * reconnect the client subscribes again (like joining rooms).
 */
function marketEvents(registry: EventRegistry): void {
  registry.on('market:watch', marketWatchPayload, async (socket, payload) => {
    if (payload.watch) await socket.join(roomChannel(MARKET_FEED));
    else await socket.leave(roomChannel(MARKET_FEED));
    return { watching: payload.watch };
  });
}

export const marketFeature: Feature = { name: 'market', routes: marketRoutes, events: marketEvents };
