import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { MessageRecord, MessageStore, ReactionCounts } from '../ports.js';
import { checkPageLimit, toPage } from '../page.js';
import { isDuplicateKey, isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, olderThan, readiness } from './model.js';
import { createMongoMessageEssentials } from './message-essentials.js';

export type MessageDoc = Omit<MessageRecord, 'id'> & { _id: string; changedAt?: Date | null };

interface ReactionDoc {
  messageId: string;
  userId: string;
  emoji: string;
  createdAt: Date;
}

interface HelpfulVoteDoc {
  messageId: string;
  voterId: string;
  createdAt: Date;
}

const CLIENT_ID_INDEX = 'authorId_clientMessageId_unique';
const VOTE_INDEX = 'messageId_voterId_unique';
/**
 * How many times create() re-tries insert-then-read. A duplicate-key error means the first
 * message is committed, so the read finds it; the bound only guards against a message deleted
 * in between.
 */
const CREATE_ATTEMPTS_MAX = 3;

const messageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, required: true },
    roomId: { type: String, required: true },
    authorId: { type: String, required: true },
    clientMessageId: { type: String, required: true },
    kind: { type: String, enum: ['text', 'file'], required: true },
    // A file's caption may be empty, and mongoose treats '' as missing for `required`.
    body: { type: String, default: '' },
    fileId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    // Chat essentials (issue 10)
    replyTo: { type: String, default: null },
    editedAt: { type: Date, default: null },
    deletedAt: { type: Date, default: null },
    /** The last edit or deletion, for the catch-up route; absent until the first one. */
    changedAt: { type: Date },
  },
  { ...SCHEMA_OPTIONS, collection: 'messages' },
);
messageSchema.index({ authorId: 1, clientMessageId: 1 }, { unique: true, name: CLIENT_ID_INDEX });
messageSchema.index({ roomId: 1, _id: -1 }, { name: 'roomId_id' });
messageSchema.index({ roomId: 1, changedAt: 1 }, { name: 'roomId_changedAt', partialFilterExpression: { changedAt: { $type: 'date' } } });
// Search (issue 10): the room prefix makes every text query one room's; 'none' keeps words as typed (no stemming, no stop words).
messageSchema.index({ roomId: 1, body: 'text' }, { name: 'roomId_body_text', default_language: 'none' });

const reactionSchema = new Schema<ReactionDoc>(
  {
    messageId: { type: String, required: true },
    userId: { type: String, required: true },
    emoji: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'message_reactions' },
);
reactionSchema.index({ messageId: 1, userId: 1, emoji: 1 }, { unique: true, name: 'messageId_userId_emoji_unique' });

const voteSchema = new Schema<HelpfulVoteDoc>(
  {
    messageId: { type: String, required: true },
    voterId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'message_helpful_votes' },
);
voteSchema.index({ messageId: 1, voterId: 1 }, { unique: true, name: VOTE_INDEX });

const fromDoc = (d: MessageDoc): MessageRecord => ({
  id: d._id,
  roomId: d.roomId,
  authorId: d.authorId,
  clientMessageId: d.clientMessageId,
  kind: d.kind,
  body: d.body ?? '',
  fileId: d.fileId ?? null,
  createdAt: d.createdAt,
  replyTo: d.replyTo ?? null,
  editedAt: d.editedAt ?? null,
  deletedAt: d.deletedAt ?? null,
});

