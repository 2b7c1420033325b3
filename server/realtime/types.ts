import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.js';
import type { AuthClaims } from '../auth/jwt.js';

/** Per-socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthClaims;
  /** Client address, for the anti-abuse rules. */
  ip: string;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
