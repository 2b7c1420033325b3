import { Schema, type Connection, type Model } from 'mongoose';
import type { DirectRoomRecord, MembershipRecord, RoomRecord, RoomStore } from '../ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn } from './model.js';
import { runInTransaction } from './transaction.js';

/*
 * Direct rooms and room management over MongoDB, on the rooms collections of rooms-store.ts. A
 * direct room is a `rooms` document with ownerId '' plus one `direct_rooms` document per pair,
 * keyed by the pair (the two ids sorted, joined by ':'), so one pair has one room however many
 * calls race: the losing transaction meets the duplicate key (or a write conflict, retried into
 * one) and reads the winner's room.
 */

type RoomDoc = Omit<RoomRecord, 'id'> & { _id: string };

interface DirectDoc {
  _id: string;
  roomId: string;
  userIds: [string, string];
}

const directSchema = new Schema<DirectDoc>(
  {
    _id: { type: String, required: true },
    roomId: { type: String, required: true },
    userIds: { type: [String], required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'direct_rooms' },
);
directSchema.index({ roomId: 1 }, { unique: true, name: 'roomId_unique' });
// Multikey: one entry per member, so "my direct rooms, newest first" is one index range.
directSchema.index({ userIds: 1, roomId: -1 }, { name: 'userIds_roomId' });

export const pairKey = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** The rooms-store models these operations write to. */
export interface RoomModels {
  Rooms: Model<RoomDoc>;
  Members: Model<MembershipRecord>;
  Invites: Model<{ roomId: string }>;
  Bans: Model<{ roomId: string }>;
  Customizations: Model<{ _id: string }>;
}

const fromDoc = (d: RoomDoc): RoomRecord => ({
  id: d._id,
  name: d.name ?? '',
  description: d.description ?? '',
  visibility: d.visibility,
  ownerId: d.ownerId ?? '',
  createdAt: d.createdAt,
});

type DirectOps = Pick<RoomStore, 'openDirect' | 'listDirectOf' | 'updateDetails' | 'transferOwnership' | 'deleteRoom'>;

export function directRoomOps(connection: Connection, m: RoomModels, ready: () => Promise<void>): DirectOps {
  const Directs = modelOn(connection, 'DirectRoom', directSchema);
  const { Rooms, Members, Invites, Bans, Customizations } = m;

  const existingOf = async (key: string): Promise<RoomRecord> => {
    const pair = await Directs.findById(key).lean<DirectDoc | null>();
    const room = pair ? await Rooms.findById(pair.roomId).lean<RoomDoc | null>() : null;
    if (!room) throw new Error(`direct room of ${key} is recorded but cannot be read`);
    return fromDoc(room);
  };

  return {
    async openDirect(room, [a, b]) {
      await ready();
      await Directs.init();
      const key = pairKey(a, b);
      try {
        await runInTransaction(connection, async (session) => {
          await Directs.create([{ _id: key, roomId: room.id, userIds: [a, b] }], { session });
          // The raw driver: a direct room's empty owner and name are what the mongoose schema calls missing.
          const doc: RoomDoc = { _id: room.id, name: room.name, description: room.description, visibility: room.visibility, ownerId: room.ownerId, createdAt: room.createdAt };
          await Rooms.collection.insertOne(doc as never, { session });
          await Members.insertMany(
            [a, b].map((userId) => ({ roomId: room.id, userId, role: 'member', joinedAt: room.createdAt })),
            { session },
          );
        });
        return { room: { ...room }, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return { room: await existingOf(key), created: false };
    },
    async listDirectOf(userId, opts) {
      checkPageLimit(opts.limit);
      const pairs = await Directs.find({ userIds: userId, ...(opts.before === undefined ? {} : { roomId: { $lt: opts.before } }) })
        .sort({ roomId: -1 })
        .limit(opts.limit + 1)
        .lean<DirectDoc[]>();
      const rooms = await Rooms.find({ _id: { $in: pairs.map((p) => p.roomId) } }).lean<RoomDoc[]>();
      const byId = new Map(rooms.map((r) => [r._id, fromDoc(r)]));
      const items: DirectRoomRecord[] = [];
      for (const p of pairs) {
        const room = byId.get(p.roomId);
        const peerId = p.userIds[0] === userId ? p.userIds[1] : p.userIds[0];
        if (room) items.push({ ...room, peerId });
      }
      return toPage(items, opts.limit);
    },
    async updateDetails(roomId, details) {
      const set: Record<string, string> = {};
      if (details.name !== undefined) set['name'] = details.name;
      if (details.description !== undefined) set['description'] = details.description;
      const doc = await Rooms.findOneAndUpdate({ _id: roomId }, { $set: set }, { new: true }).lean<RoomDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async transferOwnership(roomId, from, to) {
      await ready();
      return runInTransaction(connection, async (session) => {
        if (!(await Members.exists({ roomId, userId: to }).session(session))) return false;
        const moved = await Rooms.updateOne({ _id: roomId, ownerId: from }, { $set: { ownerId: to } }, { session });
        if (moved.modifiedCount !== 1) return false;
        await Members.updateOne({ roomId, userId: to }, { $set: { role: 'owner' } }, { session });
        await Members.updateOne({ roomId, userId: from }, { $set: { role: 'moderator' } }, { session });
        return true;
      });
    },
    async deleteRoom(roomId) {
      await ready();
      return runInTransaction(connection, async (session) => {
        if (!(await Rooms.exists({ _id: roomId }).session(session))) return [];
        const members = await Members.find({ roomId }, { _id: 0, userId: 1 }).sort({ userId: 1 }).session(session).lean<{ userId: string }[]>();
        await Members.deleteMany({ roomId }, { session });
        await Invites.deleteMany({ roomId }, { session });
        await Bans.deleteMany({ roomId }, { session });
        await Customizations.deleteOne({ _id: roomId }, { session });
        await Rooms.deleteOne({ _id: roomId }, { session });
        return members.map((d) => d.userId);
      });
    },
  };
}
