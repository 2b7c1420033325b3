import { mentionedUsernames } from '../../../../server/messages/mentions.js';
import type { MessageView, RoomView } from '../../api/types.js';

/**
 * Unread and mention counts of the room list, kept live between reads of `GET /api/rooms`. Pure
 * functions: the list owns the I/O.
 */

/** What a `room:read` ack says is left unread in a room. */
export interface ReadCounts {
  roomId: string;
  unread: number;
  mentions: number;
}

/**
 * The server stops counting at UNREAD_COUNT_MAX (default 100); a count at or past it is shown
 * as "100+". (A server configured with a lower cap shows its cap as a plain number.)
 */
export const UNREAD_SHOWN_MAX = 100;

export function countText(n: number): string {
  return n >= UNREAD_SHOWN_MAX ? `${UNREAD_SHOWN_MAX}+` : String(n);
}

/**
 * A live message counts as unread in a room the caller is a member of (rooms with counts), unless
 * the caller wrote it or is reading that room; it is a mention when it names the caller by the
 * server's own rule (server/messages/mentions.ts).
 */
export function countNewMessage<R extends RoomView>(rooms: R[], m: MessageView, me: { id: string; username: string }, openRoomId: string | null): R[] {
  if (m.author.id === me.id || m.roomId === openRoomId) return rooms;
  const mentioned = mentionedUsernames(m.body).includes(me.username.toLowerCase());
  return rooms.map((r) =>
    r.id === m.roomId && r.unread !== undefined ? { ...r, unread: r.unread + 1, mentions: (r.mentions ?? 0) + (mentioned ? 1 : 0) } : r,
  );
}

/** A `room:read` ack: the room's counts as the server now keeps them. */
export function applyRead<R extends RoomView>(rooms: R[], read: ReadCounts): R[] {
  return rooms.map((r) => (r.id === read.roomId ? { ...r, unread: read.unread, mentions: read.mentions } : r));
}
