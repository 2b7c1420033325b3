import type { Router } from 'express';
import type { AppContext } from './context.js';
import type { EventRegistry } from './realtime/event-registry.js';
import type { AppSocket } from './realtime/types.js';

/**
 * A feature plugs into the transports here and nowhere else: REST routes on the `/api` router,
 * client->server events on the registry, and optional work when a socket connects: before the
 * client sees `connect` (joining channels) or just after (presence).
 */
export interface Feature {
  name: string;
  routes?(api: Router, ctx: AppContext): void;
  events?(registry: EventRegistry, ctx: AppContext): void;
  /**
   * Runs in the Socket.IO auth middleware, after authentication (`socket.data` is set) and before
   * the client sees `connect`: channels joined here receive every broadcast made after `connect`.
   * A rejection refuses the connection (an AppError with its code, anything else as INTERNAL).
   */
  beforeConnect?(socket: AppSocket, ctx: AppContext): Promise<void>;
  /** Runs after `connect` (not awaited by the connection): for work the client need not wait for. */
  onConnect?(socket: AppSocket, ctx: AppContext): Promise<void>;
}
