import { Schema, type ClientSession, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { MembershipRecord, RoomBanRecord, RoomCustomizationRecord, RoomRecord, RoomStore } from '../ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { isDuplicateKey, isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';
import { runInTransaction } from './transaction.js';
import { directRoomOps, type RoomModels } from './direct-rooms.js';

type RoomDoc = Omit<RoomRecord, 'id'> & { _id: string };

type MemberDoc = MembershipRecord;

interface InviteDoc {
  roomId: string;
  userId: string;
  invitedBy: string;
  createdAt: Date;
}

interface FirstJoinDoc {
  roomId: string;
  userId: string;
  joinedAt: Date;
}

interface BanDoc {
  roomId: string;
  userId: string;
  bannedBy: string;
  createdAt: Date;
}

const MEMBER_INDEX = 'roomId_userId_unique';

// Strings that may be empty are not `required`: mongoose treats '' as missing.
const roomSchema = new Schema<RoomDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    visibility: { type: String, enum: ['public', 'private'], required: true },
    ownerId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'rooms' },
);
roomSchema.index({ ownerId: 1 }, { name: 'ownerId' });
roomSchema.index({ visibility: 1, _id: -1 }, { name: 'visibility_id' });

const memberSchema = new Schema<MemberDoc>(
  {
    roomId: { type: String, required: true },
    userId: { type: String, required: true },
    role: { type: String, enum: ['owner', 'moderator', 'member'], required: true },
    joinedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_members' },
);
memberSchema.index({ roomId: 1, userId: 1 }, { unique: true, name: MEMBER_INDEX });
memberSchema.index({ userId: 1, roomId: 1 }, { name: 'userId_roomId' });

const inviteSchema = new Schema<InviteDoc>(
  {
    roomId: { type: String, required: true },
    userId: { type: String, required: true },
    invitedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_invites' },
);
inviteSchema.index({ roomId: 1, userId: 1 }, { unique: true, name: 'roomId_userId_unique' });

const firstJoinSchema = new Schema<FirstJoinDoc>(
  {
    roomId: { type: String, required: true },
    userId: { type: String, required: true },
    joinedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_first_joins' },
);
firstJoinSchema.index({ roomId: 1, userId: 1 }, { unique: true, name: 'roomId_userId_unique' });

const banSchema = new Schema<BanDoc>(
  {
    roomId: { type: String, required: true },
    userId: { type: String, required: true },
    bannedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_bans' },
);
banSchema.index({ roomId: 1, userId: 1 }, { unique: true, name: 'roomId_userId_unique' });

/**
 * One small document per (room, user) that a join and a ban both write in their transactions.
 * Snapshot isolation alone lets a join (reads no ban, inserts a member) and a ban (inserts a ban,
 * deletes no member yet) both commit; writing the same document makes them conflict, so one is
 * re-run and sees the other. Never a hot document: it is per user and room.
 */
interface AccessGuardDoc {
  _id: string;
  v: number;
}

const accessGuardSchema = new Schema<AccessGuardDoc>(
  { _id: { type: String, required: true }, v: { type: Number, required: true } },
  { ...SCHEMA_OPTIONS, collection: 'room_access_guards' },
);

type CustomizationDoc = Omit<RoomCustomizationRecord, 'roomId'> & { _id: string };

const customizationSchema = new Schema<CustomizationDoc>(
  {
    _id: { type: String, required: true },
    color: { type: String, required: true },
    theme: { type: String, required: true },
    purchaseId: { type: String, required: true },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'room_customizations' },
);

const roomFromDoc = (d: RoomDoc): RoomRecord => ({
  id: d._id,
  name: d.name,
  description: d.description ?? '',
  visibility: d.visibility,
  ownerId: d.ownerId,
  createdAt: d.createdAt,
});

const memberFromDoc = (d: MemberDoc): MembershipRecord => ({ roomId: d.roomId, userId: d.userId, role: d.role, joinedAt: d.joinedAt });

const MEMBER_FIELDS = { _id: 0, roomId: 1, userId: 1, role: 1, joinedAt: 1 } as const;
/** The owner's membership goes only with the room itself, so neither a kick nor a ban removes it. */
const removableMember = (roomId: string, userId: string) => ({ roomId, userId, role: { $ne: 'owner' as const } });
/** A concurrent first ban of the same user may lose the upsert race once; the re-run finds the ban. */
const BAN_ATTEMPTS_MAX = 2;

/** Rooms, memberships, invites and bans over MongoDB. */
export function createMongoRoomStore(connection: Connection, builds: IndexBuilds): RoomStore {
  const Rooms = modelOn(connection, 'Room', roomSchema);
  const Members = modelOn(connection, 'RoomMember', memberSchema);
  const Invites = modelOn(connection, 'RoomInvite', inviteSchema);
  const Bans = modelOn(connection, 'RoomBan', banSchema);
  const Customizations = modelOn(connection, 'RoomCustomization', customizationSchema);
  const FirstJoins = modelOn(connection, 'RoomFirstJoin', firstJoinSchema);
  const Guards = modelOn(connection, 'RoomAccessGuard', accessGuardSchema);
  const ready = readiness(builds, [Rooms, Members, Invites, Bans, Customizations, FirstJoins, Guards]);
  const touchGuard = (roomId: string, userId: string, session: ClientSession) =>
    Guards.updateOne({ _id: `${roomId}\u0000${userId}` }, { $inc: { v: 1 } }, { upsert: true, session });

  const getMembership = async (roomId: string, userId: string): Promise<MembershipRecord | null> => {
    const doc = await Members.findOne({ roomId, userId }, MEMBER_FIELDS).lean<MemberDoc | null>();
    return doc ? memberFromDoc(doc) : null;
  };

  const banOnce = (ban: RoomBanRecord): Promise<{ removedMember: boolean }> =>
    runInTransaction(connection, async (session) => {
      await touchGuard(ban.roomId, ban.userId, session);
      await Bans.updateOne(
        { roomId: ban.roomId, userId: ban.userId },
        { $setOnInsert: { bannedBy: ban.bannedBy, createdAt: ban.createdAt } },
        { upsert: true, session },
      );
      const removed = await Members.deleteOne(removableMember(ban.roomId, ban.userId), { session });
      return { removedMember: removed.deletedCount === 1 };
    });
  const banWithRetry = async (ban: RoomBanRecord): Promise<{ removedMember: boolean }> => {
    await ready();
    for (let attempt = 1; ; attempt++) {
      try {
        return await banOnce(ban);
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= BAN_ATTEMPTS_MAX) throw err;
      }
    }
  };

  // Direct rooms and room management (issue 10, h10a).
  const direct = directRoomOps(connection, { Rooms, Members, Invites, Bans, Customizations } as unknown as RoomModels, ready);

  return {
    ...direct,
    async create(room) {
      await ready();
      await runInTransaction(connection, async (session) => {
        const doc: RoomDoc = {
          _id: room.id,
          name: room.name,
          description: room.description,
          visibility: room.visibility,
          ownerId: room.ownerId,
          createdAt: room.createdAt,
        };
        await new Rooms(doc).save({ session });
        await new Members({ roomId: room.id, userId: room.ownerId, role: 'owner', joinedAt: room.createdAt }).save({ session });
      });
      return { ...room };
    },
    async findById(id) {
      const doc = await Rooms.findById(id).lean<RoomDoc | null>();
      return doc ? roomFromDoc(doc) : null;
    },
    async listVisibleTo(userId, opts) {
      checkPageLimit(opts.limit);
      const mine = await Members.find({ userId }, { _id: 0, roomId: 1 }).lean<{ roomId: string }[]>();
      const docs = await Rooms.find({
        // Direct rooms (ownerId '') are listed by listDirectOf only.
        $or: [{ visibility: 'public' }, { _id: { $in: mine.map((m) => m.roomId) }, ownerId: { $ne: '' } }],
        ...olderThan(opts.before),
      })
        .sort({ _id: -1 })
        .limit(opts.limit + 1)
        .lean<RoomDoc[]>();
      return toPage(docs.map(roomFromDoc), opts.limit);
    },
    async countOwnedBy(userId) {
      return Rooms.countDocuments({ ownerId: userId });
    },
    getMembership,
    async listMembers(roomId) {
      const docs = await Members.find({ roomId }, MEMBER_FIELDS).sort({ joinedAt: 1, userId: 1 }).lean<MemberDoc[]>();
      return docs.map(memberFromDoc);
    },
    async listMemberIds(roomId) {
      const docs = await Members.find({ roomId }, { _id: 0, userId: 1 }).sort({ userId: 1 }).lean<{ userId: string }[]>();
      return docs.map((d) => d.userId);
    },
    async listRoomIdsOfUser(userId) {
      // Covered by the userId_roomId index, which also gives the order.
      const docs = await Members.find({ userId }, { _id: 0, roomId: 1 }).sort({ roomId: 1 }).lean<{ roomId: string }[]>();
      return docs.map((d) => d.roomId);
    },
    async addMember(m) {
      await ready();
      try {
        await new Members({ roomId: m.roomId, userId: m.userId, role: m.role, joinedAt: m.joinedAt }).save();
        return { membership: { ...m }, created: true };
      } catch (err) {
        if (!isDuplicateKeyOn(err, MEMBER_INDEX)) throw err;
      }
      const existing = await getMembership(m.roomId, m.userId);
      if (!existing) throw new Error(`membership ${m.roomId}/${m.userId} conflicted but cannot be read`);
      return { membership: existing, created: false };
    },
    async removeMember(roomId, userId) {
      const result = await Members.deleteOne(removableMember(roomId, userId));
      return result.deletedCount === 1;
    },
    async recordFirstJoin(roomId, userId, at) {
      await ready();
      try {
        const result = await FirstJoins.updateOne({ roomId, userId }, { $setOnInsert: { joinedAt: at } }, { upsert: true });
        return result.upsertedCount === 1;
      } catch (err) {
        // A concurrent first call inserted it: that call is the first join, this one is not.
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async setMemberRole(roomId, userId, role) {
      const doc = await Members.findOneAndUpdate({ roomId, userId }, { $set: { role } }, { new: true, projection: MEMBER_FIELDS }).lean<MemberDoc | null>();
      return doc ? memberFromDoc(doc) : null;
    },
    async addInvite(invite) {
      await ready();
      try {
        await Invites.updateOne(
          { roomId: invite.roomId, userId: invite.userId },
          { $setOnInsert: { invitedBy: invite.invitedBy, createdAt: invite.createdAt } },
          { upsert: true },
        );
      } catch (err) {
        // Two first invites raced on the upsert: the other one stored it, which is all we want.
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async hasInvite(roomId, userId) {
      return (await Invites.exists({ roomId, userId })) !== null;
    },
    async addBan(ban) {
      await banWithRetry(ban);
    },
    banMember: banWithRetry,
    async addMemberUnlessBanned(m) {
      await ready();
      for (let attempt = 1; ; attempt++) {
        try {
          return await runInTransaction(connection, async (session) => {
            await touchGuard(m.roomId, m.userId, session);
            if ((await Bans.exists({ roomId: m.roomId, userId: m.userId }).session(session)) !== null) return { banned: true as const };
            const existing = await Members.findOne({ roomId: m.roomId, userId: m.userId }, MEMBER_FIELDS).session(session).lean<MemberDoc | null>();
            if (existing) return { banned: false as const, membership: memberFromDoc(existing), created: false };
            await Members.create([{ roomId: m.roomId, userId: m.userId, role: m.role, joinedAt: m.joinedAt }], { session });
            return { banned: false as const, membership: { ...m }, created: true };
          });
        } catch (err) {
          // A first guard upsert racing another one can fail on the unique _id once; the re-run updates it.
          if (!isDuplicateKey(err) || attempt >= BAN_ATTEMPTS_MAX) throw err;
        }
      }
    },
    async getBan(roomId, userId) {
      const doc = await Bans.findOne({ roomId, userId }, { _id: 0, roomId: 1, userId: 1, bannedBy: 1, createdAt: 1 }).lean<BanDoc | null>();
      return doc ? { roomId: doc.roomId, userId: doc.userId, bannedBy: doc.bannedBy, createdAt: doc.createdAt } : null;
    },
    async removeBan(roomId, userId) {
      const result = await Bans.deleteOne({ roomId, userId });
      return result.deletedCount === 1;
    },
    async isBanned(roomId, userId) {
      return (await Bans.exists({ roomId, userId })) !== null;
    },
    async setCustomization(c) {
      await ready();
      // Keyed by room id (one document per room); the first purchase used on the room stays recorded.
      await Customizations.updateOne(
        { _id: c.roomId },
        { $set: { color: c.color, theme: c.theme, updatedBy: c.updatedBy, updatedAt: c.updatedAt }, $setOnInsert: { purchaseId: c.purchaseId } },
        { upsert: true },
      );
    },
    async customizationsOf(roomIds) {
      const out = new Map<string, RoomCustomizationRecord>();
      if (roomIds.length === 0) return out;
      const docs = await Customizations.find({ _id: { $in: [...roomIds] } }).lean<CustomizationDoc[]>();
      for (const { _id, ...rest } of docs) out.set(_id, { roomId: _id, ...rest });
      return out;
    },
  };
}
