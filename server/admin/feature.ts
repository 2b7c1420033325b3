import { adminAdjustmentBody, adminAuditLogQuery, adminUsersQuery, banLiftBody, penaltyLiftBody } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { assertAdmin, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { ADMIN_USERS_PAGE_MAX } from './service.js';

/** Default page sizes when the query names none. */
const USERS_DEFAULT = 20;
const AUDIT_LOG_DEFAULT = 50;

/**
 * Admin tools over HTTP (docs/operations.md): every route is admins only, checked before the
 * input is read, so a non-admin learns nothing (403 FORBIDDEN).
 */
export const adminFeature: Feature = {
  name: 'admin',
  routes(api, ctx) {
    const auth = requireAuth(ctx.authenticate);
    api.get('/admin/users', auth, async (req, res) => {
      assertAdmin(req);
      const q = parseOrThrow(adminUsersQuery, req.query, false);
      res.json({ items: await ctx.admin.searchUsers(q.search, Math.min(q.limit ?? USERS_DEFAULT, ADMIN_USERS_PAGE_MAX)) });
    });
    api.post('/admin/adjustments', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const result = await ctx.admin.adjust(admin.userId, parseOrThrow(adminAdjustmentBody, req.body));
      res.status(result.duplicate ? 200 : 201).json({ adjustment: result });
    });
    api.post('/admin/penalties/lift', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const result = await ctx.admin.liftPenalty(admin.userId, parseOrThrow(penaltyLiftBody, req.body));
      res.status(result.duplicate ? 200 : 201).json(result);
    });
    api.post('/admin/bans/lift', auth, async (req, res) => {
      const admin = assertAdmin(req);
      const result = await ctx.admin.liftBan(admin.userId, parseOrThrow(banLiftBody, req.body));
      res.status(result.duplicate ? 200 : 201).json(result);
    });
    api.get('/admin/audit-log', auth, async (req, res) => {
      assertAdmin(req);
      const q = parseOrThrow(adminAuditLogQuery, req.query, false);
      const limit = Math.min(q.limit ?? AUDIT_LOG_DEFAULT, ctx.config.historyPageMax);
      res.json(await ctx.admin.auditLog({ limit, ...(q.userId ? { targetUserId: q.userId } : {}), ...(q.action ? { action: q.action } : {}), ...(q.before ? { before: q.before } : {}) }));
    });
  },
};
