import type { Router } from 'express';
import { id } from '../../shared/schemas.js';
import { seasonCreateBody, seasonLeaderboardQuery } from '../../shared/seasons.js';
import { assertAdmin, authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';

const LEADERBOARD_DEFAULT = 20;

/**
 * Seasons (issue 13, part C): admins define and close them; everyone signed in reads them, their
 * leaderboards and a user's best season. The service is `ctx.seasons` (built in server/app.ts).
 */
function seasonRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.post('/admin/seasons', auth, async (req, res) => {
    const admin = assertAdmin(req);
    const body = parseOrThrow(seasonCreateBody, req.body);
    res.status(201).json({ season: await ctx.seasons.create(admin.userId, body) });
  });
  api.post('/admin/seasons/:id/close', auth, async (req, res) => {
    assertAdmin(req);
    res.json(await ctx.seasons.close(parseOrThrow(id, req.params['id'], false)));
  });
  api.get('/seasons', auth, async (_req, res) => {
    res.json({ items: await ctx.seasons.list() });
  });
  api.get('/seasons/:id', auth, async (req, res) => {
    res.json({ season: await ctx.seasons.get(parseOrThrow(id, req.params['id'], false)) });
  });
  api.get('/seasons/:id/leaderboard', auth, async (req, res) => {
    const q = parseOrThrow(seasonLeaderboardQuery, req.query, false);
    res.json(await ctx.seasons.leaderboard(parseOrThrow(id, req.params['id'], false), q.limit ?? LEADERBOARD_DEFAULT));
  });
  api.get('/users/:id/seasons', auth, async (req, res) => {
    authOf(req);
    res.json(await ctx.seasons.userSeasons(parseOrThrow(id, req.params['id'], false)));
  });
}

export const seasonsFeature: Feature = { name: 'seasons', routes: seasonRoutes };
