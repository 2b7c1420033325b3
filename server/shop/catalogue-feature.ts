import { id, shopWatchPayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { assertAdmin, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { SHOP_TOPIC } from './catalogue.js';
import { itemView } from './views.js';

/**
 * Issue 13 (h13a, docs/shop.md): the admin catalogue at runtime and live stock.
 * - `POST /api/admin/shop/items` (201) and `PATCH /api/admin/shop/items/:id`: admins only (checked
 *   before the body is read), validated by the economy config's item schema, audit-logged;
 * - `shop:watch` / `shop:unwatch`: a socket (any signed-in user) subscribes to `shop:stock` while
 *   its shop view is open; `shop:watch` answers the limited editions as they stand, so a client
 *   that (re)subscribes misses nothing.
 */
export const shopCatalogueFeature: Feature = {
  name: 'shop-catalogue',
  routes(api, ctx) {
    const auth = requireAuth(ctx.authenticate);
    api.post('/admin/shop/items', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const item = await ctx.shopCatalogue.create(admin.userId, req.body);
      res.status(201).json({ item: (await ctx.shopCatalogue.views([item]))[0] ?? itemView(item) });
    });
    api.patch('/admin/shop/items/:id', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const itemId = parseOrThrow(id, req.params['id'], false);
      const item = await ctx.shopCatalogue.update(admin.userId, itemId, req.body);
      res.json({ item: (await ctx.shopCatalogue.views([item]))[0] ?? itemView(item) });
    });
  },
  events(registry, ctx) {
    registry.on('shop:watch', shopWatchPayload, async (socket) => {
      ctx.broadcast.watchTopic(socket.id, SHOP_TOPIC);
      return { items: await ctx.shopCatalogue.limitedViews() };
    });
    registry.on('shop:unwatch', shopWatchPayload, async (socket) => {
      ctx.broadcast.unwatchTopic(socket.id, SHOP_TOPIC);
      return { watching: false as const };
    });
  },
};
