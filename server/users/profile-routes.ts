import type { Router } from 'express';
import type { UserSummary } from '../../shared/events.js';
import { equipCosmeticsBody, updateProfileBody, userSearchQuery } from '../../shared/schemas.js';
import type { CosmeticSlot } from '../../shared/shop.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import { AppError } from '../lib/app-error.js';
import type { ProfileRecord } from './profile-ports.js';
import { avatarUrlOf } from './profile-service.js';

const SEARCH_PAGE_DEFAULT = 20;

/** The caller's own profile as answered by the profile routes. */
export interface ProfileView {
  displayName: string | null;
  bio: string;
  avatarUrl: string | null;
  equipped: Partial<Record<CosmeticSlot, string>>;
}

export async function profileView(ctx: AppContext, profile: ProfileRecord): Promise<ProfileView> {
  return {
    displayName: profile.displayName,
    bio: profile.bio,
    avatarUrl: profile.avatarKey === null ? null : avatarUrlOf(profile.avatarKey),
    equipped: await ctx.profiles.visibleEquipped(profile),
  };
}

/**
 * Find people and edit one's profile (docs/chat.md "Profiles"):
 * `GET /api/users?search=<prefix>&before=&limit=` -> `{users: UserSummary[], nextCursor}`;
 * `PATCH /api/users/me {displayName?, bio?}` -> `{profile}`;
 * `PATCH /api/users/me/cosmetics {<slot>: itemId | null, ...}` -> `{equipped}`.
 */
export function profileRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);

  api.get('/users', auth, async (req, res) => {
    const q = parseOrThrow(userSearchQuery, req.query, false);
    const limit = Math.min(q.limit ?? SEARCH_PAGE_DEFAULT, ctx.config.historyPageMax);
    const page = await ctx.profiles.searchUserIds(q.search, { limit, ...(q.before ? { before: q.before } : {}) });
    const records = await ctx.stores.users.findManyByIds(page.items.map((u) => u.id));
    // Banned accounts are not offered to anyone; order is the page's (newest account first).
    const visible = records.filter((u) => !u.bannedAt);
    const summaries = await ctx.userSummaries.fromRecords(visible);
    const users = page.items.map((u) => summaries.get(u.id)).filter((u): u is UserSummary => u !== undefined);
    res.json({ users, nextCursor: page.nextCursor });
  });

  api.patch('/users/me', auth, async (req, res) => {
    const body = parseOrThrow(updateProfileBody, req.body);
    const userId = authOf(req).userId;
    const { profile } = await ctx.profiles.update(userId, {
      ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
      ...(body.bio !== undefined ? { bio: body.bio } : {}),
    });
    res.json({ profile: await profileView(ctx, profile) });
  });

  api.patch('/users/me/cosmetics', auth, async (req, res) => {
    const body = parseOrThrow(equipCosmeticsBody, req.body);
    const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<Record<CosmeticSlot, string | null>>;
    const userId = authOf(req).userId;
    if (!(await ctx.stores.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
    await ctx.profiles.equip(userId, changes);
    res.json({ equipped: await ctx.profiles.visibleEquipped(await ctx.profiles.get(userId)) });
  });
}
