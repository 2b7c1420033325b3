import { io as ioClient, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/ack.js';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '../../shared/events.js';
import type { AckData } from '../../server/realtime/event-registry.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects a real socket.io-client (websocket only) and waits for `connect`. */
export async function connect(url: string, token: string): Promise<TestSocket> {
  const socket: TestSocket = ioClient(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Tries to connect and returns the `connect_error` (or throws if it connected). */
export async function connectError(url: string, auth: Record<string, unknown>): Promise<Error & { data?: any }> {
  const socket = ioClient(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected unexpectedly')));
      socket.once('connect_error', (err) => resolve(err as Error & { data?: any }));
    });
  } finally {
    socket.close();
  }
}

/** Emits a client->server event and resolves with its ack. */
export function emitAck<E extends ClientEventName>(
  socket: TestSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 5000,
): Promise<Ack<AckData<E>>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} in ${timeoutMs} ms`)), timeoutMs);
    (socket.emit as (...args: unknown[]) => void)(event, payload, (ack: Ack<AckData<E>>) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/** Emits anything (unknown events, non-object payloads) and resolves with the raw ack. */
export function emitRaw(socket: TestSocket, event: string, ...args: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
    (socket.emit as (...a: unknown[]) => void)(event, ...args, (ack: unknown) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/** Resolves with the next `event` matching `predicate`; rejects after `timeoutMs`. */
export function waitFor<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  predicate: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]): void => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    socket.on(event, listener as never);
  });
}

/** Collects every `event` a socket receives, to assert later that something did NOT arrive. */
export function collect<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E): Array<Parameters<ServerToClientEvents[E]>[0]> {
  const seen: Array<Parameters<ServerToClientEvents[E]>[0]> = [];
  socket.on(event, ((p: Parameters<ServerToClientEvents[E]>[0]) => seen.push(p)) as never);
  return seen;
}
