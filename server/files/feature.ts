import { fileSharePayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { fileRoutes } from './routes.js';
import { avatarRoutes } from './avatar-routes.js';
import { alreadyRewarded, awardAfter, earnKeys } from '../earning/inline.js';

/**
 * Files: upload and download over HTTP, `file:share` over the socket. A share is announced with
 * `file:shared` only (not also `message:new`): one event per share, carrying the message and file.
 */
export const filesFeature: Feature = {
  name: 'files',
  routes(api, ctx) {
    fileRoutes(api, ctx);
    // Avatars (issue 10, h10a): a separate module, images only.
    avatarRoutes(api, ctx);
  },
  events(registry, ctx) {
    registry.on('file:share', fileSharePayload, async (socket, p) => {
      const userId = socket.data.auth.userId;
      const { message, created } = await ctx.fileService.share(userId, p);
      // A repeat share of the file into the room returns the first message and earns nothing more.
      const award = created
        ? await awardAfter(ctx.awards, ctx.logger, {
            userId,
            activity: 'share_file',
            idempotencyKey: earnKeys.shareFile(message.id),
            roomId: message.roomId,
            metadata: { fileId: p.fileId },
            newEvent: true,
          })
        : alreadyRewarded('share_file');
      return { message, award };
    });
  },
};
