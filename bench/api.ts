import { io as ioClient, type Socket } from 'socket.io-client';
import type { Ack } from '../shared/ack.js';
import type { ErrorBody } from '../shared/errors.js';
import type { ClientEventName, ClientToServerEvents, RoomView, ServerToClientEvents } from '../shared/events.js';

/** A bench client socket, typed by the shared contract. */
export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The data of a successful ack for a client->server event. */
export type AckOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends (a: Ack<infer T>) => void ? T : never;

const httpTimeoutMs = 15_000;
const connectTimeoutMs = 15_000;
const ackTimeoutMs = 15_000;

/** An HTTP answer that was not 2xx, with the server's error code when it sent one. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly path: string,
  ) {
    super(`${path} -> ${status}${code ? ` ${code}` : ''}`);
  }
}

/** JSON over loopback HTTP with a timeout; throws HttpError on a non-2xx status. */
export async function http<T>(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(httpTimeoutMs),
  });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = (parsed as { error?: Partial<ErrorBody> } | null)?.error;
    throw new HttpError(res.status, typeof err?.code === 'string' ? err.code : undefined, path);
  }
  return parsed as T;
}

export interface BenchUser {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** Registers a user (the server answers with a token, so no separate login). */
export async function register(baseUrl: string, username: string, password: string): Promise<BenchUser> {
  const res = await http<{ token: string; user: { id: string; username: string } }>(baseUrl, 'POST', '/api/auth/register', { username, password });
  return { id: res.user.id, username: res.user.username, password, token: res.token };
}

export async function createRoom(baseUrl: string, owner: BenchUser, name: string): Promise<RoomView> {
  const res = await http<{ room: RoomView }>(baseUrl, 'POST', '/api/rooms', { name, visibility: 'public' }, owner.token);
  return res.room;
}

/** Connects a websocket-only socket.io client and waits for `connect` (or its refusal). */
export async function connectSocket(baseUrl: string, token: string): Promise<BenchSocket> {
  const socket: BenchSocket = ioClient(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: connectTimeoutMs });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket connect timed out')), connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        reject(new Error(`socket refused: ${err.message}`));
      });
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  return socket;
}

/** Emits an event and resolves with its ack; rejects when no ack comes in time. */
export function emitAck<E extends ClientEventName>(socket: BenchSocket, event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<Ack<AckOf<E>>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} in ${ackTimeoutMs} ms`)), ackTimeoutMs);
    (socket.emit as (...args: unknown[]) => void)(event, payload, (ack: Ack<AckOf<E>>) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/** Unwraps an ack, turning a refusal into an exception naming the code. */
export function okData<T>(event: string, ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${event} refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight, preserving order of results.
 * The first failure rejects (remaining tasks still settle before the caller moves on).
 */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
