import { randomBytes } from 'node:crypto';
import { connectSocket, createRoom, emitAck, mapLimit, okData, register, type BenchSocket, type BenchUser } from './api.js';

/** One connected bench client: a registered user with one socket, a member of one room. */
export interface RoomClient {
  user: BenchUser;
  socket: BenchSocket;
  roomId: string;
  /** Connected members of this client's room, itself included. */
  roomSize: number;
}

const benchPassword = 'bench-password-123';

/** A short random tag so usernames never collide with an earlier run on a shared MongoDB. */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

/** Registers `count` users named `<prefix>_<i>`, a few at a time. */
export function registerUsers(baseUrl: string, prefix: string, count: number, concurrency: number): Promise<BenchUser[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapLimit(indexes, concurrency, (i) => register(baseUrl, `${prefix}_${i}`, benchPassword));
}

/**
 * Registers `clients` users, spreads them round-robin over `rooms` public rooms (the first user
 * of each room creates it), connects one socket each and joins it to its room. With several node
 * URLs (one cluster), user i connects to node floor(i / rooms) mod nodes, so every room has
 * members on every node and a message crosses the Socket.IO adapter.
 */
export async function buildRooms(nodeUrls: readonly string[], clients: number, rooms: number, concurrency: number): Promise<RoomClient[]> {
  if (clients < rooms * 2) throw new Error(`need at least 2 clients per room (clients ${clients}, rooms ${rooms})`);
  const baseUrl = nodeUrls[0];
  if (!baseUrl) throw new Error('buildRooms needs a server URL');
  const tag = runTag();
  const users = await registerUsers(baseUrl, `b${tag}`, clients, concurrency);
  const roomIds = await mapLimit(Array.from({ length: rooms }, (_, r) => r), concurrency, async (r) => {
    const room = await createRoom(baseUrl, users[r]!, `bench ${tag} ${r}`);
    return room.id;
  });
  return mapLimit(users, concurrency, async (user, i) => {
    const roomId = roomIds[i % rooms]!;
    const socket = await connectSocket(nodeUrls[Math.floor(i / rooms) % nodeUrls.length]!, user.token);
    okData('room:join', await emitAck(socket, 'room:join', { roomId }));
    const roomSize = Math.floor(clients / rooms) + (i % rooms < clients % rooms ? 1 : 0);
    return { user, socket, roomId, roomSize };
  });
}

/** Closes every socket (disconnects are fire-and-forget on the client side). */
export function closeAll(sockets: Iterable<BenchSocket>): void {
  for (const s of sockets) s.close();
}

export { benchPassword };
