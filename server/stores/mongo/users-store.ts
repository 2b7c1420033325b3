import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { NewUser, UserRecord, UserStore } from '../ports.js';
import { deletedUsername, usernameKey } from '../usernames.js';
import { runInTransaction } from './transaction.js';
import { isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

/** The record as stored: `_id` is the user id, `usernameLower` carries the unique index. */
type UserDoc = Omit<UserRecord, 'id'> & { _id: string; usernameLower: string };

const USERNAME_INDEX = 'usernameLower_unique';

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    usernameLower: { type: String, required: true },
    passwordHash: { type: String, required: true },
    publicKey: { type: String, default: null },
    role: { type: String, enum: ['user', 'admin'], required: true },
    pinHash: { type: String, default: null },
    inviteCode: { type: String, required: true },
    invitedBy: { type: String, default: null },
    registrationIp: { type: String, default: null },
    bannedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'users' },
);
userSchema.index({ usernameLower: 1 }, { unique: true, name: USERNAME_INDEX });
userSchema.index({ inviteCode: 1 }, { unique: true, name: 'inviteCode_unique' });
userSchema.index({ invitedBy: 1 }, { name: 'invitedBy' });

const fromDoc = (d: UserDoc): UserRecord => ({
  id: d._id,
  username: d.username,
  passwordHash: d.passwordHash,
  publicKey: d.publicKey ?? null,
  role: d.role,
  pinHash: d.pinHash ?? null,
  inviteCode: d.inviteCode,
  invitedBy: d.invitedBy ?? null,
  registrationIp: d.registrationIp ?? null,
  bannedAt: d.bannedAt ?? null,
  createdAt: d.createdAt,
});

/** Users over MongoDB (collection `users`); the username is unique through `usernameLower`. */
export function createMongoUserStore(connection: Connection, builds: IndexBuilds): UserStore {
  const Users = modelOn(connection, 'User', userSchema);
  const ready = readiness(builds, [Users]);

  return {
    async create(user: NewUser) {
      await ready();
      const doc: UserDoc = {
        _id: user.id,
        username: user.username,
        usernameLower: usernameKey(user.username),
        passwordHash: user.passwordHash,
        publicKey: user.publicKey,
        role: user.role ?? 'user',
        pinHash: null,
        inviteCode: user.inviteCode,
        invitedBy: user.invitedBy,
        registrationIp: user.registrationIp,
        bannedAt: null,
        createdAt: user.createdAt,
      };
      try {
        await new Users(doc).save();
      } catch (err) {
        // Only a username clash is an expected outcome; a clash on id or invite code is a bug.
        if (isDuplicateKeyOn(err, USERNAME_INDEX)) return null;
        throw err;
      }
      return fromDoc(doc);
    },
    async findById(id) {
      const doc = await Users.findById(id).lean<UserDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async findByUsername(username) {
      const doc = await Users.findOne({ usernameLower: usernameKey(username) }).lean<UserDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async findByInviteCode(code) {
      const doc = await Users.findOne({ inviteCode: code }).lean<UserDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async findManyByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await Users.find({ _id: { $in: [...ids] } }).sort({ _id: 1 }).lean<UserDoc[]>();
      return docs.map(fromDoc);
    },
    async setRole(id, role) {
      await Users.updateOne({ _id: id }, { $set: { role } });
    },
    async setPasswordHash(id, passwordHash) {
      await Users.updateOne({ _id: id }, { $set: { passwordHash } });
    },
    async setPinHash(id, pinHash) {
      await Users.updateOne({ _id: id }, { $set: { pinHash } });
    },
    async setBanned(id, bannedAt) {
      await Users.updateOne({ _id: id }, { $set: { bannedAt } });
    },
    async searchByUsernamePrefix(prefix, limit) {
      await ready();
      const low = prefix.toLowerCase();
      // '~' sorts after every username character ([a-z0-9_]), so this is a range on the unique index.
      const docs = await Users.find({ usernameLower: { $gte: low, $lt: `${low}~` } }).sort({ usernameLower: 1 }).limit(limit).lean<UserDoc[]>();
      return docs.map(fromDoc);
    },
    async markDeleted(id, at) {
      await ready();
      const username = deletedUsername(id);
      // One transaction: the ban (kept if earlier) and the tombstone land together or not at all.
      return runInTransaction(connection, async (session) => {
        const renamed = await Users.updateOne(
          { _id: id, username: { $ne: username } },
          { $set: { username, usernameLower: usernameKey(username), passwordHash: '!', pinHash: null, publicKey: null, registrationIp: null } },
          { session },
        );
        if (renamed.modifiedCount !== 1) return false;
        await Users.updateOne({ _id: id, bannedAt: null }, { $set: { bannedAt: at } }, { session });
        return true;
      });
    },
  };
}
