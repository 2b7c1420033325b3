import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.js';
import type { AuthClaims } from '../auth/jwt.js';

/** Per-socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthClaims;
  /** Client address, for the anti-abuse rules. */
  ip: string;
}

/**
 * Events between server nodes (`io.serverSideEmit`): they travel over the Redis adapter to every
 * other node sharing REDIS_PREFIX, never to clients and never back to the sender.
 */
export interface ServerSideEvents {
  /** A node reloaded its economy config (admin endpoint or SIGHUP): re-read this node's ECONOMY_OVERRIDES_FILE. */
  'economy:reload': (notice: { trigger: 'admin' | 'SIGHUP' }) => void;
  /** An admin added or changed a shop item on a node: drop this node's cached effects table (server/shop/catalogue-changes.ts). */
  'shop:catalogue-changed': (notice: { itemId: string }) => void;
  /** A user's penalty standing changed on a node: drop this node's cached standing of the user (server/abuse/standing-changes.ts). */
  'abuse:standing-changed': (notice: { userId: string }) => void;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
