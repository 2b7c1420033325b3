import type { Router } from 'express';
import { id, pageQuery, roomRewardPayload } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import type { EventRegistry } from '../realtime/event-registry.js';
import type { AppContext } from '../context.js';
import type { Feature } from '../feature.js';
import { RewardService } from './reward-service.js';

const DEFAULT_PAGE = 50;

/** `GET /api/rooms/:id/rewards?before=&limit=`: the room's grants, for its members. */
function rewardRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const service = new RewardService(ctx);
  api.get('/rooms/:id/rewards', auth, async (req, res) => {
    const roomId = parseOrThrow(id, req.params['id'], false);
    const q = parseOrThrow(pageQuery, req.query, false);
    const limit = Math.min(q.limit ?? DEFAULT_PAGE, ctx.config.historyPageMax);
    res.json(await service.list(authOf(req).userId, roomId, { before: q.before, limit }));
  });
}

/** `room:reward`: the owner or a moderator rewards a member; the room gets `room:rewarded`. */
function rewardEvents(registry: EventRegistry, ctx: AppContext): void {
  const service = new RewardService(ctx);
  registry.on('room:reward', roomRewardPayload, (socket, payload) => service.reward(socket.data.auth.userId, payload));
}

export const rewardsFeature: Feature = { name: 'rewards', routes: rewardRoutes, events: rewardEvents };
