import { Schema, type Connection, type Model } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { MessageRecord, MessageStore, RoomReadState } from '../ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { mongoTextSearch } from '../search-terms.js';
import { isDuplicateKey } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';
import type { MessageDoc } from './messages-store.js';

/*
 * The MongoDB side of issue 10 (edit, delete, catch-up, search, mentions, read markers). Every
 * write is one single-document operation (or an idempotent deleteMany), so none needs a
 * transaction and none touches a shared hot document: a read marker is one document per
 * (user, room), a mention one per (user, message).
 */

interface MentionDoc {
  userId: string;
  roomId: string;
  messageId: string;
}

interface ReadMarkerDoc {
  userId: string;
  roomId: string;
  messageId: string;
  updatedAt: Date;
}

const mentionSchema = new Schema<MentionDoc>(
  {
    userId: { type: String, required: true },
    roomId: { type: String, required: true },
    messageId: { type: String, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'message_mentions' },
);
mentionSchema.index({ userId: 1, roomId: 1, messageId: 1 }, { unique: true, name: 'userId_roomId_messageId_unique' });
mentionSchema.index({ messageId: 1 }, { name: 'messageId' });

const markerSchema = new Schema<ReadMarkerDoc>(
  {
    userId: { type: String, required: true },
    roomId: { type: String, required: true },
    messageId: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'read_markers' },
);
markerSchema.index({ userId: 1, roomId: 1 }, { unique: true, name: 'userId_roomId_unique' });

type Essentials = Pick<
  MessageStore,
  'edit' | 'markDeleted' | 'listAfter' | 'listChangedSince' | 'search' | 'addMentions' | 'setReadMarker' | 'readStates'
>;

export function createMongoMessageEssentials(
  connection: Connection,
  Messages: Model<MessageDoc>,
  fromDoc: (d: MessageDoc) => MessageRecord,
  builds: IndexBuilds,
): Essentials {
  const Mentions = modelOn(connection, 'MessageMention', mentionSchema);
  const Markers = modelOn(connection, 'ReadMarker', markerSchema);
  const ready = readiness(builds, [Messages, Mentions, Markers]);

  const countUpTo = (model: Model<any>, filter: Record<string, unknown>, cap: number): Promise<number> =>
    model.countDocuments(filter).limit(cap).exec();

  return {
    async edit(e) {
      const doc = await Messages.findOneAndUpdate(
        { _id: e.messageId, deletedAt: null },
        { $set: { body: e.body, editedAt: e.at, changedAt: e.at } },
        { new: true },
      ).lean<MessageDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async markDeleted(d) {
      const doc = await Messages.findOneAndUpdate(
        { _id: d.messageId, deletedAt: null },
        { $set: { body: '', deletedAt: d.at, changedAt: d.at } },
        { new: true },
      ).lean<MessageDoc | null>();
      if (doc) {
        // After the tombstone, so a retry after a failure here finds it deleted and forgets the mentions again.
        await Mentions.deleteMany({ messageId: d.messageId });
        return { message: fromDoc(doc), changed: true };
      }
      const existing = await Messages.findById(d.messageId).lean<MessageDoc | null>();
      if (!existing) return null;
      await Mentions.deleteMany({ messageId: d.messageId });
      return { message: fromDoc(existing), changed: false };
    },
    async listAfter(roomId, opts) {
      checkPageLimit(opts.limit);
      const docs = await Messages.find({ roomId, _id: { $gt: opts.after } })
        .sort({ _id: 1 })
        .limit(opts.limit + 1)
        .lean<MessageDoc[]>();
      return { items: docs.slice(0, opts.limit).map(fromDoc), more: docs.length > opts.limit };
    },
    async listChangedSince(roomId, opts) {
      checkPageLimit(opts.limit);
      const docs = await Messages.find({ roomId, changedAt: { $gte: opts.since }, _id: { $lte: opts.upTo } })
        .sort({ changedAt: 1, _id: 1 })
        .limit(opts.limit)
        .lean<MessageDoc[]>();
      return docs.map(fromDoc);
    },
    async search(roomId, query, opts) {
      checkPageLimit(opts.limit);
      // $text fails on a collection whose text index is not built yet.
      await ready();
      const text = mongoTextSearch(query);
      if (text === null) return { items: [], nextCursor: null };
      const docs = await Messages.find({ roomId, deletedAt: null, $text: { $search: text }, ...olderThan(opts.before) })
        .sort({ _id: -1 })
        .limit(opts.limit + 1)
        .lean<MessageDoc[]>();
      return toPage(docs.map(fromDoc), opts.limit);
    },
    async addMentions(m) {
      await ready();
      const ops = [...new Set(m.userIds)].map((userId) => ({
        updateOne: { filter: { userId, roomId: m.roomId, messageId: m.messageId }, update: { $setOnInsert: { userId } }, upsert: true },
      }));
      if (ops.length === 0) return;
      try {
        await Mentions.bulkWrite(ops, { ordered: false });
      } catch (err) {
        // Two identical upserts raced: the mention exists, as asked.
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async setReadMarker(r) {
      await ready();
      // One document per (user, room); $max inside an update pipeline keeps it monotonic atomically.
      const update = [{ $set: { messageId: { $max: ['$messageId', r.messageId] }, updatedAt: r.at, userId: r.userId, roomId: r.roomId } }];
      for (let attempt = 1; ; attempt++) {
        try {
          const doc = await Markers.findOneAndUpdate({ userId: r.userId, roomId: r.roomId }, update, { upsert: true, new: true }).lean<ReadMarkerDoc | null>();
          return doc?.messageId ?? r.messageId;
        } catch (err) {
          // Two first markers of one (user, room) raced on the upsert: the second one updates.
          if (!isDuplicateKey(err) || attempt >= 2) throw err;
        }
      }
    },
    async readStates(userId, roomIds, cap) {
      const out = new Map<string, RoomReadState>();
      if (roomIds.length === 0) return out;
      const markers = await Markers.find({ userId, roomId: { $in: [...roomIds] } }).lean<ReadMarkerDoc[]>();
      const byRoom = new Map(markers.map((m) => [m.roomId, m.messageId]));
      await Promise.all(
        roomIds.map(async (roomId) => {
          const lastReadId = byRoom.get(roomId) ?? null;
          const after = { $gt: lastReadId ?? '' };
          const [unread, mentions] = await Promise.all([
            countUpTo(Messages, { roomId, _id: after, authorId: { $ne: userId }, deletedAt: null }, cap),
            countUpTo(Mentions, { userId, roomId, messageId: after }, cap),
          ]);
          out.set(roomId, { lastReadId, unread, mentions });
        }),
      );
      return out;
    },
  };
}
