import type { ErrorBody } from './errors.js';

/** Every client->server Socket.IO event is acknowledged with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** The acknowledgement callback a client passes as the last argument of `emit`. */
export type AckCallback<T> = (ack: Ack<T>) => void;
