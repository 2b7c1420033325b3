import type { ServerToClientEvents, SessionExpiredNotice } from '../../shared/events.js';
import type { AuthClaims } from '../auth/jwt.js';
import { endSockets } from '../auth/session-ender.js';
import { roomChannel, topicChannel, userChannel } from './channels.js';
import type { AppServer } from './types.js';

/** Who receives a broadcast: members of these rooms and every socket of these users, each once. */
export interface Audience {
  rooms?: readonly string[];
  users?: readonly string[];
  /** Sockets that subscribed to these topics (watchTopic), e.g. `shop` (issue 13). */
  topics?: readonly string[];
}

/**
 * The port services use to reach clients (issue 15): services say what happened and to whom;
 * only this adapter knows about Socket.IO channels. On several nodes the Socket.IO adapter carries
 * every call to every node. Tests can pass a recording implementation.
 */
export interface Broadcaster {
  /** Sends a server->client event to the audience (a socket in several targets gets it once). */
  emit<E extends keyof ServerToClientEvents>(to: Audience, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Subscribes every socket of these users to the room's broadcasts (after a join or an invite). */
  joinRoom(userIds: readonly string[], roomId: string): void;
  /** Unsubscribes these users' sockets from the room (leave, kick, ban). */
  leaveRoom(userIds: readonly string[], roomId: string): void;
  /** Unsubscribes every socket from the room (the room was deleted). */
  closeRoom(roomId: string): void;
  /** Disconnects every socket of these users on every node (ban, account deletion). */
  disconnectUsers(userIds: readonly string[]): void;
  /** Subscribes one socket (by id, on any node) to a topic's broadcasts, e.g. while the shop view is open (issue 13). */
  watchTopic(socketId: string, topic: string): void;
  /** Ends that subscription. */
  unwatchTopic(socketId: string, topic: string): void;
  /**
   * Ends the user's sockets whose session `ended` says is over, on every node: each is told
   * `session:expired` with the reason, then disconnected (logout, password change). Resolves with
   * how many were ended; rejects when a node does not answer.
   */
  endSessions(userId: string, ended: (auth: AuthClaims) => boolean, reason: SessionExpiredNotice['reason']): Promise<number>;
}

/** The Socket.IO implementation: room `r` is channel `room:r`, user `u` is channel `user:u`. */
export function socketBroadcaster(io: AppServer): Broadcaster {
  const channels = (to: Audience): string[] => [...(to.rooms ?? []).map(roomChannel), ...(to.users ?? []).map(userChannel), ...(to.topics ?? []).map(topicChannel)];
  return {
    emit(to, event, ...args) {
      const targets = channels(to);
      if (targets.length === 0) return;
      // socket.io's typed emit cannot follow a generic event name; the signature above is the check.
      (io.to(targets).emit as (ev: string, ...a: unknown[]) => boolean)(event, ...args);
    },
    joinRoom(userIds, roomId) {
      if (userIds.length > 0) io.in(userIds.map(userChannel)).socketsJoin(roomChannel(roomId));
    },
    leaveRoom(userIds, roomId) {
      if (userIds.length > 0) io.in(userIds.map(userChannel)).socketsLeave(roomChannel(roomId));
    },
    closeRoom(roomId) {
      io.in(roomChannel(roomId)).socketsLeave(roomChannel(roomId));
    },
    disconnectUsers(userIds) {
      if (userIds.length > 0) io.in(userIds.map(userChannel)).disconnectSockets(true);
    },
    watchTopic(socketId, topic) {
      io.in(socketId).socketsJoin(topicChannel(topic));
    },
    unwatchTopic(socketId, topic) {
      io.in(socketId).socketsLeave(topicChannel(topic));
    },
    endSessions(userId, ended, reason) {
      return endSockets(io, userId, ended, reason);
    },
  };
}
