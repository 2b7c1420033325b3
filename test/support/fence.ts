import { randomUUID } from 'node:crypto';
import type { TestServer } from './server.js';
import type { TestSocket } from './socket.js';

/** A test-only event name: no client or server code listens for it. */
const FENCE_EVENT = 'test:fence';

/**
 * Proves that nothing more is on its way to `sockets` from `srv`: the server emits a marker to
 * each socket (through its adapter, the path every room and user event takes), and this resolves
 * when every socket has received it. Socket.IO keeps one connection's packets in order, so an
 * event the server emitted to a socket before the marker has arrived once the marker has. Use it
 * after the action (its ack or HTTP response), before asserting that an event did NOT arrive,
 * instead of waiting an arbitrary time.
 */
export async function fence(srv: TestServer, ...sockets: TestSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((socket) => {
      const token = randomUUID();
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('fence marker did not arrive')), 5000);
        const listener = (got: unknown): void => {
          if (got !== token) return;
          clearTimeout(timer);
          (socket as unknown as { off(e: string, l: unknown): void }).off(FENCE_EVENT, listener);
          resolve();
        };
        (socket as unknown as { on(e: string, l: unknown): void }).on(FENCE_EVENT, listener);
      });
      if (!socket.id) throw new Error('fence: the socket is not connected');
      (srv.io.to(socket.id) as unknown as { emit(e: string, p: unknown): void }).emit(FENCE_EVENT, token);
      return arrived;
    }),
  );
}
