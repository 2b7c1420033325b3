import { fileSharePayload } from '../../shared/schemas.js';
import type { Feature } from '../feature.js';
import { fileRoutes } from './routes.js';

/**
 * Files: upload and download over HTTP, `file:share` over the socket. A share is announced with
 * `file:shared` only (not also `message:new`): one event per share, carrying the message and file.
 */
export const filesFeature: Feature = {
  name: 'files',
  routes: fileRoutes,
  events(registry, ctx) {
    registry.on('file:share', fileSharePayload, async (socket, p) => {
      const { message, award } = await ctx.fileService.share(socket.data.auth.userId, p);
      return { message, award };
    });
  },
};
