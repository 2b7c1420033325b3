import type { RateLimits } from '../limits/rate-limits.js';
import type { EventRegistry } from './event-registry.js';
import type { AppSocket } from './types.js';

/**
 * The socket side of the rate limits, applied at the transport so a feature never sees an event
 * over its limit: messages (text and file shares share one allowance, with its burst) and gifts
 * per user, counted across every socket and node of that user.
 */
export function limitSocketEvents(registry: EventRegistry, limits: RateLimits): void {
  const perUser = (name: 'message' | 'gift') => (socket: AppSocket) => limits.consume(name, socket.data.auth.userId);
  registry.guard('message:send', perUser('message'));
  registry.guard('file:share', perUser('message'));
  registry.guard('gift:send', perUser('gift'));
}

/**
 * Takes one of the user's socket slots (SOCKETS_PER_USER_MAX, across nodes) for `socket`, given
 * back when it disconnects. Throws RATE_LIMITED when every slot is taken; the caller refuses the
 * connection. Returns the give-back, for a connection refused later in the handshake.
 */
export async function takeSocketSlot(socket: AppSocket, limits: RateLimits): Promise<() => void> {
  const userId = socket.data.auth.userId;
  try {
    await limits.consume('socket', userId);
  } catch (err) {
    // A refused take still counted (rate-limiter-flexible counts first); a slot count must not drift.
    await limits.reward('socket', userId).catch(() => undefined);
    throw err;
  }
  let given = false;
  const giveBack = (): void => {
    if (given) return;
    given = true;
    // A failed give-back only costs the user a slot until the slot's window ends.
    limits.reward('socket', userId).catch(() => undefined);
  };
  socket.once('disconnect', giveBack);
  return giveBack;
}
