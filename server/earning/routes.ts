import type { Router } from 'express';
import { checkCapBody } from '../../shared/schemas.js';
import { ACTIVITY_IDS, type ActivityId } from '../economy/config/schema.js';
import { capLimitsFor } from '../economy/rules/caps.js';
import { isCapsUnavailable } from '../caps/index.js';
import { assertAdmin, authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';

const isActivity = (a: string): a is ActivityId => (ACTIVITY_IDS as readonly string[]).includes(a);

/** Caps left for the caller, the public economy config, and the admin reload. */
export function earningRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);

  /** What the caller can still earn today for an activity: events, daily and weekly tokens. */
  api.post('/tokens/check-cap', auth, async (req, res) => {
    const { activity } = parseOrThrow(checkCapBody, req.body);
    if (!isActivity(activity)) throw new AppError('UNKNOWN_ACTIVITY', undefined, { activity });
    const at = ctx.clock.now();
    try {
      const result = await ctx.counters.caps.usage({ userId: authOf(req).userId, activity, at, limits: capLimitsFor(activity, ctx.economy.current) });
      res.json({ activity, day: result.day, week: result.week, usage: result.usage, remaining: result.remaining });
    } catch (err) {
      if (isCapsUnavailable(err)) throw new AppError('CAPS_UNAVAILABLE');
      throw err;
    }
  });

  /** Public: the active values, so clients show the same rewards, caps and tiers the server applies. */
  api.get('/economy/config', (_req, res) => {
    res.json({ version: ctx.economy.version, preset: ctx.config.economyPreset, enabled: ctx.config.economyEnabled, config: ctx.economy.current });
  });

  /** Reloads every node (over Redis when configured); the answer is this node's result. */
  api.post('/admin/economy/reload', auth, (req, res) => {
    assertAdmin(req);
    const answer = ctx.reloadEconomy('admin');
    if (!answer.ok) throw new AppError('ECONOMY_CONFIG_INVALID', answer.message, { version: answer.version, issues: answer.issues });
    res.json({ version: answer.version });
  });
}

/** Earning over HTTP; the inline awards themselves live in the handlers of each activity. */
export const earningFeature: Feature = {
  name: 'earning',
  routes: earningRoutes,
};
