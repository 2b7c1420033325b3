import type { SessionExpiredNotice } from '../../shared/events.js';
import { userChannel } from '../realtime/channels.js';
import type { AppServer } from '../realtime/types.js';
import type { AuthClaims } from './jwt.js';

/**
 * Ends the open sockets of `userId` whose session `ended` says is over, on every node (through the
 * Socket.IO adapter): each is told `session:expired` with the reason, then disconnected. Returns
 * how many were ended.
 */
export async function endSockets(io: AppServer, userId: string, ended: (auth: AuthClaims) => boolean, reason: SessionExpiredNotice['reason']): Promise<number> {
  const sockets = await io.in(userChannel(userId)).fetchSockets();
  let count = 0;
  for (const socket of sockets) {
    if (!ended(socket.data.auth)) continue;
    socket.emit('session:expired', { reason });
    socket.disconnect(true);
    count++;
  }
  return count;
}