/** Messages, reactions and helpful votes over MongoDB. */
export function createMongoMessageStore(connection: Connection, builds: IndexBuilds): MessageStore {
  const Messages = modelOn(connection, 'Message', messageSchema);
  const Reactions = modelOn(connection, 'MessageReaction', reactionSchema);
  const Votes = modelOn(connection, 'MessageHelpfulVote', voteSchema);
  const ready = readiness(builds, [Messages, Reactions, Votes]);
  const essentials = createMongoMessageEssentials(connection, Messages, fromDoc, builds);

  const countsByMessage = async (messageIds: readonly string[]): Promise<Record<string, ReactionCounts>> => {
    const rows = await Reactions.aggregate<{ _id: { m: string; e: string }; n: number }>([
      { $match: { messageId: { $in: [...messageIds] } } },
      { $group: { _id: { m: '$messageId', e: '$emoji' }, n: { $sum: 1 } } },
    ]);
    const out: Record<string, ReactionCounts> = {};
    for (const id of messageIds) out[id] = {};
    for (const row of rows) (out[row._id.m] ??= {})[row._id.e] = row.n;
    return out;
  };

  return {
    async create(message) {
      await ready();
      const doc: MessageDoc = {
        _id: message.id,
        roomId: message.roomId,
        authorId: message.authorId,
        clientMessageId: message.clientMessageId,
        kind: message.kind,
        body: message.body,
        fileId: message.fileId,
        createdAt: message.createdAt,
        replyTo: message.replyTo ?? null,
        editedAt: null,
        deletedAt: null,
      };
      for (let attempt = 1; ; attempt++) {
        try {
          await new Messages(doc).save();
          return { message: fromDoc(doc), created: true };
        } catch (err) {
          // Only the (author, clientMessageId) index means "a retry"; a clashing id is a bug.
          if (!isDuplicateKeyOn(err, CLIENT_ID_INDEX)) throw err;
        }
        const first = await Messages.findOne({ authorId: message.authorId, clientMessageId: message.clientMessageId }).lean<MessageDoc | null>();
        if (first) return { message: fromDoc(first), created: false };
        if (attempt >= CREATE_ATTEMPTS_MAX) {
          throw new Error(`message ${message.authorId}/${message.clientMessageId} conflicted but cannot be read`);
        }
      }
    },
    async findById(id) {
      const doc = await Messages.findById(id).lean<MessageDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async listByRoom(roomId, opts) {
      checkPageLimit(opts.limit);
      const docs = await Messages.find({ roomId, ...olderThan(opts.before) })
        .sort({ _id: -1 })
        .limit(opts.limit + 1)
        .lean<MessageDoc[]>();
      return toPage(docs.map(fromDoc), opts.limit);
    },
    async setReaction(r) {
      await ready();
      const key = { messageId: r.messageId, userId: r.userId, emoji: r.emoji };
      if (r.on) {
        try {
          await Reactions.updateOne(key, { $setOnInsert: { createdAt: r.at } }, { upsert: true });
        } catch (err) {
          // A concurrent identical upsert inserted it first: the reaction is on, as asked.
          if (!isDuplicateKey(err)) throw err;
        }
      } else {
        await Reactions.deleteOne(key);
      }
      const [counts, reactors, message] = await Promise.all([
        countsByMessage([r.messageId]),
        Reactions.distinct('userId', { messageId: r.messageId }),
        Messages.findById(r.messageId, { authorId: 1 }).lean<Pick<MessageDoc, 'authorId'> | null>(),
      ]);
      // The author's own reactions do not make a message popular (popular_message pays the author).
      const others = reactors.filter((u) => u !== message?.authorId);
      return { counts: counts[r.messageId] ?? {}, distinctReactors: others.length };
    },
    async reactionCounts(messageIds) {
      if (messageIds.length === 0) return {};
      return countsByMessage(messageIds);
    },
    async countByAuthor(authorId) {
      return Messages.countDocuments({ authorId });
    },
    async reactorIds(messageId, limit) {
      const message = await Messages.findById(messageId, { authorId: 1 }).lean<Pick<MessageDoc, 'authorId'> | null>();
      const rows = await Reactions.aggregate<{ _id: string }>([
        { $match: { messageId, userId: { $ne: message?.authorId ?? null } } },
        { $group: { _id: '$userId', first: { $min: '$createdAt' } } },
        { $sort: { first: 1, _id: 1 } },
        { $limit: limit },
      ]);
      return rows.map((r) => r._id);
    },
    async addHelpfulVote(v) {
      await ready();
      try {
        await new Votes({ messageId: v.messageId, voterId: v.voterId, createdAt: v.at }).save();
        return true;
      } catch (err) {
        if (isDuplicateKeyOn(err, VOTE_INDEX)) return false;
        throw err;
      }
    },
    ...essentials,
  };
}
