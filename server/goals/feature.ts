import type { Router } from 'express';
import { roomGoalBody } from '../../shared/goals.js';
import { id } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';

/**
 * Room goals (issue 13, part C): the owner or a moderator sets and cancels the room's goal;
 * members read it. Progress reaches members live as `room:goal`, completion as `room:goal-reached`.
 * The service is `ctx.goals` (built in server/app.ts, the observer of messages, files and gifts).
 */
function goalRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  api.post('/rooms/:id/goal', auth, async (req, res) => {
    const roomId = parseOrThrow(id, req.params['id'], false);
    const body = parseOrThrow(roomGoalBody, req.body);
    res.status(201).json({ goal: await ctx.goals.set(authOf(req).userId, roomId, body) });
  });
  api.get('/rooms/:id/goal', auth, async (req, res) => {
    res.json({ goal: await ctx.goals.get(authOf(req).userId, parseOrThrow(id, req.params['id'], false)) });
  });
  api.delete('/rooms/:id/goal', auth, async (req, res) => {
    res.json({ goal: await ctx.goals.cancel(authOf(req).userId, parseOrThrow(id, req.params['id'], false)) });
  });
}

export const goalsFeature: Feature = { name: 'goals', routes: goalRoutes };
