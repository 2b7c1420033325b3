import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { EquippedCosmetics, ProfilePatch, ProfileRecord, ProfileStore } from '../../users/profile-ports.js';
import { EMPTY_PROFILE, applyPatch, prefixRangeEnd, searchKey } from '../../users/profile-ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';

/*
 * Profiles over MongoDB (collection `user_profiles`, `_id` = user id). Every change is one
 * findOneAndUpdate on the user's own document (atomic, no transaction needed, no hot document);
 * the search reads two index ranges (users.usernameLower, user_profiles.displayNameLower) with
 * plain string bounds, never a regex, so no character of the prefix is a pattern.
 */
interface ProfileDoc {
  _id: string;
  displayName?: string | null;
  displayNameLower?: string | null;
  bio?: string;
  avatarKey?: string | null;
  equipped?: EquippedCosmetics;
  updatedAt: Date;
}

const profileSchema = new Schema<ProfileDoc>(
  {
    _id: { type: String, required: true },
    displayName: { type: String, default: null },
    displayNameLower: { type: String, default: null },
    bio: { type: String, default: '' },
    avatarKey: { type: String, default: null },
    equipped: { type: Schema.Types.Mixed, default: {} },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'user_profiles', minimize: false },
);
profileSchema.index({ displayNameLower: 1, _id: -1 }, { name: 'displayNameLower_id' });

const fromDoc = (d: ProfileDoc): ProfileRecord => ({
  userId: d._id,
  displayName: d.displayName ?? null,
  bio: d.bio ?? '',
  avatarKey: d.avatarKey ?? null,
  equipped: { ...(d.equipped ?? {}) },
  updatedAt: d.updatedAt,
});

/** The update document of `patch`: one $set / $unset per field and per equipped slot. */
function updateOf(patch: ProfilePatch, at: Date): Record<string, Record<string, unknown>> {
  const set: Record<string, unknown> = { updatedAt: at };
  const unset: Record<string, ''> = {};
  if (patch.displayName !== undefined) {
    set['displayName'] = patch.displayName;
    set['displayNameLower'] = patch.displayName === null ? null : searchKey(patch.displayName);
  }
  if (patch.bio !== undefined) set['bio'] = patch.bio;
  if (patch.avatarKey !== undefined) set['avatarKey'] = patch.avatarKey;
  for (const [slot, itemId] of Object.entries(patch.equipped ?? {})) {
    if (itemId === null) unset[`equipped.${slot}`] = '';
    else set[`equipped.${slot}`] = itemId;
  }
  return Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
}

export function createMongoProfileStore(connection: Connection, builds: IndexBuilds): ProfileStore {
  const Profiles = modelOn(connection, 'UserProfile', profileSchema);
  const ready = readiness(builds, [Profiles]);

  return {
    async many(userIds) {
      const out = new Map<string, ProfileRecord>();
      if (userIds.length === 0) return out;
      for (const d of await Profiles.find({ _id: { $in: [...userIds] } }).lean<ProfileDoc[]>()) out.set(d._id, fromDoc(d));
      return out;
    },
    async update(userId, patch, at) {
      await ready();
      // new: false answers the pre-image, to which exactly this patch was applied atomically.
      const before = await Profiles.findOneAndUpdate({ _id: userId }, updateOf(patch, at), { upsert: true, new: false }).lean<ProfileDoc | null>();
      const previous = before ? fromDoc(before) : EMPTY_PROFILE(userId, at);
      return { profile: applyPatch(previous, patch, at), previousAvatarKey: previous.avatarKey };
    },
    async searchUserIds(prefix, opts) {
      checkPageLimit(opts.limit);
      const lo = searchKey(prefix);
      const range = { $gte: lo, $lt: prefixRangeEnd(lo) };
      const older = olderThan(opts.before);
      const [byName, byDisplay] = await Promise.all([
        connection.collection<{ _id: string }>('users').find({ usernameLower: range, ...older }, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(opts.limit + 1).toArray(),
        Profiles.find({ displayNameLower: range, ...older }, { _id: 1 }).sort({ _id: -1 }).limit(opts.limit + 1).lean<{ _id: string }[]>(),
      ]);
      const ids = [...new Set([...byName.map((d) => String(d._id)), ...byDisplay.map((d) => d._id)])].sort().reverse();
      return toPage(ids.slice(0, opts.limit + 1).map((id) => ({ id })), opts.limit);
    },
    async remove(userId) {
      const doc = await Profiles.findOneAndDelete({ _id: userId }).lean<ProfileDoc | null>();
      return doc?.avatarKey ?? null;
    },
  };
}
