import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from './types.js';
import { ApiError } from './http.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long an emit waits for its ack before the UI offers a retry. */
export const ACK_TIMEOUT_MS = 10_000;

/**
 * The one Socket.IO connection of a session. It reconnects by itself (socket.io-client's
 * backoff); the token is read again on every attempt so a re-login is picked up. The shell
 * connects it (autoConnect off) so that its listeners are in place first.
 */
export function connectSocket(token: () => string | null): ChatSocket {
  return io({
    auth: (cb) => cb({ token: token() ?? '' }),
    autoConnect: false,
    transports: ['websocket', 'polling'],
    reconnectionDelay: 300,
    reconnectionDelayMax: 3000,
    // An attempt that has not opened by then is abandoned and retried (socket.io's default is 20 s,
    // long to look at a "reconnecting" chat after a network change).
    timeout: 5000,
  });
}

type DataOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (ack: Ack<infer T>) => void ? T : never;
type PayloadOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/**
 * Emits a client->server event and resolves with the ack's data, or rejects with an ApiError
 * (the server's typed refusal, or SERVICE_UNAVAILABLE when no ack came in time).
 */
export function emitAck<E extends keyof ClientToServerEvents>(socket: ChatSocket, event: E, payload: PayloadOf<E>): Promise<DataOf<E>> {
  return new Promise((resolve, reject) => {
    const emitter = socket.timeout(ACK_TIMEOUT_MS) as unknown as { emit(e: string, p: unknown, cb: (err: Error | null, ack: Ack<DataOf<E>>) => void): void };
    emitter.emit(event, payload, (err, ack) => {
      if (err) return reject(new ApiError({ code: 'SERVICE_UNAVAILABLE', message: 'No answer from the server in time; your action may be retried safely.' }, 0));
      if (ack.ok) resolve(ack.data);
      else reject(new ApiError(ack.error, 0));
    });
  });
}

type Listeners = { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] };

/** Adds server->client listeners and returns the function that removes exactly those. */
export function listen(socket: ChatSocket, listeners: Listeners): () => void {
  const entries = Object.entries(listeners) as Array<[keyof ServerToClientEvents, (...args: unknown[]) => void]>;
  for (const [event, fn] of entries) socket.on(event, fn as never);
  return () => {
    for (const [event, fn] of entries) socket.off(event, fn as never);
  };
}
