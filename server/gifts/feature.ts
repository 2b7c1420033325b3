import type { Router } from 'express';
import { giftSendPayload } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { EventRegistry } from '../realtime/event-registry.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { pinGuardFor } from '../pin/pin-guard.js';
import { GiftService } from './gift-service.js';
import { createGiftReceipts } from './receipts.js';

const services = new WeakMap<AppContext, GiftService>();

/** One gift service per app, shared by the socket event and the REST route. */
function giftService(ctx: AppContext): GiftService {
  let service = services.get(ctx);
  if (!service) {
    service = new GiftService(ctx, pinGuardFor(ctx), createGiftReceipts(ctx.redis, ctx.config.redisPrefix), ctx.goals);
    services.set(ctx, service);
  }
  return service;
}

/** `POST /api/tokens/gift`: 201 with `{ gift, balance, balanceAsOf, duplicate: false }`, or 200 with `duplicate: true` on a repeated requestId. */
function giftRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.post('/tokens/gift', auth, async (req, res) => {
    const body = parseOrThrow(giftSendPayload, req.body);
    const claims = authOf(req);
    const result = await giftService(ctx).send(claims.userId, body, claims.jti);
    res.status(result.duplicate ? 200 : 201).json(result);
  });
}

/** `gift:send`: the ack carries `{ gift, balance, balanceAsOf }` (the sender's balance right after the gift). */
function giftEvents(registry: EventRegistry, ctx: AppContext): void {
  registry.on('gift:send', giftSendPayload, async (socket, payload) => {
    const { gift, balance, balanceAsOf } = await giftService(ctx).send(socket.data.auth.userId, payload, socket.data.auth.jti);
    return { gift, balance, balanceAsOf };
  });
}

export const giftsFeature: Feature = { name: 'gifts', routes: giftRoutes, events: giftEvents };
