import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { AppSocket } from './types.js';

/** setTimeout's ceiling (about 24.8 days); a longer wait is re-armed when it fires. */
const TIMER_MAX_MS = 2 ** 31 - 1;

/** Tells the socket its session is over and closes it. */
function expire(socket: AppSocket): void {
  if (socket.disconnected) return;
  socket.emit('session:expired', { reason: 'expired' });
  socket.disconnect(true);
}

/**
 * Ends the socket when its JWT expires: a timer for the moment itself, cleared on disconnect.
 * Tokens without an expiry (none this server signs) are left alone.
 */
export function armSessionExpiry(socket: AppSocket, clock: Clock): void {
  const expiresAtMs = socket.data.auth.expiresAtMs;
  if (expiresAtMs === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const waitMs = expiresAtMs - clock.now().getTime();
    if (waitMs <= 0) return expire(socket);
    timer = setTimeout(arm, Math.min(waitMs, TIMER_MAX_MS));
    timer.unref();
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}

/**
 * The hot-path check, one comparison per event: a socket whose token has expired gets its event
 * refused with TOKEN_EXPIRED and is ended, even if its timer has not fired yet (a clock moved
 * forward, a timer delayed by a busy event loop).
 */
export function sessionGuard(clock: Clock): (socket: AppSocket) => Promise<void> {
  return async (socket) => {
    const expiresAtMs = socket.data.auth.expiresAtMs;
    if (expiresAtMs === undefined || clock.now().getTime() < expiresAtMs) return;
    // After this event's ack has been written, so the client learns why before the close.
    setImmediate(() => expire(socket));
    throw new AppError('TOKEN_EXPIRED');
  };
}
