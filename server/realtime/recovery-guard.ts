import type { Session } from 'socket.io-adapter';
import type { AppContext } from '../context.js';
import type { AuthClaims } from '../auth/jwt.js';
import { roomChannel } from './channels.js';
import type { AppServer } from './types.js';

/**
 * Connection state recovery (issue 10) restores a socket's room channels as they were when it
 * dropped and writes the events it missed at once, before the middlewares check the socket again
 * (that is how Socket.IO does it). So the session is checked before it is used, here:
 * - a banned account, a revoked session (logout, password change) or an expired token recovers
 *   nothing (the middleware then refuses the connection);
 * - a room the user left, or was kicked or banned from, during the gap is taken out of the
 *   restored channels, and the missed events of that room are dropped, except the
 *   `room:member-left` that tells the user they are out.
 * A session that cannot be checked (store down) is not recovered: the client connects afresh and
 * catches up with `GET /api/rooms/:id/messages?after=`.
 */
type GuardCtx = Pick<AppContext, 'roomService' | 'stores' | 'sessions' | 'clock'>;

export function guardRecoveredSessions(io: AppServer, ctx: GuardCtx): void {
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    if (!session) return session;
    return checkedSession(session, ctx);
  };
}

async function checkedSession(session: Session, ctx: GuardCtx): Promise<Session> {
  const claims = (session.data as { auth?: AuthClaims } | undefined)?.auth;
  const userId = claims?.userId;
  // Rejecting makes Socket.IO connect the client as new (it catches and logs at debug level).
  if (!claims || typeof userId !== 'string') throw new Error('recovered session without a user');
  const nowMs = ctx.clock.now().getTime();
  if (claims.expiresAtMs !== undefined && claims.expiresAtMs <= nowMs) throw new Error('recovered session with an expired token');
  const [user, roomIds, revocation] = await Promise.all([
    ctx.stores.users.findById(userId),
    ctx.roomService.roomIdsOf(userId),
    ctx.sessions.check(userId, claims.jti, nowMs),
  ]);
  if (!user || user.bannedAt) throw new Error('recovered session of a banned or deleted account');
  if (revocation.revoked || (claims.epoch ?? 0) < revocation.epoch) throw new Error('recovered session of a revoked token');
  const current = new Set(roomIds.map(roomChannel));
  const stale = new Set(session.rooms.filter((r) => r.startsWith('room:') && !current.has(r)));
  if (stale.size === 0) return session;
  return {
    ...session,
    rooms: session.rooms.filter((r) => !stale.has(r)),
    missedPackets: session.missedPackets.filter((packet) => keepPacket(packet, stale, userId)),
  };
}

/** Missed packets are `[event, payload, offset]`; room events name their room in `payload.roomId`. */
function keepPacket(packet: unknown[], stale: Set<string>, userId: string): boolean {
  const [event, payload] = packet;
  const p = payload as { roomId?: unknown; userId?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.roomId !== 'string') return true;
  if (!stale.has(roomChannel(p.roomId))) return true;
  return event === 'room:member-left' && p.userId === userId;
}
