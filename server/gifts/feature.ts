import type { Router } from 'express';
import { giftSendPayload } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { EventRegistry } from '../realtime/event-registry.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';

/** `POST /api/tokens/gift`: 201 with `{ gift, balance, balanceAsOf, duplicate: false }`, or 200 with `duplicate: true` on a repeated requestId. */
function giftRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.post('/tokens/gift', auth, async (req, res) => {
    const body = parseOrThrow(giftSendPayload, req.body);
    const claims = authOf(req);
    const result = await ctx.gifts.send(claims.userId, body, claims.jti);
    res.status(result.duplicate ? 200 : 201).json(result);
  });
}

/** `gift:send`: the ack carries `{ gift, balance, balanceAsOf }` (the sender's balance right after the gift). */
function giftEvents(registry: EventRegistry, ctx: AppContext): void {
  registry.on('gift:send', giftSendPayload, async (socket, payload) => {
    const { gift, balance, balanceAsOf } = await ctx.gifts.send(socket.data.auth.userId, payload, socket.data.auth.jti);
    return { gift, balance, balanceAsOf };
  });
}

/** Gifts: the node's one GiftService (`ctx.gifts`, built in server/compose-services.ts) behind a route and an event. */
export const giftsFeature: Feature = { name: 'gifts', routes: giftRoutes, events: giftEvents };
