import type { Router } from 'express';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import type { AppContext } from '../context.js';
import { AppError } from '../lib/app-error.js';
import { tierOf } from '../engagement/tier-benefits.js';
import { createShopPerks } from '../shop/perks.js';
import { AvatarStore } from './avatars.js';
import { avatarUrlOf } from '../users/profile-service.js';

/**
 * `POST /api/users/me/avatar` (multipart field `file`) -> 201 `{avatarUrl}`: needs the tier's
 * customAvatar feature (silver and up in both presets), else CUSTOM_AVATAR_NOT_ALLOWED before the
 * body is read. `DELETE /api/users/me/avatar` -> `{avatarUrl: null}` (anyone may remove theirs).
 * `GET /api/avatars/:key` -> the WebP image, public (an `<img>` sends no bearer token) and
 * immutable: a new avatar has a new key.
 */
export function avatarRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const avatars = new AvatarStore(ctx.config.dataDir, ctx.newId);
  const perks = createShopPerks({ purchases: ctx.purchases, clock: ctx.clock, effects: ctx.shopCatalogue });

  api.post('/users/me/avatar', auth, async (req, res) => {
    const userId = authOf(req).userId;
    const { tier, benefits } = await tierOf({ ledger: ctx.ledger, economy: ctx.economy, perks }, userId);
    if (!benefits.features.customAvatar) throw new AppError('CUSTOM_AVATAR_NOT_ALLOWED', undefined, { tier });
    const encoded = await avatars.normalize(await avatars.receive(req, res, ctx.config.avatarUploadMaxBytes));
    const key = await avatars.save(encoded);
    try {
      const { previousAvatarKey } = await ctx.profiles.update(userId, { avatarKey: key });
      await avatars.remove(previousAvatarKey);
    } catch (err) {
      await avatars.remove(key);
      throw err;
    }
    res.status(201).json({ avatarUrl: avatarUrlOf(key) });
  });

  api.delete('/users/me/avatar', auth, async (req, res) => {
    const { previousAvatarKey } = await ctx.profiles.update(authOf(req).userId, { avatarKey: null });
    await avatars.remove(previousAvatarKey);
    res.json({ avatarUrl: null });
  });

  api.get('/avatars/:key', async (req, res) => {
    const bytes = await avatars.read(String(req.params['key']));
    if (!bytes) throw new AppError('FILE_NOT_FOUND', 'No such avatar');
    res.setHeader('Content-Type', 'image/webp');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.send(bytes);
  });
}
