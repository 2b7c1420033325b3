import { z } from 'zod';
import { id, penaltyApplyBody } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { assertAdmin, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import type { AppContext } from '../context.js';
import { ACCOUNTS_PER_IP_LIST_MAX } from './ports.js';
import { runDecay } from './decay.js';

const ipParam = z.object({ ip: z.string().min(1).max(64) });
const userParam = z.object({ userId: id });

/** Accounts registered from `ip`, newest first, with names and ban state: for admins only. */
async function accountsFrom(ctx: AppContext, ip: string) {
  const regs = await ctx.abuse.store.registrationsFrom(ip, ACCOUNTS_PER_IP_LIST_MAX);
  const users = new Map((await ctx.stores.users.findManyByIds(regs.map((r) => r.userId))).map((u) => [u.id, u]));
  return regs.map((r) => {
    const u = users.get(r.userId);
    return { userId: r.userId, username: u?.username ?? null, day: r.day, registeredAt: r.createdAt.toISOString(), banned: Boolean(u?.bannedAt) };
  });
}

/**
 * Anti-abuse admin routes (docs/anti-abuse.md): the penalty ladder, accounts sharing a
 * registration address, and the weekly decay run. Addresses are personal data: every route is
 * admins only.
 */
export const abuseFeature: Feature = {
  name: 'abuse',
  routes(api, ctx) {
    const auth = requireAuth(ctx.authenticate);
    api.post('/admin/penalties', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const body = parseOrThrow(penaltyApplyBody, req.body);
      const { penalty, duplicate } = await ctx.abuse.penalties.apply(admin.userId, body);
      res.status(duplicate ? 200 : 201).json({ penalty, duplicate });
    });
    api.get('/admin/penalties/:userId', auth, async (req, res) => {
      assertAdmin(req);
      const { userId } = parseOrThrow(userParam, req.params);
      if (!(await ctx.stores.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
      res.json(await ctx.abuse.penalties.list(userId));
    });
    // The weekly decay run inside this process: the same job as `npm run economy:decay` (same
    // per-week keys, so the two never decay a user twice), but every decayed user connected to any
    // node is pushed the new balance through the balance notifier, which the CLI cannot do.
    api.post('/admin/economy/decay', auth, async (req, res) => {
      assertAdmin(req);
      const report = await runDecay({
        policy: ctx.economy.current.decay,
        ledger: ctx.ledger,
        users: ctx.stores.users,
        accounts: ctx.abuse.fundedAccounts,
        now: ctx.clock.now(),
        onPosted: (outcome) => ctx.balanceNotifier.posted(outcome),
      });
      res.json(report);
    });
    api.get('/admin/abuse/ip/:ip', auth, async (req, res) => {
      assertAdmin(req);
      const { ip } = parseOrThrow(ipParam, req.params);
      res.json({ ip, accounts: await accountsFrom(ctx, ip) });
    });
    api.get('/admin/abuse/users/:userId', auth, async (req, res) => {
      assertAdmin(req);
      const { userId } = parseOrThrow(userParam, req.params);
      const user = await ctx.stores.users.findById(userId);
      if (!user) throw new AppError('USER_NOT_FOUND');
      const ip = (await ctx.abuse.store.registrationOf(userId))?.ip ?? user.registrationIp;
      res.json({ userId, ip, accounts: ip ? await accountsFrom(ctx, ip) : [] });
    });
  },
};
