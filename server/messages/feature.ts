import { messageReactPayload, messageSendPayload, messageVoteHelpfulPayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { alreadyRewarded, awardAfter, earnKeys } from '../earning/inline.js';
import { awardFromPeers } from '../abuse/peer-awards.js';
import { PEERS_JUDGED_MAX } from '../abuse/peer-eligibility.js';
import { messageRoutes } from './routes.js';

/** Messages: `message:send`, `message:react`, `message:vote-helpful` and the history route. */
export const messagesFeature: Feature = {
  name: 'messages',
  routes: messageRoutes,
  events(registry, ctx) {
    const peerDeps = { awards: ctx.awards, peers: ctx.abuse.peers, ledger: ctx.ledger, clock: ctx.clock, logger: ctx.logger };
    registry.on('message:send', messageSendPayload, async (socket, p) => {
      const userId = socket.data.auth.userId;
      const { message, created } = await ctx.messageService.send(userId, p);
      // The award runs after the message is stored and broadcast. A retried send (same
      // clientMessageId) was answered with its award the first time: it earns nothing more.
      const award = created
        ? await awardAfter(ctx.awards, ctx.logger, { userId, activity: 'send_message', idempotencyKey: earnKeys.sendMessage(message.id), roomId: message.roomId, newEvent: true, content: p.body })
        : alreadyRewarded('send_message');
      return { message, award };
    });
    registry.on('message:react', messageReactPayload, async (socket, p) => {
      const { messageId, reactions, message, distinctReactors } = await ctx.messageService.react(socket.data.auth.userId, p);
      // The author earns once when the message first has reactions from the threshold of users
      // other than the author (the store leaves the author out of distinctReactors).
      // Only independent reactors count towards the threshold (issue 9: alts cannot feed it).
      const threshold = ctx.economy.current.activities.popular_message.reactionThreshold;
      if (p.on && distinctReactors >= threshold) {
        await awardFromPeers(
          peerDeps,
          { userId: message.authorId, activity: 'popular_message', idempotencyKey: earnKeys.popularMessage(message.id), roomId: message.roomId, metadata: { messageId: message.id, distinctReactors } },
          { peerIds: () => ctx.stores.messages.reactorIds(message.id, PEERS_JUDGED_MAX), needed: threshold },
        );
      }
      return { messageId, reactions };
    });
    registry.on('message:vote-helpful', messageVoteHelpfulPayload, async (socket, p) => {
      const voterId = socket.data.auth.userId;
      const { messageId, message } = await ctx.messageService.voteHelpful(voterId, p.messageId);
      // The author is paid (and told through tokens:balance); the voter's ack shows what the vote earned the author.
      // A vote pays only when the voter is an independent peer of the author (issue 9).
      const award = await awardFromPeers(
        peerDeps,
        { userId: message.authorId, activity: 'helpful_content', idempotencyKey: earnKeys.helpfulContent(messageId, voterId), roomId: message.roomId, metadata: { messageId, voterId }, newEvent: true },
        { peerIds: async () => [voterId], needed: 1 },
      );
      return { messageId, award };
    });
  },
};
