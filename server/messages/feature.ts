import { messageReactPayload, messageSendPayload, messageVoteHelpfulPayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { messageRoutes } from './routes.js';

/** Messages: `message:send`, `message:react`, `message:vote-helpful` and the history route. */
export const messagesFeature: Feature = {
  name: 'messages',
  routes: messageRoutes,
  events(registry, ctx) {
    registry.on('message:send', messageSendPayload, async (socket, p) => {
      const { message, award } = await ctx.messageService.send(socket.data.auth.userId, p);
      return { message, award };
    });
    registry.on('message:react', messageReactPayload, (socket, p) => ctx.messageService.react(socket.data.auth.userId, p));
    registry.on('message:vote-helpful', messageVoteHelpfulPayload, async (socket, p) => {
      const { messageId, award } = await ctx.messageService.voteHelpful(socket.data.auth.userId, p.messageId);
      return { messageId, award };
    });
  },
};
