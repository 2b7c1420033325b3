import type { Router } from 'express';
import { setPinBody } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';

/** `POST /api/tokens/pin {password, pin}`: sets or changes the caller's transaction PIN. */
export function pinRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const guard = ctx.pins;
  api.post('/tokens/pin', auth, async (req, res) => {
    const body = parseOrThrow(setPinBody, req.body);
    await guard.set(authOf(req).userId, body.password, body.pin);
    res.json({ pinSet: true });
  });
}

export const pinFeature: Feature = { name: 'pin', routes: pinRoutes };
