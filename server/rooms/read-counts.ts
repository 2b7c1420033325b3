import type { RoomView } from '../../shared/events.js';
import type { AppContext } from '../context.js';
import type { RoomReadState } from '../stores/ports.js';

/**
 * Adds `unread` and `mentions` to the views of the rooms the caller is a member of (issue 10).
 * One indexed read of the caller's room ids, then per member room two counts that stop at
 * UNREAD_COUNT_MAX (server/stores: MessageStore.readStates): never a scan of a whole room.
 */
export async function withReadCounts<T extends { rooms: RoomView[] }>(ctx: Pick<AppContext, 'stores' | 'config'>, userId: string, list: T): Promise<T> {
  if (list.rooms.length === 0) return list;
  const memberOf = new Set(await ctx.stores.rooms.listRoomIdsOfUser(userId));
  const ids = list.rooms.filter((r) => memberOf.has(r.id)).map((r) => r.id);
  const states = await ctx.stores.messages.readStates(userId, ids, ctx.config.unreadCountMax);
  return { ...list, rooms: withReadStates(list.rooms, states) };
}

/** The views with `unread` and `mentions` of the rooms `states` has (the others as they are). */
export function withReadStates<V extends RoomView>(views: readonly V[], states: ReadonlyMap<string, Pick<RoomReadState, 'unread' | 'mentions'>>): V[] {
  return views.map((r) => {
    const s = states.get(r.id);
    return s ? { ...r, unread: s.unread, mentions: s.mentions } : r;
  });
}
