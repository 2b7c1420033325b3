import { setImmediate } from 'node:timers';
import type { AppServer } from './types.js';

/** The parts of engine.io's socket and transport, and of ws, this relies on (untyped internals). */
interface EngineTransport {
  name: string;
  send(packets: unknown[]): void;
  socket?: { _socket?: { cork(): void; uncork(): void } };
}

interface EngineConnection {
  transport: EngineTransport;
  flush(): void;
  on(event: 'upgrade', listener: (transport: EngineTransport) => void): void;
}

/**
 * Writes what a connection is sent during one turn of the event loop in one system call instead of
 * one per packet (issue 16, gift storm).
 *
 * Engine.io hands each packet to the transport as soon as it is queued; the WebSocket transport
 * makes each a frame, and ws writes each frame with its own `writev`. A gift to a room of 200 is
 * 200 of them, and a storm of concurrent gifts multiplies that: the kernel writes were the largest
 * single cost of the storm's profile. Here a connection's flush is put off to the end of the
 * current turn (`setImmediate`, after the I/O callbacks that produced the packets), so the packets
 * of every gift, ack and push handled in that turn go to the transport together, and the TCP
 * socket is corked around the transport's loop so that they leave as one `writev`.
 *
 * Why this is safe: packets wait in engine.io's own write buffer, in order, exactly where they
 * would wait while a previous write is in flight; a close without `discard` already waits for that
 * buffer to drain (so a notice sent just before a disconnect still arrives first); bytes and
 * frames are unchanged; the delay is the rest of the current turn, not a timer. The real
 * `setImmediate` is taken from node:timers so that fake timers in tests cannot hold writes back.
 */
export function writeQueuedPacketsTogether(io: AppServer): void {
  const due = new Map<EngineConnection, () => void>();
  let scheduled = false;
  const flushDue = (): void => {
    scheduled = false;
    const flushes = [...due.values()];
    due.clear();
    for (const flush of flushes) flush();
  };
  (io.engine as unknown as { on(event: 'connection', listener: (conn: EngineConnection) => void): void }).on('connection', (conn) => {
    const flushNow = conn.flush.bind(conn);
    conn.flush = () => {
      due.set(conn, flushNow);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushDue);
      }
    };
    corkEachSend(conn.transport);
    // A client that starts on long-polling moves to a new (WebSocket) transport object.
    conn.on('upgrade', corkEachSend);
  });
}

/** Makes the transport's loop over queued packets one write: ws uncorks after each frame. */
function corkEachSend(transport: EngineTransport): void {
  if (transport.name !== 'websocket') return;
  const tcp = transport.socket?._socket;
  if (!tcp || typeof tcp.cork !== 'function') return;
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    if (packets.length < 2) return send(packets);
    tcp.cork();
    try {
      send(packets);
    } finally {
      tcp.uncork();
    }
  };
}
