import type { Router } from 'express';
import type { AppContext } from './context.js';
import type { EventRegistry } from './realtime/event-registry.js';
import type { AppSocket } from './realtime/types.js';

/**
 * A feature plugs into the transports here and nowhere else: REST routes on the `/api` router,
 * client->server events on the registry, and optional work when a socket connects (joining
 * channels, presence).
 */
export interface Feature {
  name: string;
  routes?(api: Router, ctx: AppContext): void;
  events?(registry: EventRegistry, ctx: AppContext): void;
  onConnect?(socket: AppSocket, ctx: AppContext): Promise<void>;
}
