import type { Router } from 'express';
import { id } from '../../shared/schemas.js';
import { AppError } from '../lib/app-error.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import { profileCosmetics } from '../shop/cosmetics.js';
import { prioritySupportOf } from '../shop/support.js';

/**
 * `GET /api/users/me` (the caller's own account, including the invite code others register with,
 * and the storage they use against their tier's quota)
 * and `GET /api/users/:id` (a public profile: summary with display name, avatar and equipped
 * cosmetics, bio, public key for end-to-end encryption, and the shop cosmetics the user owns).
 */
export function userRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);

  api.get('/users/me', auth, async (req, res) => {
    const me = await ctx.stores.users.findById(authOf(req).userId);
    if (!me) throw new AppError('USER_NOT_FOUND');
    const [summary, storage, prioritySupport, profile] = await Promise.all([
      ctx.userSummaries.fromRecords([me]),
      ctx.fileService.limits.limitFor(me.id),
      prioritySupportOf(ctx, me.id),
      ctx.profiles.get(me.id),
    ]);
    res.json({
      user: {
        ...summary.get(me.id),
        bio: profile.bio,
        role: me.role,
        publicKey: me.publicKey,
        inviteCode: me.inviteCode,
        createdAt: me.createdAt.toISOString(),
      },
      /** Bytes stored by the caller, the quota of their tier (null: unlimited) and the largest upload allowed. */
      storage,
      /** Active priority_support purchase (docs/shop.md): operators see the caller on their priority list until `until`. */
      prioritySupport,
    });
  });

  api.get('/users/:id', auth, async (req, res) => {
    const userId = parseOrThrow(id, req.params['id'], false);
    const user = await ctx.stores.users.findById(userId);
    if (!user) throw new AppError('USER_NOT_FOUND');
    const [summary, cosmetics, profile] = await Promise.all([ctx.userSummaries.fromRecords([user]), profileCosmetics(ctx, user.id), ctx.profiles.get(user.id)]);
    res.json({ user: { ...summary.get(user.id), bio: profile.bio, publicKey: user.publicKey, createdAt: user.createdAt.toISOString(), cosmetics } });
  });
}
