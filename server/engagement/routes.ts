import type { Router } from 'express';
import { claimAchievementBody, id } from '../../shared/schemas.js';
import { tierProgress, tierBasisAmount } from '../economy/rules/tiers.js';
import { AppError } from '../lib/app-error.js';
import { assertSelfOrAdmin, authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import { earningStats, spendingStats } from './stats.js';
import { achievementInfo } from './achievements.js';
import { createShopPerks } from '../shop/perks.js';
import { raiseTier } from '../shop/effects.js';

/**
 * Engagement over REST: the daily claim, achievements (list, a user's, claim), tiers and the
 * earning / spending statistics. Achievements and tiers are public like badges; statistics are
 * self or admin.
 */
export function engagementRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const engagement = ctx.engagement;
  const param = (value: unknown): string => parseOrThrow(id, value, false);
  const knownUser = async (userId: string): Promise<void> => {
    if (!(await ctx.stores.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
  };

  api.post('/tokens/claim-daily', auth, async (req, res) => {
    res.json(await engagement.claimDaily(authOf(req).userId));
  });

  api.get('/achievements/list', auth, (_req, res) => {
    res.json({ achievements: ctx.economy.current.achievements.map(achievementInfo) });
  });

  api.get('/achievements/user/:id', auth, async (req, res) => {
    const userId = param(req.params['id']);
    await knownUser(userId);
    const achievements = await engagement.achievements.viewFor(userId);
    res.json({
      userId,
      unlocked: achievements.filter((a) => a.unlocked).length,
      claimed: achievements.filter((a) => a.claimed).length,
      achievements,
    });
  });

  api.post('/achievements/claim', auth, async (req, res) => {
    const body = parseOrThrow(claimAchievementBody, req.body);
    res.json(await engagement.achievements.claim(authOf(req).userId, body.achievementId));
  });

  api.get('/tokens/tier/:id', auth, async (req, res) => {
    const userId = param(req.params['id']);
    await knownUser(userId);
    const config = ctx.economy.current;
    const account = await ctx.ledger.account(userId);
    const amount = tierBasisAmount({ balance: account.balance, lifetimeEarned: account.totalEarned }, config);
    const p = tierProgress(amount, config);
    // `tier` is the effective tier (raised by active tier_upgrade purchases); the progress is the earned one's.
    const tierUpgrades = (await createShopPerks({ purchases: ctx.purchases, clock: ctx.clock, effects: ctx.shopCatalogue }).tierSteps([userId])).get(userId) ?? 0;
    const tier = raiseTier(p.tier, tierUpgrades);
    const shown = { userId, tier, badge: config.tiers.benefits[tier].badge, benefits: config.tiers.benefits[tier], earnedTier: p.tier, tierUpgrades };
    const self = authOf(req).userId === userId || authOf(req).role === 'admin';
    // Others see the tier and badge; the amounts behind the progress are the user's own business.
    res.json(
      self
        ? { ...shown, basis: config.tiers.basis, amount, next: p.next, nextThreshold: p.nextThreshold, remaining: p.remaining, progress: p.progress }
        : { ...shown, next: p.next, nextThreshold: p.nextThreshold },
    );
  });

  for (const [path, stats] of [['earning-stats', earningStats], ['spending-stats', spendingStats]] as const) {
    api.get(`/tokens/${path}/:id`, auth, async (req, res) => {
      const userId = param(req.params['id']);
      assertSelfOrAdmin(req, userId);
      await knownUser(userId);
      const at = ctx.clock.now();
      res.json({ userId, at: at.toISOString(), ...(await stats(ctx.ledger, userId, at)) });
    });
  }
}
